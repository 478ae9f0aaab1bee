"""GET /api/v1/insights/indicators: filters, pagination, tenancy, bad input."""

import pytest

from casacomuni.indicators.testing import YEARS, add_indicators

pytestmark = pytest.mark.django_db
URL = "/api/v1/insights/indicators"


@pytest.fixture
def data(world):
    return {"home": add_indicators(world.home, world), "elsewhere": add_indicators(world.elsewhere, world)}


def items(response):
    assert response.status_code == 200, response.content
    return response.json()


def test_a_province_reads_its_comuni_with_filters(login_as, data):
    client = login_as("funzionario_dati")
    body = items(client.get(URL, {"year": YEARS[-1]}))
    assert body["count"] == 4
    assert {item["municipality"] for item in body["items"]} == {"026001", "026002", "026003", "026004"}
    first = body["items"][0]
    assert (first["code"], first["province"], first["year"], first["value"]) == (
        "services_joined",
        "TV",
        YEARS[-1],
        "2.0000",
    )
    assert items(client.get(URL, {"municipality": "026003", "code": "services_joined"}))["count"] == 2
    assert items(client.get(URL, {"province": "pd"}))["count"] == 0  # another territory: nothing
    page = items(client.get(URL, {"limit": 3, "offset": 6}))
    assert (page["count"], len(page["items"])) == (8, 2)


def test_a_comune_reads_only_its_own_values(login_as, data):
    body = items(login_as("referente_comune").get(URL))
    assert {item["municipality"] for item in body["items"]} == {"026001"}
    assert items(login_as("referente_comune").get(URL, {"municipality": "026002"}))["count"] == 0


def test_a_unione_reads_its_members(login_as, data):
    body = items(login_as("referente_unione").get(URL, {"year": YEARS[-1]}))
    assert {item["municipality"] for item in body["items"]} == {"026003", "026004"}


def test_upi_reads_every_province(login_as, data):
    assert items(login_as("dirigente_upi").get(URL, {"year": YEARS[0]}))["count"] == 8


def test_an_operator_is_forbidden(login_as, data):
    response = login_as("operatore_economico").get(URL)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("query", [{"year": "abc"}, {"year": 1200}, {"limit": -1}])
def test_bad_filters_are_a_problem_not_an_error(login_as, data, query):
    response = login_as("funzionario_dati").get(URL, query)
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"


def test_anonymous_callers_are_refused(client, data):
    assert client.get(URL).status_code == 401
