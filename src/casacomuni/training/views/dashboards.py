"""The training dashboards of a year: a Comune's (Unione's) for its referent, a Province's for its training
office (the Province and each organisation of its territory as rows) and UPI's national one (a row per
Province), each with its CSV. Figures in ``training.figures``; a fixed number of queries per page."""

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casacomuni.lib.spreadsheets import no_formula
from casacomuni.training import figures
from casacomuni.training.forms import DashboardFilterForm
from casacomuni.training.rules import ledger as rules

SCOPES = {
    figures.COMUNE: figures.comune_scope,
    figures.PROVINCE: figures.province_scope,
    figures.NATIONAL: figures.national_scope,
}
TITLES = {
    figures.COMUNE: gettext_lazy("Training dashboard of the organisation"),
    figures.PROVINCE: gettext_lazy("Training dashboard of the Province"),
    figures.NATIONAL: gettext_lazy("National training dashboard"),
}
ROW_HEADERS = {
    figures.COMUNE: gettext_lazy("Organisation"),
    figures.PROVINCE: gettext_lazy("Organisation"),
    figures.NATIONAL: gettext_lazy("Province"),
}


def dashboard_figures(request, level: str):
    """The scope of the user at ``level`` (403 for anybody else), the year asked and its figures."""
    scope = SCOPES[level](request.user)
    form = DashboardFilterForm(request.GET or None)
    year = form.chosen_year()
    rows, total = figures.figures(scope, year)
    return form, year, rows, total


def dashboard(request, level: str):
    form, year, rows, total = dashboard_figures(request, level)
    context = {
        "level": level,
        "title": TITLES[level],
        "row_header": ROW_HEADERS[level],
        "form": form,
        "year": year,
        "rows": rows,
        "total": total if level != figures.COMUNE else None,
        "satisfaction": total.satisfaction is not None,
        "target": rules.TARGET_HOURS,
        "csv_url": f"training:dashboard_{level}_csv",
    }
    return render(request, "training/dashboard.html", context)


def dashboard_csv(request, level: str) -> HttpResponse:
    form, year, rows, total = dashboard_figures(request, level)
    header = [
        ROW_HEADERS[level],
        _("Hours delivered"),
        _("People trained"),
        _("Enrolled in editions ended in the year"),
        _("People who completed"),
        _("Completion rate (%)"),
        _("Satisfaction (average)"),
        _("Satisfaction answers"),
        _("Needs of the year"),
        _("Needs covered by the plan"),
        _("Needs covered (%)"),
        _("Staff in the ledger"),
        _("Staff at %(target)s hours") % {"target": rules.TARGET_HOURS},
        _("Staff at %(target)s hours (%%)") % {"target": rules.TARGET_HOURS},
    ]
    lines = [[str(cell) for cell in header]]
    for row in rows if level == figures.COMUNE else [*rows, total]:
        satisfaction = row.satisfaction
        lines.append(
            [
                no_formula(row.name),
                row.hours,
                row.trained,
                row.enrolled,
                row.completed,
                blank(row.completion_rate),
                blank(satisfaction and satisfaction.average),
                satisfaction.answers if satisfaction else 0,
                row.needs,
                row.needs_covered,
                blank(row.needs_covered_share),
                row.staff.people,
                row.staff.reached,
                blank(row.reached_share),
            ]
        )
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(lines)
    response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    name = f"{_('training-dashboard')}-{year}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def blank(value) -> str:
    """A figure with nothing to compute it on is left empty, not 0."""
    return "" if value is None else str(value)


@login_required
def comune_dashboard(request):
    return dashboard(request, figures.COMUNE)


@login_required
def province_dashboard(request):
    return dashboard(request, figures.PROVINCE)


@login_required
def national_dashboard(request):
    return dashboard(request, figures.NATIONAL)


@login_required
def comune_dashboard_csv(request):
    return dashboard_csv(request, figures.COMUNE)


@login_required
def province_dashboard_csv(request):
    return dashboard_csv(request, figures.PROVINCE)


@login_required
def national_dashboard_csv(request):
    return dashboard_csv(request, figures.NATIONAL)
