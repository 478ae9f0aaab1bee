"""API of the SUA's procedures: GET/POST /api/v1/procurement/procedures, detail, actions; tenancy."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casacomuni.procurement.procedures import services as ps
from casacomuni.procurement.procedures.models import Procedure
from casacomuni.procurement.rules import procedure_lifecycle as life
from casacomuni.procurement.testing import add_procedures, make_accepted_request, make_procedure, sua_officer

pytestmark = pytest.mark.django_db

URL = "/api/v1/procurement/procedures"
PROBLEM = "application/problem+json"


def test_create_from_an_accepted_request_then_publish(client, world, as_persona):
    request = make_accepted_request(world.home, world.home.comune)
    headers = as_persona("funzionario_sua")
    response = client.post(URL, {"requests": [request.pk]}, content_type="application/json", headers=headers)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["state"] == "draft" and data["lots"][0]["request_id"] == request.pk
    assert data["procedure_type"] == "negotiated_below_threshold"  # works of 150.000: art. 50 c.1 lett. c
    # No CIG, no deadline: publishing is refused with the reasons, nothing changes.
    refused = client.post(
        f"{URL}/{data['id']}/actions/publish", content_type="application/json", headers=headers
    )
    assert refused.status_code == 400 and refused["Content-Type"] == PROBLEM
    assert "CIG" in refused.json()["detail"]
    assert Procedure.objects.get().state == life.DRAFT


def test_in_a_joint_procedure_a_comune_reads_only_its_own_lot(client, world, as_persona):
    """The list's buyers and the detail's lots of a procedure shared by two buyers: the Comune's own only."""
    side = world.home
    requests = [make_accepted_request(side, party).pk for party in (side.comune, side.union)]
    procedure = ps.create_procedure(sua_officer(side), requests)
    headers = as_persona("referente_comune")
    (listed,) = client.get(URL, headers=headers).json()["items"]
    assert [buyer["id"] for buyer in listed["buyers"]] == [side.comune.pk]
    lots = client.get(f"{URL}/{procedure.pk}", headers=headers).json()["lots"]
    assert [lot["municipality"]["id"] for lot in lots] == [side.comune.pk]
    sua_lots = client.get(f"{URL}/{procedure.pk}", headers=as_persona("funzionario_sua")).json()["lots"]
    assert sorted(lot["municipality"]["id"] for lot in sua_lots) == sorted([side.comune.pk, side.union.pk])


def test_the_list_searches_words_of_the_object(client, world, as_persona):
    school = make_procedure(world.home, world, title="Manutenzione straordinaria della scuola primaria")
    make_procedure(world.home, world, title="Rifacimento della segnaletica stradale")
    headers = as_persona("funzionario_sua")
    items = client.get(URL, {"q": "primaria manutenzione"}, headers=headers).json()["items"]
    assert [item["id"] for item in items] == [school.pk]
    too_long = client.get(URL, {"q": "x" * 201}, headers=headers)
    assert too_long.status_code == 400 and too_long["Content-Type"] == PROBLEM


def test_bad_input_is_a_400_and_writes_nothing(client, world, as_persona):
    headers = as_persona("funzionario_sua")
    for payload in ({"requests": []}, {"requests": ["x"]}, {"requests": [999999]}):
        response = client.post(URL, payload, content_type="application/json", headers=headers)
        assert response.status_code == 400, payload
        assert response["Content-Type"] == PROBLEM
    foreign = make_accepted_request(world.elsewhere, world.elsewhere.comune)
    response = client.post(URL, {"requests": [foreign.pk]}, content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert not Procedure.objects.exists()


def test_roles_and_tenants(client, world, as_persona):
    home = add_procedures(world.home, world)
    other = add_procedures(world.elsewhere, world)
    sua = as_persona("funzionario_sua")
    assert client.get(f"{URL}/{other['procedure'].pk}", headers=sua).status_code == 404
    ids = [row["id"] for row in client.get(URL, headers=sua).json()["items"]]
    assert home["procedure"].pk in ids and other["procedure"].pk not in ids
    detail = client.get(f"{URL}/{home['procedure'].pk}", headers=sua).json()
    assert len(detail["lots"][0]["bids"]) == 5
    assert detail["lots"][0]["savings"] == "22500.00"  # 150.000,00 − 127.500,00 (15 % discount)
    assert [step["code"] for step in detail["timeline"]][:4] == [
        "submitted",
        "accepted",
        "created",
        "published",
    ]
    comune = as_persona("referente_comune")
    seen = client.get(f"{URL}/{home['procedure'].pk}", headers=comune)
    assert seen.status_code == 200 and seen.json()["lots"][0]["bids"] is None
    assert (
        client.post(
            f"{URL}/{home['draft_procedure'].pk}/actions/cancel",
            {"reason": "x"},
            content_type="application/json",
            headers=comune,
        ).status_code
        == 403
    )
    for persona in ("operatore_economico", "funzionario_europa", "dirigente_upi"):
        assert client.get(URL, headers=as_persona(persona)).status_code == 403, persona
        assert client.get(f"{URL}/{home['procedure'].pk}", headers=as_persona(persona)).status_code == 403
    assert (
        client.post(URL, {"requests": [1]}, content_type="application/json", headers=comune).status_code
        == 403
    )


def test_filters_and_cancel_with_reason(client, world, as_persona):
    draft = make_procedure(world.home, world, state="draft")
    headers = as_persona("funzionario_sua")
    istat = world.home.comune.municipality.istat_code
    assert client.get(f"{URL}?state=draft&municipality={istat}", headers=headers).json()["count"] == 1
    assert client.get(f"{URL}?state=awarded", headers=headers).json()["count"] == 0
    assert client.get(f"{URL}?kind=supplies", headers=headers).json()["count"] == 0
    no_reason = client.post(
        f"{URL}/{draft.pk}/actions/cancel", {"reason": ""}, content_type="application/json", headers=headers
    )
    assert no_reason.status_code == 400
    done = client.post(
        f"{URL}/{draft.pk}/actions/cancel",
        {"reason": "Finanziamento revocato."},
        content_type="application/json",
        headers=headers,
    )
    assert done.status_code == 200 and done.json()["state"] == "cancelled"
    assert client.post(
        f"{URL}/{draft.pk}/actions/teleport", content_type="application/json", headers=headers
    ).status_code in (400, 422)


def test_list_queries_do_not_grow(client, world, as_persona):
    headers = as_persona("funzionario_sua")
    make_procedure(world.home, world, state="draft")
    client.get(URL, headers=headers)
    with CaptureQueriesContext(connection) as one:
        client.get(URL, headers=headers)
    for party in (world.home.sibling_comune, world.home.union):
        make_procedure(world.home, world, state="draft", party=party)
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL, headers=headers).json()["count"] == 3
    assert len(many) == len(one)
