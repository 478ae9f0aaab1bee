"""API: GET /api/v1/eufunds/calls (filters), /calls/{id}, /calls/{id}/eligibility, POST /imports."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casacomuni.eufunds import services
from casacomuni.eufunds.models import Call, ImportRun
from casacomuni.eufunds.testing import aware, manual_call_data, officer, sample, under_5000

pytestmark = pytest.mark.django_db

URL = "/api/v1/eufunds"
PROBLEM = "application/problem+json"


@pytest.fixture
def catalogue(world):
    services.import_calls(
        officer(world.home), "sedia", sample("sedia_search_page.json"), now=aware(2026, 6, 1)
    )
    own = services.save_manual_call(officer(world.home), manual_call_data(title="Avviso TV"))
    under_5000(officer(world.home), own)
    foreign = services.save_manual_call(officer(world.elsewhere), manual_call_data(title="Avviso PD"))
    return own, foreign


def test_list_and_filters(client, world, catalogue, as_persona):
    own, foreign = catalogue
    headers = as_persona("referente_comune")
    body = client.get(f"{URL}/calls", headers=headers).json()
    assert body["count"] == 9 and foreign.pk not in {c["id"] for c in body["items"]}
    assert body["items"][0].keys() >= {"id", "title", "status", "deadline", "second_deadline", "programme"}
    closed = client.get(f"{URL}/calls", {"status": "closed"}, headers=headers).json()
    assert {c["source_id"] for c in closed["items"]} == {
        "HORIZON-CL2-2024-TRANSFORMATIONS-01-08",
        "HORIZON-INFRA-2024-EOSC-01-03",
    }
    q = client.get(f"{URL}/calls", {"q": "Avviso TV"}, headers=headers).json()
    assert [c["id"] for c in q["items"]] == [own.pk]
    programme = client.get(f"{URL}/calls", {"programme": "PNRR M2C4"}, headers=headers).json()
    assert [c["province"] for c in programme["items"]] == ["TV"]
    page = client.get(f"{URL}/calls", {"limit": 2, "offset": 2}, headers=headers).json()
    assert len(page["items"]) == 2 and page["count"] == 9


def test_eligible_for_an_istat_code(client, world, catalogue, as_persona):
    own, _ = catalogue
    headers = as_persona("funzionario_europa")
    capoluogo, borgo = world.home.municipalities[:2]
    small = client.get(f"{URL}/calls", {"eligible_for": borgo.istat_code}, headers=headers).json()
    verdicts = {c["id"]: c["verdict"] for c in small["items"]}
    assert verdicts[own.pk] == "eligible" and small["count"] == 9
    big = client.get(f"{URL}/calls", {"eligible_for": capoluogo.istat_code}, headers=headers).json()
    assert own.pk not in {c["id"] for c in big["items"]} and big["count"] == 8
    unknown = client.get(f"{URL}/calls", {"eligible_for": "999999"}, headers=headers)
    assert unknown.status_code == 400 and unknown["Content-Type"] == PROBLEM
    bad_status = client.get(f"{URL}/calls", {"status": "maybe"}, headers=headers)
    assert bad_status.status_code == 400


def test_detail_with_criteria_and_404_for_another_provinces_call(client, world, catalogue, as_persona):
    own, foreign = catalogue
    headers = as_persona("personale_comune")
    detail = client.get(f"{URL}/calls/{own.pk}", headers=headers).json()
    assert detail["criteria"][0]["value"] == {"limit": 5000, "inclusive": False}
    assert detail["criteria"][0]["derived"] is False
    assert client.get(f"{URL}/calls/{foreign.pk}", headers=headers).status_code == 404
    assert client.get(f"{URL}/calls/{foreign.pk}", headers=as_persona("dirigente_upi")).status_code == 200
    assert client.get(f"{URL}/calls", headers=as_persona("funzionario_sua")).status_code == 403
    assert client.get(f"{URL}/calls").status_code == 401


def test_eligibility_per_role(client, world, catalogue, as_persona):
    own, _ = catalogue
    shared = Call.objects.get(source_id="HORIZON-CL3-2026-02-CS-ECCC-01")
    under_5000(officer(world.home), shared)
    office = as_persona("funzionario_europa")
    body = client.get(f"{URL}/calls/{shared.pk}/eligibility", headers=office).json()
    assert body["province"] == "TV" and body["count"] == 4
    outcomes = {row["istat_code"]: row["verdict"] for row in body["items"]}
    assert outcomes == {
        "026001": "not_eligible",
        "026002": "eligible",
        "026003": "eligible",
        "026004": "eligible",
    }
    assert body["items"][0]["reasons"][0]["message"]
    assert (
        client.get(f"{URL}/calls/{shared.pk}/eligibility", {"province": "PD"}, headers=office).status_code
        == 403
    )

    comune = client.get(f"{URL}/calls/{shared.pk}/eligibility", headers=as_persona("referente_comune")).json()
    assert [row["istat_code"] for row in comune["items"]] == ["026001"]
    other = client.get(
        f"{URL}/calls/{shared.pk}/eligibility", {"province": "PD"}, headers=as_persona("referente_comune")
    )
    assert other.status_code == 403

    upi = as_persona("dirigente_upi")
    assert client.get(f"{URL}/calls/{shared.pk}/eligibility", headers=upi).status_code == 400
    pd = client.get(f"{URL}/calls/{shared.pk}/eligibility", {"province": "pd"}, headers=upi).json()
    assert {row["istat_code"] for row in pd["items"]} == {
        m.istat_code for m in world.elsewhere.municipalities
    }


def test_import_by_upload(client, world, as_persona):
    office = as_persona("funzionario_europa")
    upload = SimpleUploadedFile("incentivi.json", sample("incentivi_sample.json"))
    response = client.post(f"{URL}/imports", {"source": "incentivi", "file": upload}, headers=office)
    assert response.status_code == 201
    body = response.json()
    assert (body["created"], body["bad"], body["origin"]) == (13, 0, "incentivi.json")
    again = client.post(
        f"{URL}/imports",
        {"source": "incentivi", "file": SimpleUploadedFile("i.json", sample("incentivi_sample.json"))},
        headers=office,
    ).json()
    assert (again["created"], again["unchanged"]) == (0, 13)


def test_import_refusals(client, world, as_persona):
    office = as_persona("funzionario_europa")
    bad = client.post(
        f"{URL}/imports", {"source": "sedia", "file": SimpleUploadedFile("x.json", b"nope")}, headers=office
    )
    assert bad.status_code == 400 and bad["Content-Type"] == PROBLEM
    wrong = client.post(
        f"{URL}/imports", {"source": "ted", "file": SimpleUploadedFile("x.json", b"{}")}, headers=office
    )
    assert wrong.status_code == 400
    missing = client.post(f"{URL}/imports", {"source": "sedia"}, headers=office)
    assert missing.status_code == 400
    for persona in ("referente_comune", "funzionario_sua"):
        upload = SimpleUploadedFile("s.json", sample("sedia_search_page.json"))
        refused = client.post(
            f"{URL}/imports", {"source": "sedia", "file": upload}, headers=as_persona(persona)
        )
        assert refused.status_code == 403, persona
    assert not ImportRun.objects.exists() and not Call.objects.exists()


def test_upi_imports_into_the_national_catalogue(client, world, as_persona):
    upload = SimpleUploadedFile("s.json", sample("sedia_search_page.json"))
    response = client.post(
        f"{URL}/imports", {"source": "sedia", "file": upload}, headers=as_persona("dirigente_upi")
    )
    assert response.status_code == 201 and response.json()["created"] == 8
    assert not Call.objects.filter(province__isnull=False).exists()
