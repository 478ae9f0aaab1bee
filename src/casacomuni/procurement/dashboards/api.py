"""API of the SUA procedures' statistics: ``GET /api/v1/procurement/stats`` (mounted by the lead with
``api.add_router("/procurement", dashboards.api.router)``).

Who: the Province's administrator and SUA officers read their Province's figures (``province`` omitted or
their own sigla); a Comune (Unione) reads its own (the lots it buys); UPI names the Province with
``province=SIGLA``. Another Province's sigla is 404 for a Province or a Comune (nothing of another tenant is
revealed); other roles get 403. Every figure is an aggregate query (procedures.selectors).
"""

from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from casacomuni.accounts import tenancy
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.procurement.procedures import selectors

router = Router(tags=["procurement statistics"])


class StatsQuery(Schema):
    province: str | None = Field(
        None, pattern=r"^[A-Za-z]{2}$", description="Sigla of the Province (required for UPI)"
    )
    year: int | None = Field(None, ge=2000, le=2100, description="Year of the award figures (default: this)")


class TotalsOut(Schema):
    lots: int = Field(description="Lots awarded")
    contracts: int = Field(description="Of which with the contract signed")
    base: Decimal = Field(description="Sum of their base amounts")
    awarded: Decimal = Field(description="Sum of their awarded amounts")
    savings: Decimal = Field(description="Base minus awarded")
    savings_percent: Decimal | None = Field(description="Savings as a percentage of the base")


class DurationsOut(Schema):
    request_to_publication: Decimal | None = Field(description="Average days, per lot")
    publication_to_award: Decimal | None
    award_to_contract: Decimal | None
    request_to_award: Decimal | None


class CpvStatOut(Schema):
    cpv: str
    description: str
    lots: int
    base: Decimal


class CountOut(Schema):
    code: str
    count: int


class StatsOut(Schema):
    scope: Literal["province", "municipality"]
    organization_id: int
    organization: str
    province: str | None = Field(description="Sigla of the Province")
    year: int
    procedures_by_state: list[CountOut]
    requests_by_state: list[CountOut]
    awarded_in_year: TotalsOut
    awarded_all_time: TotalsOut
    average_days: DurationsOut
    comuni_served: int | None = Field(description="Comuni and Unioni with a lot (Province only)")
    top_cpv: list[CpvStatOut]


def stats_scope(request, province: str | None) -> selectors.Scope:
    user = request.user
    membership = tenancy.acting_membership(user)
    if membership is None:
        raise PermissionDenied
    sigla = province.upper() if province else None
    if membership.role == Role.UPI_ADMIN:
        if not sigla:
            raise HttpError(400, _("Name the Province with the parameter province."))
        org = (
            Organization.objects.filter(kind=OrganizationKind.PROVINCE, is_active=True, province__sigla=sigla)
            .select_related("province")
            .first()
        )
        if org is None:
            raise Http404
        return selectors.province_scope(org)
    tenancy.require_role(user, *selectors.DASHBOARD_ROLES)
    own = membership.organization
    if sigla and (own.province is None or own.province.sigla != sigla):
        raise Http404
    return selectors.scope(user)


@router.get("/stats", response=StatsOut, summary="Statistics of the SUA procedures")
def procurement_stats(request, filters: Query[StatsQuery]):
    scope = stats_scope(request, filters.province)
    today = timezone.localdate()
    year = filters.year or today.year
    counts = lambda rows: [{"code": row["code"], "count": row["count"]} for row in rows]  # noqa: E731
    org = scope.organization
    figures = selectors.lot_figures(scope.lots, year, with_comuni=scope.is_province)
    return {
        "scope": "province" if scope.is_province else "municipality",
        "organization_id": org.pk,
        "organization": org.name,
        "province": org.province.sigla if org.province_id else None,
        "year": year,
        "procedures_by_state": counts(selectors.procedures_by_state(scope.procedures)),
        "requests_by_state": counts(selectors.requests_by_state(scope.requests)),
        "awarded_in_year": figures["awarded_in_year"],
        "awarded_all_time": figures["awarded_all_time"],
        "average_days": figures["durations"],
        "comuni_served": figures["comuni_served"],
        "top_cpv": selectors.top_cpv(scope.lots),
    }
