"""API of the procurement requests: GET/POST /api/v1/procurement/requests, detail, attachments."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casacomuni.procurement.requests.models import ProcurementRequest, RequestAttachment
from casacomuni.procurement.testing import PDF, make_request, sua_adhesion

pytestmark = pytest.mark.django_db

URL = "/api/v1/procurement/requests"
PROBLEM = "application/problem+json"


@pytest.fixture
def joined(world):
    return sua_adhesion(world.home, world.home.comune)


def body(**extra):
    data = {
        "title": "Manutenzione strade comunali",
        "description": "Rifacimento del manto stradale.",
        "contract_kind": "works",
        "cpv_code": "45233142",
        "base_amount": "150000.00",
        "options_amount": "0",
        "cup": "G59F19000090007",
        "pnrr": True,
        "funding_source": "pnrr",
        "rup_name": "Luca Bianchi",
    }
    return data | extra


def test_a_comune_creates_a_request_and_reads_the_router_verdict(client, world, joined, as_persona):
    headers = as_persona("referente_comune")
    response = client.post(URL, body(), content_type="application/json", headers=headers)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["state"] == "submitted"
    assert created["cup"] == "G59F19000090007"
    assert created["province"]["id"] == world.home.province_org.pk
    answers = {a["name"]: a for a in created["route_verdict"]["answers"]}
    assert answers["min_operators"]["value"] == 5  # works of 150,000.00: art. 50 c.1 lett. c
    detail = client.get(f"{URL}/{created['id']}", headers=headers).json()
    assert detail["route_verdict"] == created["route_verdict"]
    listed = client.get(URL, headers=as_persona("funzionario_sua")).json()
    assert [item["id"] for item in listed["items"]] == [created["id"]]


def test_without_an_adhesion_the_api_answers_403_and_writes_nothing(client, world, as_persona):
    response = client.post(
        URL, body(), content_type="application/json", headers=as_persona("referente_comune")
    )
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert "non ha una convenzione in vigore" in response.json()["detail"]
    assert not ProcurementRequest.objects.exists()


def test_the_sua_cannot_submit_and_bad_codes_are_400(client, world, joined, as_persona):
    response = client.post(
        URL, body(), content_type="application/json", headers=as_persona("funzionario_sua")
    )
    assert response.status_code == 403
    response = client.post(
        URL,
        body(cpv_code="99999999", base_amount="-1"),
        content_type="application/json",
        headers=as_persona("referente_comune"),
    )
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    response = client.post(
        URL,
        body(cpv_code="99999999"),
        content_type="application/json",
        headers=as_persona("referente_comune"),
    )
    assert response.status_code == 400
    assert not ProcurementRequest.objects.exists()


def test_another_tenant_gets_404_and_filters_apply(client, world, joined, as_persona):
    sua_adhesion(world.home, world.home.union)
    mine = make_request(world.home.comune)
    make_request(world.home.union, title="Servizio mensa")
    assert client.get(f"{URL}/{mine.pk}", headers=as_persona("referente_unione")).status_code == 404
    assert client.get(f"{URL}/{mine.pk}", headers=as_persona("operatore_economico")).status_code == 403
    sua = as_persona("funzionario_sua")
    istat = world.home.comune.municipality.istat_code
    items = client.get(URL, {"municipality": istat}, headers=sua).json()["items"]
    assert [item["id"] for item in items] == [mine.pk]
    assert client.get(URL, {"state": "accepted"}, headers=sua).json()["count"] == 0


def test_attachments_are_uploaded_as_multipart_and_checked(client, world, joined, as_persona):
    request = make_request(world.home.comune)
    headers = as_persona("referente_comune")
    url = f"{URL}/{request.pk}/attachments"
    response = client.post(
        url, {"kind": "project", "file": SimpleUploadedFile("progetto.pdf", PDF)}, headers=headers
    )
    assert response.status_code == 201, response.content
    assert response.json()[0]["original_name"] == "progetto.pdf"
    response = client.post(
        url, {"kind": "project", "file": SimpleUploadedFile("progetto.pdf", b"GIF89a")}, headers=headers
    )
    assert response.status_code == 400
    response = client.post(
        url,
        {"kind": "project", "file": SimpleUploadedFile("progetto.pdf", PDF)},
        headers=as_persona("referente_unione"),
    )
    assert response.status_code == 404
    assert RequestAttachment.objects.count() == 1


def act(client, request_id, headers, **payload):
    return client.post(
        f"{URL}/{request_id}/actions", payload, content_type="application/json", headers=headers
    )


def test_the_sua_asks_for_changes_the_comune_resubmits_and_the_sua_accepts(client, world, joined, as_persona):
    submitted = make_request(world.home.comune)
    sua, comune = as_persona("funzionario_sua"), as_persona("referente_comune")
    reason = "Allegare il progetto esecutivo validato."
    response = act(client, submitted.pk, sua, action="ask_changes", reason=reason)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "changes_requested"
    assert response.json()["answer"] == reason
    assert response.json()["allowed_actions"] == ["reject"]  # the SUA's only move until the Comune's
    assert client.get(f"{URL}/{submitted.pk}", headers=comune).json()["allowed_actions"] == [
        "resubmit",
        "withdraw",
    ]
    # Works of 150,000.00: negotiated procedure consulting at least 5 operators (art. 50 c.1 lett. c); raised
    # to 1,200,000.00 (from 1 million up to the EU threshold) at least 10 (lett. d). The verdict is taken
    # again on the new amount.
    response = client.put(
        f"{URL}/{submitted.pk}",
        body(base_amount="1200000.00", title="Manutenzione strade comunali, lotto unico"),
        content_type="application/json",
        headers=comune,
    )
    assert response.status_code == 200, response.content
    resubmitted = response.json()
    assert resubmitted["state"] == "submitted"
    assert resubmitted["total_amount"] == "1200000.00"
    answers = {a["name"]: a for a in resubmitted["route_verdict"]["answers"]}
    assert answers["min_operators"]["value"] == 10
    response = act(client, submitted.pk, sua, action="accept")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "accepted"
    assert response.json()["allowed_actions"] == []


def test_reasons_are_required_to_ask_for_changes_and_to_reject(client, world, joined, as_persona):
    submitted = make_request(world.home.comune)
    sua = as_persona("funzionario_sua")
    for action in ("ask_changes", "reject"):
        response = act(client, submitted.pk, sua, action=action, reason="   ")
        assert response.status_code == 400, action
        assert response["Content-Type"] == PROBLEM
    response = act(client, submitted.pk, sua, action="reject", reason="Importo non coperto da impegno.")
    assert response.status_code == 200
    assert response.json()["state"] == "rejected"
    assert response.json()["answer"] == "Importo non coperto da impegno."


def test_a_role_that_may_not_act_gets_403_and_the_state_stays(client, world, joined, as_persona):
    submitted = make_request(world.home.comune)
    comune, sua = as_persona("referente_comune"), as_persona("funzionario_sua")
    refused = [
        (comune, "accept"),
        (comune, "reject"),
        (sua, "withdraw"),
        (as_persona("funzionario_europa"), "accept"),
        (as_persona("operatore_economico"), "withdraw"),
    ]
    for headers, action in refused:
        response = act(client, submitted.pk, headers, action=action, reason="Motivi")
        assert response.status_code == 403, action
        assert response["Content-Type"] == PROBLEM
    response = client.put(f"{URL}/{submitted.pk}", body(), content_type="application/json", headers=sua)
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == "submitted" and submitted.answer == ""


def test_another_tenants_request_is_404_for_actions_and_resubmission(client, world, joined, as_persona):
    sua_adhesion(world.home, world.home.union)
    theirs = make_request(world.home.union)
    neighbour = as_persona("referente_comune")  # the Unione's request, read by another Comune
    assert act(client, theirs.pk, neighbour, action="withdraw").status_code == 404
    response = client.put(f"{URL}/{theirs.pk}", body(), content_type="application/json", headers=neighbour)
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    theirs.refresh_from_db()
    assert theirs.state == "submitted"


def test_an_action_the_state_does_not_allow_is_a_409_and_bad_data_a_400(client, world, joined, as_persona):
    submitted = make_request(world.home.comune)
    comune, sua = as_persona("referente_comune"), as_persona("funzionario_sua")
    # Resubmitting needs the SUA to have asked for changes first: a conflict, even with valid data.
    response = client.put(f"{URL}/{submitted.pk}", body(), content_type="application/json", headers=comune)
    assert response.status_code == 409
    assert response["Content-Type"] == PROBLEM
    assert act(client, submitted.pk, comune, action="withdraw").status_code == 200
    for action in ("accept", "ask_changes", "reject"):
        response = act(client, submitted.pk, sua, action=action, reason="Motivi")
        assert response.status_code == 409, action
        assert response["Content-Type"] == PROBLEM
        assert "ritirata" in response.json()["detail"]  # "This request is withdrawn." in Italian
    assert act(client, submitted.pk, comune, action="withdraw").status_code == 409
    # An unknown action, or a wrong CPV on resubmission, is invalid data: 400.
    assert act(client, submitted.pk, sua, action="approve").status_code == 400
    other = make_request(world.home.comune, title="Fornitura arredi scolastici")
    act(client, other.pk, sua, action="ask_changes", reason="Precisare il CPV.")
    response = client.put(
        f"{URL}/{other.pk}", body(cpv_code="99999999"), content_type="application/json", headers=comune
    )
    assert response.status_code == 400
    other.refresh_from_db()
    assert other.state == "changes_requested" and other.title == "Fornitura arredi scolastici"
