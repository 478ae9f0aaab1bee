"""Results of the EU-funds office: the Province's (its office), the Comune's (its people) and the national
table (UPI). Figures come from ``results.selectors`` (aggregate queries, a fixed number per page) and
``rules.kpis``; the projects' OpenCoesione CSV, linked from these pages, is ``funded.views.projects_csv``."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from casacomuni.accounts import tenancy
from casacomuni.accounts.roles import Role
from casacomuni.projects.parties import READER_ROLES, local_party, office_of
from casacomuni.projects.results import selectors

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
