"""API of the EU-funds office's results, part of the router mounted at /api/v1/eufunds (``projects.api``).

Figures come from ``results.selectors`` and ``rules.kpis``. Errors (problem+json): 403 a role that reads no
results or another Province's office, 404 an unknown sigla.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from casacomuni.accounts import tenancy
from casacomuni.accounts.roles import Role
from casacomuni.projects.parties import READER_ROLES, local_party, office_of
from casacomuni.projects.results import selectors
from casacomuni.projects.rules import kpis as kpi_rules

router = Router()


class KpiOut(Schema):
    scope: str = Field(description="province, comune or national")
    province: str | None = Field(description="The Province's sigla, for its figures")
    organization: str | None = Field(description="The Comune or Unione, for its own figures")
    year: int | None = Field(description="Applications created in this year; null: every year")
    calls_screened: int
    interests: int
    applications: int
    submitted: int
    funded: int
    not_funded: int
    success_rate: Decimal | None = Field(description="Funded out of decided (0-1)")
    requested: Decimal
    granted: Decimal
    population: int
    granted_per_inhabitant: Decimal | None
    comuni_served: int
    small_comuni_served: int
    small_comuni: int
    small_coverage: Decimal | None = Field(description="Small Comuni served out of all small Comuni (0-1)")
    small_share: Decimal | None = Field(description="Small Comuni out of the Comuni served (0-1)")


class KpiFilters(Schema):
    province: str = Field("", description="Sigla of the Province (its office, or UPI)")
    year: int | None = Field(None, ge=2000, le=2100)


def kpi_body(results, scope, year, province=None, organization=None) -> dict:
    counts = results.counts
    return {
        "scope": scope,
        "province": province,
        "organization": organization,
        "year": year,
        **{
            name: getattr(counts, name)
            for name in ("calls_screened", "interests", "applications", "submitted")
        },
        **{
            name: getattr(counts, name)
            for name in ("funded", "not_funded", "requested", "granted", "population")
        },
        "success_rate": results.success_rate,
        "granted_per_inhabitant": results.granted_per_inhabitant,
        "comuni_served": counts.comuni_served,
        "small_comuni_served": counts.small_served,
        "small_comuni": counts.small_total,
        "small_coverage": results.small_coverage,
        "small_share": results.small_share,
    }


@router.get("/kpis", response=KpiOut, summary="Results of the EU-funds office")
def kpis(request, filters: Query[KpiFilters]):
    """The office reads its Province's figures (``province`` its own sigla or empty); UPI any Province's, or
    the national total without ``province``; a Comune (Unione) gets its own figures whatever ``province``
    says. 403 for another Province's office, 404 for an unknown sigla."""
    from casacomuni.territory.models import Province

    tenancy.require_role(request.user, *READER_ROLES, Role.UPI_ADMIN)
    sigla = filters.province.strip().upper()
    party = local_party(request.user)
    if party is not None:
        results = selectors.party_results(party, filters.year)
        return kpi_body(results, "comune", filters.year, organization=party.name)
    office = office_of(request.user)
    if office is not None:
        if sigla and sigla != office.province.sigla:
            get_object_or_404(Province, sigla=sigla)
            raise PermissionDenied
        results = selectors.province_results(office, filters.year)
        return kpi_body(results, "province", filters.year, province=office.province.sigla)
    if not tenancy.has_role(request.user, Role.UPI_ADMIN):
        raise PermissionDenied
    if not sigla:
        rows = selectors.national_results(filters.year)
        return kpi_body(selectors.national_total(rows, filters.year), "national", filters.year)
    province = get_object_or_404(Province, sigla=sigla)
    counts = selectors.province_counts(filters.year, [province.pk])[province.pk]
    return kpi_body(kpi_rules.results(counts), "province", filters.year, province=province.sigla)
