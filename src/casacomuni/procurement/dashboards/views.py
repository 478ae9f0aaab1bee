"""Dashboards of the SUA procedures: the Province's SUA and a Comune (``dashboard``), UPI (``national``).

Thin views over procedures.selectors: every figure is an aggregate query, so a page costs the same number of
queries with ten procedures or fifty thousand.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casacomuni.accounts import tenancy
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.lib.forms import StyledForm
from casacomuni.procurement.dashboards import charts as dashboard_charts
from casacomuni.procurement.procedures import selectors
from casacomuni.procurement.procedures.models import ProcedureType


class YearForm(StyledForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)


class DashboardFilterForm(YearForm):
    """The dashboard's GET filters: the year of the awards, a Comune (Unione) of the Province, a kind of
    procedure. A Comune's own dashboard has no Comune to choose."""

    municipality = forms.ModelChoiceField(
        label=_("Comune or Unione"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    procedure_type = forms.ChoiceField(
        label=_("Procedure"), choices=[("", _("All")), *ProcedureType.choices], required=False
    )

    def __init__(self, data, *, province: Organization | None):
        super().__init__(data)
        self.fields["year"].label = _("Year of the awards")
        if province is None:
            del self.fields["municipality"]
        else:
            self.fields["municipality"].queryset = Organization.objects.filter(
                kind__in=(OrganizationKind.MUNICIPALITY, OrganizationKind.UNION),
                province_id=province.province_id,
            ).order_by("name")


@login_required
def dashboard(request):
    """The SUA's figures for a Province's administrator and SUA officers; a Comune's for its people; with
    charts, filtered by year, Comune and kind of procedure (400 with the form for a value it refuses)."""
    tenancy.require_role(request.user, *selectors.DASHBOARD_ROLES)
    scope = selectors.scope(request.user)
    today = timezone.localdate()
    form = DashboardFilterForm(
        request.GET or None, province=scope.organization if scope.is_province else None
    )
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    year = filters.get("year") or today.year
    scope = selectors.filtered(scope, filters.get("municipality"), filters.get("procedure_type", ""))
    summary = selectors.summary(scope, today, year)
    context = {
        "form": form,
        "organization": scope.organization,
        "is_province": scope.is_province,
        "today": today,
        "year": year,
        "filtered_by_type": bool(filters.get("procedure_type")),
        "charts": dashboard_charts.dashboard_charts(summary, year),
        **summary,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "procurement/dashboards/dashboard.html", context, status=status)


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
