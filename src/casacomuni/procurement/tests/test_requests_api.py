"""API of the procurement requests: GET/POST /api/v1/procurement/requests, detail, attachments."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casacomuni.accounts.models import ApiToken, hash_token
from casacomuni.procurement.models import ProcurementRequest, RequestAttachment
from casacomuni.procurement.testing import PDF, make_request, sua_adhesion

pytestmark = pytest.mark.django_db

URL = "/api/v1/procurement/requests"
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def as_persona(world):
    def headers(name: str) -> dict:
        raw = ApiToken.generate()
        ApiToken.objects.create(membership=world.memberships[name], name="test", token_hash=hash_token(raw))
        return {"Authorization": f"Bearer {raw}"}

    return headers


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
