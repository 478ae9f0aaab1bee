"""GET /api/v1/audit/events: the same scope and roles as the pages, as problem+json when refused."""

import pytest
from django.db import transaction

from casacomuni.accounts.models import ApiToken, hash_token
from casacomuni.audit.services import record_event

URL = "/api/v1/audit/events"


@pytest.fixture
def events(people):
    with transaction.atomic():
        return {
            "fiesole": record_event(people.actor("referente_fiesole"), "adhesion.create"),
            "pisa": record_event(people.actor("amministratore_pisa"), "membership.create"),
        }


def bearer(people, name) -> dict:
    raw = ApiToken.generate()
    ApiToken.objects.create(membership=people.memberships[name], name="test", token_hash=hash_token(raw))
    return {"Authorization": f"Bearer {raw}"}


def test_province_administrator_lists_only_its_territory(client, people, events):
    response = client.get(URL, headers=bearer(people, "amministratore_firenze"))

    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [events["fiesole"].pk]
    assert body["count"] == 1
    assert body["items"][0]["hash"] == events["fiesole"].hash


def test_comune_referent_gets_a_forbidden_problem(client, people, events):
    response = client.get(URL, headers=bearer(people, "referente_fiesole"))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_upi_administrator_filters_by_action(client, people, events):
    response = client.get(URL, {"action": "membership"}, headers=bearer(people, "dirigente_upi"))
    assert [item["id"] for item in response.json()["items"]] == [events["pisa"].pk]


def test_reversed_date_range_is_a_bad_request(client, people, events):
    response = client.get(
        URL, {"since": "2026-02-02", "until": "2026-02-01"}, headers=bearer(people, "dirigente_upi")
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
