"""API of the operators' register: GET /api/v1/operators and /api/v1/operators/{id}."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casacomuni.accounts.models import ApiToken, hash_token
from casacomuni.procurement.register_models import RegistrationState
from casacomuni.procurement.testing import make_operator_document, make_registration

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def as_persona(world):
    def headers(name: str) -> dict:
        raw = ApiToken.generate()
        ApiToken.objects.create(membership=world.memberships[name], name="test", token_hash=hash_token(raw))
        return {"Authorization": f"Bearer {raw}"}

    return headers


@pytest.fixture
def albo(world):
    """The home albo: the world's operator approved with a DURC, the other operator pending; one entry in
    the other Province's albo."""
    approved = make_registration(world.home.province_org, world.operator)
    make_operator_document(approved)
    pending = make_registration(
        world.home.province_org, world.other_operator, state=RegistrationState.PENDING
    )
    foreign = make_registration(world.elsewhere.province_org)
    return approved, pending, foreign


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def test_the_sua_lists_its_albo_with_filters(client, world, albo, as_persona):
    approved, pending, _ = albo
    headers = as_persona("funzionario_sua")
    assert sorted(ids(client.get("/api/v1/operators", headers=headers))) == sorted([approved.pk, pending.pk])
    assert ids(client.get("/api/v1/operators?state=pending", headers=headers)) == [pending.pk]
    assert ids(client.get("/api/v1/operators?category=OG1", headers=headers)) != []
    assert ids(client.get("/api/v1/operators?category=OS35", headers=headers)) == []
    foreign_filter = f"/api/v1/operators?province={world.elsewhere.province_org.pk}"
    assert ids(client.get(foreign_filter, headers=headers)) == []


def test_an_entry_of_another_province_is_a_problem_404(client, albo, as_persona):
    _, _, foreign = albo
    response = client.get(f"/api/v1/operators/{foreign.pk}", headers=as_persona("funzionario_sua"))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")


def test_the_operator_sees_its_entry_with_documents(client, albo, as_persona):
    approved, _, _ = albo
    headers = as_persona("operatore_economico")
    assert ids(client.get("/api/v1/operators", headers=headers)) == [approved.pk]
    detail = client.get(f"/api/v1/operators/{approved.pk}", headers=headers).json()
    assert detail["has_valid_durc"] is True
    assert [d["kind"] for d in detail["documents"]] == ["durc"]
    assert {c["code"] for c in detail["categories"]} == {"90911", "OG1"}


def test_a_comune_sees_approved_operators_without_documents(client, albo, as_persona):
    approved, pending, _ = albo
    headers = as_persona("referente_comune")
    assert ids(client.get("/api/v1/operators", headers=headers)) == [approved.pk]
    detail = client.get(f"/api/v1/operators/{approved.pk}", headers=headers).json()
    assert detail["documents"] is None and detail["decisions"] is None and detail["reason"] is None
    assert client.get(f"/api/v1/operators/{pending.pk}", headers=headers).status_code == 404


def test_upi_and_other_province_officers_are_refused(client, albo, as_persona):
    for persona in ("dirigente_upi", "funzionario_europa"):
        response = client.get("/api/v1/operators", headers=as_persona(persona))
        assert response.status_code == 403
        assert response["Content-Type"].startswith("application/problem+json")


def test_an_expired_durc_shows_in_the_api(client, world, as_persona):
    entry = make_registration(world.home.province_org, world.operator)
    make_operator_document(entry, expires_on=timezone.localdate() - timedelta(days=1))
    response = client.get("/api/v1/operators", headers=as_persona("funzionario_sua"))
    assert response.json()["items"][0]["has_valid_durc"] is False


def test_the_list_takes_the_same_queries_whatever_the_number_of_entries(client, world, as_persona):
    headers = as_persona("funzionario_sua")
    make_registration(world.home.province_org)
    client.get("/api/v1/operators", headers=headers)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/operators", headers=headers)
    for _ in range(10):
        make_registration(world.home.province_org)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/v1/operators", headers=headers)
    assert response.json()["count"] == 11
    assert len(many) == len(few)
