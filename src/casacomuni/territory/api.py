"""Public, read-only API of the territory: regions, provinces, comuni and province boundaries."""

import json
from datetime import date
from typing import Any, Literal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from casacomuni.territory import boundaries
from casacomuni.territory.models import Municipality, Province, Region

router = Router(tags=["territory"])


class RegionOut(Schema):
    code: str = Field(description="ISTAT region code, two digits")
    name: str
    is_ordinary_statute: bool
    province_count: int
    municipality_count: int = Field(description="Current comuni")


class ProvinceOut(Schema):
    code: str = Field(description="ISTAT code of the supra-municipal territorial unit (UTS)")
    historical_code: str
    sigla: str
    name: str
    region: str = Field(description="ISTAT region code")
    uts_type: int = Field(
        description="1 province, 2 autonomous province, 3 metropolitan city, 4 free consortium, "
        "5 non-administrative unit"
    )
    is_ordinary_statute: bool = Field(description="One of the 76 provinces of the ordinary-statute regions")
    nuts3: str
    municipality_count: int = Field(description="Current comuni")
    population_total: int | None

    @staticmethod
    def resolve_region(obj):
        return obj.region.code


class MunicipalityOut(Schema):
    istat_code: str
    istat_numeric_code: int
    cadastral_code: str
    name: str
    name_other_language: str
    province: str = Field(description="Sigla of the province")
    region: str = Field(description="ISTAT region code")
    population: int | None
    population_year: int | None
    is_capoluogo: bool
    nuts3: str
    valid_from: date | None
    valid_to: date | None = Field(description="Set when the comune no longer exists (merged, moved…)")
    successor: str | None = Field(description="ISTAT code of the comune that took it over")

    @staticmethod
    def resolve_province(obj):
        return obj.province.sigla

    @staticmethod
    def resolve_region(obj):
        return obj.province.region.code

    @staticmethod
    def resolve_successor(obj):
        return obj.successor.istat_code if obj.successor_id else None


class FeatureCollectionOut(Schema):
    type: Literal["FeatureCollection"]
    attribution: str
    features: list[dict[str, Any]]


def provinces_queryset():
    return Province.objects.with_totals().select_related("region").order_by("name")


@router.get("/regions", response=list[RegionOut], auth=None, summary="Regions")
@paginate
def list_regions(request):
    return Region.objects.with_counts().order_by("code")


@router.get("/provinces", response=list[ProvinceOut], auth=None, summary="Provinces and other UTS")
@paginate
def list_provinces(
    request,
    ordinary_statute: bool | None = None,
    region: str | None = Query(None, pattern=r"^\d{2}$", description="ISTAT region code"),
):
    queryset = provinces_queryset()
    if ordinary_statute is not None:
        queryset = queryset.filter(is_ordinary_statute=ordinary_statute)
    if region:
        queryset = queryset.filter(region__code=region)
    return queryset


@router.get("/provinces/{sigla}", response=ProvinceOut, auth=None, summary="One province, by sigla")
def get_province(request, sigla: str):
    return get_object_or_404(provinces_queryset(), sigla=sigla.upper())


@router.get(
    "/provinces/{sigla}/boundary",
    response=FeatureCollectionOut,
    auth=None,
    summary="Outline of a province (and of its comuni), GeoJSON",
    description=(
        "A GeoJSON FeatureCollection (`application/geo+json`), WGS84, simplified: the province outline "
        "(`kind: province`) and, with `municipalities=true`, the outline of each current comune "
        f"(`kind: municipality`, `istat_code`, `name`). Attribution: {boundaries.ATTRIBUTION}."
    ),
)
def get_province_boundary(request, sigla: str, municipalities: bool = False):
    province = get_object_or_404(Province, sigla=sigla.upper())
    codes = None
    if municipalities:
        codes = set(province.municipalities.current().values_list("istat_code", flat=True))
    body = json.dumps(
        boundaries.province_collection(province, codes), ensure_ascii=False, separators=(",", ":")
    )
    return HttpResponse(body, content_type=boundaries.GEOJSON_CONTENT_TYPE)


def municipalities_queryset():
    return Municipality.objects.select_related("province__region", "successor")


@router.get("/municipalities", response=list[MunicipalityOut], auth=None, summary="Comuni")
@paginate
def list_municipalities(
    request,
    province: str | None = Query(None, pattern=r"^[A-Za-z]{2}$", description="Sigla of the province"),
    q: str | None = Query(None, max_length=100, description="Start of the name; case and accents ignored"),
    population_min: int | None = Query(None, ge=0),
    population_max: int | None = Query(None, ge=0),
    include_retired: bool = Query(False, description="Also comuni that no longer exist"),
):
    queryset = municipalities_queryset().order_by("name", "istat_code")
    if not include_retired:
        queryset = queryset.current()
    if province:
        queryset = queryset.filter(province__sigla=province.upper())
    if q:
        queryset = queryset.search(q)
    if population_min is not None:
        queryset = queryset.filter(population__gte=population_min)
    if population_max is not None:
        queryset = queryset.filter(population__lte=population_max)
    return queryset


@router.get("/municipalities/{istat_code}", response=MunicipalityOut, auth=None, summary="One comune")
def get_municipality(request, istat_code: str):
    return get_object_or_404(municipalities_queryset(), istat_code=istat_code)
