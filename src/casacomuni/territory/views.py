"""Public pages of the territory: reference data, readable without logging in."""

import json

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from casacomuni.territory import boundaries
from casacomuni.territory.models import Municipality, Province, Region

PAGE_SIZE = 50


def regions(request):
    context = {
        "regions": Region.objects.with_counts(),
        "ordinary_province_count": Province.objects.ordinary_statute().count(),
    }
    return render(request, "territory/regions.html", context)


def region(request, code: str):
    region = get_object_or_404(Region, code=code)
    provinces = region.provinces.with_totals().order_by("name")
    return render(request, "territory/region.html", {"region": region, "provinces": provinces})


def province(request, sigla: str):
    province = get_object_or_404(Province.objects.with_totals().select_related("region"), sigla=sigla.upper())
    current = province.municipalities.current()
    page = Paginator(current.order_by("name", "istat_code"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "province": province,
        "page_obj": page,
        "capoluoghi": current.filter(is_capoluogo=True).order_by("name"),
        "former": province.municipalities.filter(valid_to__isnull=False).order_by("name"),
        "outline_url": reverse("territory:province_boundary", args=[province.sigla]),
        "municipalities_url": reverse("territory:province_municipalities_boundary", args=[province.sigla]),
        "municipality_url_template": reverse("territory:municipality", kwargs={"istat_code": "000000"}),
        "attribution": boundaries.ATTRIBUTION,
    }
    return render(request, "territory/province.html", context)


def municipality(request, istat_code: str):
    municipality = get_object_or_404(
        Municipality.objects.select_related("province__region", "successor"), istat_code=istat_code
    )
    context = {"municipality": municipality, "predecessors": municipality.predecessors.order_by("name")}
    return render(request, "territory/municipality.html", context)


def search(request):
    query = request.GET.get("q", "").strip()[:100]
    results = (
        Municipality.objects.search(query).select_related("province").order_by("name", "istat_code")
        if query
        else Municipality.objects.none()
    )
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "territory/search.html", {"query": query, "page_obj": page})


def provinces_boundary(request):
    """The outlines of all Italy's provinces in one GeoJSON (national maps read it in one request)."""
    return _geojson(boundaries.all_provinces_collection())


def province_boundary(request, sigla: str):
    """The province outline, GeoJSON (the map of the province page reads it)."""
    province = get_object_or_404(Province, sigla=sigla.upper())
    return _geojson(boundaries.province_collection(province))


def province_municipalities_boundary(request, sigla: str):
    """The outlines of the province's current comuni, GeoJSON, without the province outline."""
    province = get_object_or_404(Province, sigla=sigla.upper())
    codes = set(province.municipalities.current().values_list("istat_code", flat=True))
    return _geojson(boundaries.municipalities_collection(province, codes))


def _geojson(collection: dict) -> HttpResponse:
    body = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, content_type=boundaries.GEOJSON_CONTENT_TYPE)
