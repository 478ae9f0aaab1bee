"""API of the indicators: the yearly values per comune, as the dashboards show them to the caller.

``GET /api/v1/insights/indicators``: UPI reads every comune's values; a Province the comuni of its territory;
a Comune its own; a Unione its member comuni's; an operator nothing (403). Filters narrow the readable rows:
a Province or comune outside them simply gives no rows.
"""

import datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from casacomuni.accounts import tenancy
from casacomuni.indicators.models import Observation
from casacomuni.indicators.selectors import READER_ROLES

router = Router(tags=["indicators"])


class ObservationOut(Schema):
    code: str = Field(description="Indicator code, e.g. services_joined")
    indicator: str = Field(description="Indicator name")
    unit: str
    year: int
    municipality: str = Field(description="ISTAT code of the comune")
    municipality_name: str
    province: str = Field(description="Sigla of the province")
    value: Decimal
    computed_at: datetime.datetime

    @staticmethod
    def resolve_code(obj):
        return obj.indicator.code

    @staticmethod
    def resolve_indicator(obj):
        return obj.indicator.name

    @staticmethod
    def resolve_unit(obj):
        return obj.indicator.unit

    @staticmethod
    def resolve_municipality(obj):
        return obj.municipality.istat_code

    @staticmethod
    def resolve_municipality_name(obj):
        return obj.municipality.name

    @staticmethod
    def resolve_province(obj):
        return obj.province.sigla


class ObservationFilters(Schema):
    province: str = Field("", max_length=2, description="Sigla of the province, e.g. TV")
    municipality: str = Field("", max_length=6, description="ISTAT code of the comune, e.g. 026086")
    code: str = Field("", max_length=60, description="Indicator code")
    year: int | None = Field(None, ge=1990, le=2100)


@router.get(
    "/indicators", response=list[ObservationOut], summary="Yearly values of the indicators per comune"
)
@paginate
def list_indicators(request, filters: Query[ObservationFilters]):
    tenancy.require_role(request.user, *READER_ROLES)
    queryset = Observation.objects.for_user(request.user).filter(indicator__is_active=True)
    if filters.province.strip():
        queryset = queryset.filter(province__sigla=filters.province.strip().upper())
    if filters.municipality.strip():
        queryset = queryset.filter(municipality__istat_code=filters.municipality.strip())
    if filters.code.strip():
        queryset = queryset.filter(indicator__code=filters.code.strip())
    if filters.year is not None:
        queryset = queryset.filter(year=filters.year)
    return queryset.select_related("indicator", "municipality", "province").order_by(
        "indicator__order", "indicator__code", "year", "municipality__istat_code"
    )
