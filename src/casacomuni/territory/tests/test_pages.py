"""The public territory pages: regions, a region, a province with its map, a comune, the search."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casacomuni.territory.models import Municipality, Province, Region

pytestmark = pytest.mark.usefixtures("italy")


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_regions_page_lists_the_20_regions_without_logging_in(client):
    response = client.get(reverse("territory:regions"))
    assert response.status_code == 200
    assert response.content.decode().count('href="/territorio/regione/') == 20


def test_a_region_page_lists_its_provinces(client):
    response = client.get(reverse("territory:region", args=["10"]))
    assert response.status_code == 200
    assert {"Perugia", "Terni"} <= set(
        re.findall(r'provincia/[A-Z]{2}/">([^<]+)<', response.content.decode())
    )


def test_the_province_page_shows_data_comuni_and_an_attributed_accessible_map(client):
    response = client.get(reverse("territory:province", args=["pg"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Perugia" in html and "ISTAT, Openpolis — CC BY 4.0" in html
    assert 'data-outline-url="/territorio/provincia/PG/confini.geojson"' in html
    assert 'data-municipalities-url="/territorio/provincia/PG/comuni.geojson"' in html
    assert re.search(r'data-territory-map[^>]*aria-label="[^"]+"', html, re.S)
    assert "territory/map.js" in html and "vendor/leaflet/leaflet.js" in html
    assert "<script>" not in html and ' style="' not in html
    # 59 comuni (ISTAT list, December 2024): 50 on the first page, 9 on the second.
    assert response.context["page_obj"].paginator.count == 59
    assert len(response.context["page_obj"]) == 50
    assert len(client.get(reverse("territory:province", args=["PG"]) + "?page=2").context["page_obj"]) == 9


def test_the_map_reads_the_outlines_of_the_province_and_of_its_current_comuni(client):
    Municipality.objects.filter(istat_code="054013").update(valid_to="2025-01-01")
    outline = client.get(reverse("territory:province_boundary", args=["PG"]))
    comuni = client.get(reverse("territory:province_municipalities_boundary", args=["PG"]))
    assert outline["Content-Type"] == comuni["Content-Type"] == "application/geo+json"
    assert [f["properties"]["sigla"] for f in outline.json()["features"]] == ["PG"]
    codes = {f["properties"]["istat_code"] for f in comuni.json()["features"]}
    # 59 comuni in the ISTAT list, all with a 2023 outline; Città di Castello was just retired.
    assert len(codes) == 58 and "054013" not in codes
    assert comuni.json()["attribution"] == "ISTAT, Openpolis — CC BY 4.0"


def test_the_municipality_page_shows_population_with_its_year(client):
    response = client.get(reverse("territory:municipality", args=["054039"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "161.748" in html and "2023" in html and "G478" in html


def test_a_retired_comune_shows_its_successor_and_the_successor_its_history(client):
    old, new = Municipality.objects.filter(province__sigla="TV").order_by("istat_code")[:2]
    Municipality.objects.filter(pk=old.pk).update(valid_to="2025-01-01", successor=new)
    old_html = client.get(reverse("territory:municipality", args=[old.istat_code])).content.decode()
    new_html = client.get(reverse("territory:municipality", args=[new.istat_code])).content.decode()
    assert reverse("territory:municipality", args=[new.istat_code]) in old_html
    assert reverse("territory:municipality", args=[old.istat_code]) in new_html


def test_search_finds_a_comune_ignoring_accents(client):
    response = client.get(reverse("territory:search"), {"q": "citta di ca"})
    assert response.status_code == 200
    assert [m.name for m in response.context["page_obj"]] == ["Città di Castello"]
    assert "Città di Castello" in response.content.decode()


def test_the_next_page_of_a_search_keeps_the_query(client):
    response = client.get(reverse("territory:search"), {"q": "san"})
    assert response.context["page_obj"].has_next()
    assert 'href="?q=san&amp;page=2"' in response.content.decode()


def test_search_finds_a_comune_by_its_other_language_name(client):
    response = client.get(reverse("territory:search"), {"q": "Bozen"})
    assert [m.istat_code for m in response.context["page_obj"]] == ["021008"]


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("territory:region", ["99"]),
        ("territory:province", ["XX"]),
        ("territory:province_boundary", ["XX"]),
        ("territory:province_municipalities_boundary", ["XX"]),
        ("territory:municipality", ["000000"]),
    ],
)
def test_unknown_codes_are_404(client, name, args):
    assert client.get(reverse(name, args=args)).status_code == 404


def test_query_count_of_the_regions_page_does_not_grow_with_the_regions(client):
    many = queries_for(client, reverse("territory:regions"))
    Municipality.objects.exclude(province__region__code="10").delete()
    Province.objects.exclude(region__code="10").delete()
    Region.objects.exclude(code="10").delete()
    assert queries_for(client, reverse("territory:regions")) == many


def test_query_count_of_a_region_page_does_not_grow_with_its_provinces(client):
    # Molise has 2 provinces, Lombardia 12 (ISTAT list, December 2024).
    few = queries_for(client, reverse("territory:region", args=["14"]))
    assert queries_for(client, reverse("territory:region", args=["03"])) == few


def test_query_count_of_a_province_page_does_not_grow_with_its_comuni(client):
    # Trieste has 6 comuni, Torino 312; and a comune with predecessors changes nothing either.
    few = queries_for(client, reverse("territory:province", args=["TS"]))
    Municipality.objects.filter(province__sigla="TO", istat_code__lt="001010").update(valid_to="2025-01-01")
    assert queries_for(client, reverse("territory:province", args=["TO"])) == few


def test_query_count_of_the_search_does_not_grow_with_the_results(client):
    few = queries_for(client, reverse("territory:search") + "?q=citta+di+ca")
    assert queries_for(client, reverse("territory:search") + "?q=san") == few


def test_query_count_of_api_lists_does_not_grow_with_the_rows(client):
    few = queries_for(client, "/api/v1/territory/municipalities?province=TS")
    assert queries_for(client, "/api/v1/territory/municipalities?limit=500") == few
    few = queries_for(client, "/api/v1/territory/provinces?region=10")
    assert queries_for(client, "/api/v1/territory/provinces?limit=200") == few


def test_the_outlines_of_all_provinces_come_in_one_file_with_their_attribution(client):
    response = client.get(reverse("territory:provinces_boundary"))
    assert response["Content-Type"] == "application/geo+json"
    collection = response.json()
    # ISTAT 2023: 107 supra-municipal units, each with its outline.
    assert len(collection["features"]) == 107
    assert {"TV", "PG", "BS"} <= {feature["properties"]["sigla"] for feature in collection["features"]}
    assert collection["attribution"] == "ISTAT, Openpolis — CC BY 4.0"
