"""Dashboards of the SUA procedures: the Province's SUA and a Comune (``dashboard``), UPI (``national``).

Thin views over procedure_selectors: every figure is an aggregate query, so a page costs the same number of
queries with ten procedures or fifty thousand.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casacomuni.accounts import tenancy
from casacomuni.lib.forms import StyledForm
from casacomuni.procurement import procedure_selectors as selectors


class YearForm(StyledForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)


@login_required
def dashboard(request):
    """The SUA's figures for a Province's administrator and SUA officers; a Comune's for its people."""
    tenancy.require_role(request.user, *selectors.DASHBOARD_ROLES)
    scope = selectors.scope(request.user)
    today = timezone.localdate()
    context = {
        "organization": scope.organization,
        "is_province": scope.is_province,
        "today": today,
        "year": today.year,
        **selectors.summary(scope, today),
    }
    return render(request, "procurement/dashboards/dashboard.html", context)


@login_required
def national(request):
    """For UPI: procedures and savings by Province, with the national totals; ``year`` filters them."""
    tenancy.require_role(request.user, *selectors.NATIONAL_ROLES)
    form = YearForm(request.GET or None)
    year = timezone.localdate().year
    status = 200
    if form.is_bound:
        if form.is_valid():
            year = form.cleaned_data["year"] or year
        else:
            status = 400
    rows, totals = selectors.national_rows(year)
    context = {"form": form, "year": year, "rows": rows, "totals": totals}
    return render(request, "procurement/dashboards/national.html", context, status=status)
