"""API of the operators' register: reading (GET /api/v1/operators and /{id}) and writing (POST /operators,
/{id}/decisions, /{id}/documents)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casacomuni.audit.models import AuditEvent
from casacomuni.procurement.register.models import OperatorDocument, RegisteredOperator, RegistrationState
from casacomuni.procurement.testing import PDF, make_operator_document, make_registration, operator_data

pytestmark = pytest.mark.django_db


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


# --- Writes: POST /operators, /operators/{id}/decisions, /operators/{id}/documents ----------------------


def entry_payload(**fields) -> dict:
    return operator_data(cpv_codes=["90911"], soa_categories=["OG1 III"]) | fields


# Transactional: the e-mail task is enqueued once the application commits, and the worker runs it.
@pytest.mark.django_db(transaction=True)
def test_an_operator_applies_through_the_api_and_the_sua_is_told(client, world, as_persona):
    headers = as_persona("operatore_economico")
    payload = entry_payload(province=world.home.province_org.pk)
    response = client.post("/api/v1/operators", payload, content_type="application/json", headers=headers)
    call_command("db_worker", batch=True, verbosity=0)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "pending"
    assert body["province"]["id"] == world.home.province_org.pk
    assert {(c["code"], c["soa_class"]) for c in body["categories"]} == {("90911", ""), ("OG1", "III")}
    assert AuditEvent.objects.filter(action="registered_operator.apply").count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == [
        "amministratore_provincia@example.test",
        "funzionario_sua@example.test",
    ]


def test_the_sua_enters_an_operator_approved_at_once(client, world, as_persona):
    headers = as_persona("funzionario_sua")
    payload = entry_payload(name="Nuova Impresa S.r.l.", fiscal_code="02123450260")
    response = client.post("/api/v1/operators", payload, content_type="application/json", headers=headers)
    assert response.status_code == 201, response.content
    entry = RegisteredOperator.objects.get(pk=response.json()["id"])
    assert (entry.province, entry.state) == (world.home.province_org, "approved")
    assert entry.operator.fiscal_code == "02123450260"


def test_an_application_with_wrong_codes_is_refused_field_by_field_and_writes_nothing(
    client, world, as_persona
):
    headers = as_persona("operatore_economico")
    payload = entry_payload(
        province=world.home.province_org.pk,
        fiscal_code="00743110158",  # check digit wrong (the right one ends in 7)
        soa_categories=["OG99 III"],
        pec="not an address",
    )
    response = client.post("/api/v1/operators", payload, content_type="application/json", headers=headers)
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"fiscal_code", "soa_categories", "pec"} <= fields
    assert not RegisteredOperator.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="registered_operator").exists()


def test_a_comune_may_not_write_in_the_albo(client, world, albo, as_persona):
    approved, *_ = albo
    headers = as_persona("referente_comune")
    response = client.post(
        "/api/v1/operators", entry_payload(), content_type="application/json", headers=headers
    )
    assert response.status_code == 403
    decision = {"action": "suspend", "reason": "DURC irregolare"}
    url = f"/api/v1/operators/{approved.pk}/decisions"
    assert client.post(url, decision, content_type="application/json", headers=headers).status_code == 403


def test_the_sua_suspends_with_reasons_and_a_second_suspension_is_a_conflict(client, albo, as_persona):
    approved, *_ = albo
    headers = as_persona("funzionario_sua")
    url = f"/api/v1/operators/{approved.pk}/decisions"
    no_reason = client.post(url, {"action": "suspend"}, content_type="application/json", headers=headers)
    assert no_reason.status_code == 400
    approved.refresh_from_db()
    assert approved.state == "approved"
    decision = {"action": "suspend", "reason": "DURC irregolare"}
    response = client.post(url, decision, content_type="application/json", headers=headers)
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["reason"]) == ("suspended", "DURC irregolare")
    again = client.post(url, decision, content_type="application/json", headers=headers)
    assert again.status_code == 409


def test_the_sua_of_another_province_cannot_decide_on_this_albo(client, albo, as_persona):
    *_, foreign = albo
    headers = as_persona("funzionario_sua")
    url = f"/api/v1/operators/{foreign.pk}/decisions"
    response = client.post(url, {"action": "approve"}, content_type="application/json", headers=headers)
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.state == "approved"


def test_an_operator_adds_a_renewed_durc_with_its_expiry(client, world, albo, as_persona):
    approved, *_ = albo
    headers = as_persona("operatore_economico")
    expiry = (timezone.localdate() + timedelta(days=120)).isoformat()
    response = client.post(
        f"/api/v1/operators/{approved.pk}/documents",
        {"kind": "durc", "file": SimpleUploadedFile("durc-2027.pdf", PDF), "expires_on": expiry},
        headers=headers,
    )
    assert response.status_code == 201, response.content
    assert response.json()[0]["expires_on"] == expiry
    assert OperatorDocument.objects.filter(registration=approved, original_name="durc-2027.pdf").exists()


def test_a_durc_without_expiry_or_not_a_pdf_is_refused(client, albo, as_persona):
    approved, *_ = albo
    headers = as_persona("operatore_economico")
    url = f"/api/v1/operators/{approved.pk}/documents"
    before = OperatorDocument.objects.count()
    no_expiry = client.post(url, {"kind": "durc", "file": SimpleUploadedFile("d.pdf", PDF)}, headers=headers)
    assert no_expiry.status_code == 400
    assert "expires_on" in {error["field"] for error in no_expiry.json()["errors"]}
    fake = client.post(
        url,
        {
            "kind": "insurance",
            "file": SimpleUploadedFile("d.pdf", b"MZ not a pdf"),
            "expires_on": "2030-01-01",
        },
        headers=headers,
    )
    assert fake.status_code == 400
    assert OperatorDocument.objects.count() == before
