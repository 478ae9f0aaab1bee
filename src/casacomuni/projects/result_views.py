"""Results of the EU-funds office: the Province's (its office), the Comune's (its people), the national table
(UPI), and the projects as an OpenCoesione-compatible CSV. Figures come from ``selectors`` (aggregate
queries, a fixed number per page) and ``rules.kpis``."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from casacomuni.accounts import tenancy
from casacomuni.accounts.roles import Role
from casacomuni.projects import exports, selectors
from casacomuni.projects.models import READER_ROLES, FundedProject, local_party, office_of

FIRST_YEAR = 2014  # the 2014-2020 programming period: older applications are not expected


def chosen_year(request) -> int | None:
    """The ``year`` of the query string when it is a sensible year, else None (every year)."""
    value = request.GET.get("year", "")
    if value.isdigit() and FIRST_YEAR <= int(value) <= timezone.localdate().year + 1:
        return int(value)
    return None


def years() -> list[int]:
    return list(range(timezone.localdate().year, FIRST_YEAR - 1, -1))


@login_required
def results(request):
    """The office sees its Province's figures and a row per lead Comune; a Comune (Unione) its own."""
    tenancy.require_role(request.user, *READER_ROLES)
    year = chosen_year(request)
    office = office_of(request.user)
    context = {"year": year, "years": years()}
    if office is not None:
        context |= {
            "scope": "province",
            "organization": office,
            "results": selectors.province_results(office, year),
            "rows": selectors.results_by_lead(office, year),
        }
    else:
        party = local_party(request.user)
        if party is None:
            raise PermissionDenied
        context |= {"scope": "comune", "organization": party, "results": selectors.party_results(party, year)}
    return render(request, "projects/results/results.html", context)


@login_required
def national(request):
    """UPI's table: the figures of every Province and the national total."""
    tenancy.require_role(request.user, Role.UPI_ADMIN)
    year = chosen_year(request)
    rows = selectors.national_results(year)
    context = {"year": year, "years": years(), "rows": rows, "total": selectors.national_total(rows, year)}
    return render(request, "projects/results/national.html", context)


@login_required
def projects_csv(request):
    """The projects the user may read, OpenCoesione's columns (see projects.exports)."""
    tenancy.require_role(request.user, *READER_ROLES)
    projects = (
        FundedProject.objects.for_user(request.user)
        .with_totals()
        .select_related("beneficiary__municipality", "province__province")
        .order_by("cup")
    )
    response = HttpResponse(exports.projects_csv(projects), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="progetti-opencoesione.csv"'
    return response
