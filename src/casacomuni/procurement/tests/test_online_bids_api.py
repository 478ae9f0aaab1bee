"""The online bids' API (/api/v1/procurement/bidding, issue 13 point 6): an operator's software takes a bid
through to its receipt; a late one is refused in Italian and changes nothing; an operator reaches only the
lots open to it and its own bids; the SUA follows its opening session, the bids shown only after the deadline.

Law: D.Lgs. 36/2023 art. 25 (the platform certifies the time of receipt and keeps the bids secret), art. 35
c.2 (who bid is not known before the deadline), art. 50 c.2 (negotiated procedures: the invited operators
only)."""

import hashlib
import io
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from casacomuni.api.core import api
from casacomuni.api.testing import guideline_problems, operations_under
from casacomuni.procurement.bidding.models import OnlineBid, OnlineBidState, SealedDocument
from casacomuni.procurement.bidding.testing import (
    appoint_commission,
    bearer,
    espd_upload,
    is_problem,
    open_procedure_with_invitations,
    past_the_deadline,
    pdf_upload,
    submit_bid,
)
from casacomuni.procurement.procedures.models import Procedure, ProcedureType
from casacomuni.procurement.testing import make_operators, make_procedure, sua_officer

pytestmark = pytest.mark.django_db

BIDDING = "/api/v1/procurement/bidding"
LATE = "dopo il termine non si accetta nulla"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def tender(world):
    """A negotiated procedure of the home SUA taking bids, the world's two operators and a third invited."""
    third = make_operators(world.home, 1, prefix="Impresa Gamma")[0]
    procedure, lot = open_procedure_with_invitations(
        world.home, world, world.operator, world.other_operator, third
    )
    return procedure, lot, third


def test_an_operators_software_takes_a_bid_through_to_its_receipt(client, world, tender, as_persona):
    procedure, lot, _third = tender
    headers = as_persona("operatore_economico")
    listed = client.get(f"{BIDDING}/procedures", headers=headers).json()
    assert [item["id"] for item in listed["items"]] == [procedure.pk] and listed["count"] == 1
    assert [listed_lot["id"] for listed_lot in listed["items"][0]["lots"]] == [lot.pk]
    assert abs(datetime.fromisoformat(listed["server_time"]) - timezone.now()) < timedelta(seconds=5)
    deadline = datetime.fromisoformat(listed["items"][0]["bid_deadline"])
    assert abs(deadline - procedure.bid_deadline) < timedelta(milliseconds=1)  # JSON keeps milliseconds

    espd = espd_upload("SEGRETO-DGUE")
    content = espd.read()
    espd.seek(0)
    sealed = client.post(
        f"{BIDDING}/lots/{lot.pk}/bid/documents",
        {"envelope": "A", "kind": "espd", "file": espd},
        headers=headers,
    )
    assert sealed.status_code == 201, sealed.content
    assert sealed.json()["sha256"] == hashlib.sha256(content).hexdigest() and sealed.json()["size"] == len(
        content
    )
    offer = {"discount_percent": "12.3456", "labour_costs": "15000.00", "safety_costs": "2500.00"}
    sealed_offer = client.put(
        f"{BIDDING}/lots/{lot.pk}/bid/economic-offer", offer, content_type="application/json", headers=headers
    )
    assert sealed_offer.status_code == 200 and sealed_offer.json()["envelope"] == "C"
    mine = client.get(f"{BIDDING}/lots/{lot.pk}/bid", headers=headers)
    assert mine.json()["draft"]["state"] == "draft" and mine.json()["missing"] == []
    assert sorted(d["kind"] for d in mine.json()["draft"]["documents"]) == ["economic_offer", "espd"]
    assert (
        b"SEGRETO-DGUE" not in mine.content
        and b"dgue.xml" not in mine.content
        and b"12.3456" not in mine.content
    )

    submitted = client.post(f"{BIDDING}/lots/{lot.pk}/bid/submit", headers=headers)
    assert submitted.status_code == 200, submitted.content
    receipt = submitted.json()
    bid = OnlineBid.objects.get(operator=world.operator, lot=lot)
    assert bid.state == OnlineBidState.CONFIRMED and receipt["code"] == bid.receipt_code
    assert datetime.fromisoformat(receipt["received_at"]) == bid.confirmed_at.replace(microsecond=0)
    assert {d["sha256"] for d in receipt["documents"]} == set(bid.documents.values_list("sha256", flat=True))
    mine = client.get(f"{BIDDING}/lots/{lot.pk}/bid", headers=headers).json()
    assert mine["draft"] is None and mine["submitted"]["receipt_code"] == bid.receipt_code

    receipts = client.get(f"{BIDDING}/receipts", headers=headers).json()
    assert [item["code"] for item in receipts["items"]] == [bid.receipt_code]
    pdf = client.get(receipts["items"][0]["pdf"], headers=headers)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert f"ricevuta-{bid.receipt_code}.pdf" in pdf["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).replace("\n", "")
    assert bid.receipt_code in text and hashlib.sha256(content).hexdigest() in text


def test_a_late_submission_is_refused_in_italian_and_changes_nothing(client, world, tender):
    procedure, lot, _third = tender
    headers = bearer(world.operator)
    draft = submit_bid(world.operator, lot, confirm=False)
    past_the_deadline(procedure)
    before = sorted(SealedDocument.objects.values_list("pk", "sha256"))
    attempts = [
        client.post(f"{BIDDING}/lots/{lot.pk}/bid/submit", headers=headers),
        client.post(
            f"{BIDDING}/lots/{lot.pk}/bid/documents",
            {"envelope": "A", "kind": "declaration", "file": pdf_upload("Tardiva")},
            headers=headers,
        ),
        client.put(
            f"{BIDDING}/lots/{lot.pk}/bid/economic-offer",
            {"discount_percent": "30", "labour_costs": "1.00", "safety_costs": "1.00"},
            content_type="application/json",
            headers=headers,
        ),
    ]
    for refused in attempts:
        assert is_problem(refused, 400), refused.content
        assert LATE in refused.json()["detail"]
    draft.refresh_from_db()
    assert draft.state == OnlineBidState.DRAFT and draft.receipt_code is None
    assert sorted(SealedDocument.objects.values_list("pk", "sha256")) == before
    assert client.get(f"{BIDDING}/procedures", headers=headers).json()["items"] == []
    assert LATE in client.get(f"{BIDDING}/lots/{lot.pk}/bid", headers=headers).json()["problem"]


def test_a_refused_file_starts_no_bid_and_bad_offers_get_the_services_messages(client, world, tender):
    _procedure, lot, _third = tender
    headers = bearer(world.operator)
    wrong = client.post(
        f"{BIDDING}/lots/{lot.pk}/bid/documents",
        {"envelope": "A", "kind": "declaration", "file": espd_upload()},
        headers=headers,
    )
    assert is_problem(wrong, 400) and "Solo il DGUE" in wrong.json()["detail"]
    assert not OnlineBid.objects.filter(operator=world.operator).exists()
    offer = client.put(
        f"{BIDDING}/lots/{lot.pk}/bid/economic-offer",
        {"discount_percent": "12.5"},
        content_type="application/json",
        headers=headers,
    )
    assert is_problem(offer, 400)
    assert {error["field"] for error in offer.json()["errors"]} == {"labour_costs", "safety_costs"}
    assert "art. 108" in offer.json()["errors"][0]["message"]
    shape = client.put(
        f"{BIDDING}/lots/{lot.pk}/bid/economic-offer",
        {"discount_percent": "12,5", "labour_costs": "1", "safety_costs": "1"},
        content_type="application/json",
        headers=headers,
    )
    assert is_problem(shape, 400) and shape.json()["errors"][0]["field"] == "discount_percent"
    assert not SealedDocument.objects.exists() and not OnlineBid.objects.exists()


def test_a_grouping_a_removed_document_a_replacement_and_a_withdrawal(client, world, tender):
    _procedure, lot, _third = tender
    headers = bearer(world.operator)
    first = submit_bid(world.operator, lot, discount="10")
    url = f"{BIDDING}/lots/{lot.pk}/bid"
    incomplete = {"grouping": "rti", "members": [{"name": "Mandante S.r.l.", "fiscal_code": ""}]}
    refused = client.put(f"{url}/grouping", incomplete, content_type="application/json", headers=headers)
    assert is_problem(refused, 400) and "codice fiscale" in refused.json()["detail"]
    members = [{"name": "Mandante S.r.l.", "fiscal_code": "01234567890", "role": "member"}]
    grouping = client.put(
        f"{url}/grouping",
        {"grouping": "rti", "members": members},
        content_type="application/json",
        headers=headers,
    )
    assert grouping.status_code == 200 and grouping.json()["members"] == members
    declaration = client.post(
        f"{url}/documents",
        {"envelope": "A", "kind": "declaration", "file": pdf_upload("Dichiarazioni")},
        headers=headers,
    ).json()
    assert client.delete(f"{url}/documents/{declaration['id']}", headers=headers).status_code == 204
    assert not SealedDocument.objects.filter(pk=declaration["id"]).exists()
    client.post(f"{url}/documents", {"envelope": "A", "kind": "espd", "file": espd_upload()}, headers=headers)
    offer = {"price": "120000.00", "labour_costs": "1000.00", "safety_costs": "200.00"}
    client.put(f"{url}/economic-offer", offer, content_type="application/json", headers=headers)
    second = client.post(f"{url}/submit", headers=headers).json()
    first.refresh_from_db()
    assert first.state == OnlineBidState.REPLACED and second["code"] != first.receipt_code
    withdrawn = client.post(f"{url}/withdraw", headers=headers)
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    states = {
        item["code"]: item["state"]
        for item in client.get(f"{BIDDING}/receipts", headers=headers).json()["items"]
    }
    assert states == {first.receipt_code: "replaced", second["code"]: "withdrawn"}
    nothing = client.post(f"{url}/withdraw", headers=headers)
    assert is_problem(nothing, 400) and "Non c'è un'offerta presentata" in nothing.json()["detail"]


def test_an_operator_reaches_neither_a_lot_not_open_to_it_nor_another_operators_bid(client, world, tender):
    procedure, lot, third = tender
    outsider = make_operators(world.home, 1, prefix="Impresa Esterna")[0]
    rival = submit_bid(world.other_operator, lot)
    rival_draft = submit_bid(world.other_operator, lot, confirm=False, discount="9")
    rival_document = rival_draft.documents.first()
    headers = bearer(world.operator)
    missing_lot = client.get(f"{BIDDING}/lots/999999/bid", headers=headers)
    not_invited = client.get(f"{BIDDING}/lots/{lot.pk}/bid", headers=bearer(outsider))
    assert is_problem(not_invited, 404) and not_invited.json() == missing_lot.json()
    assert client.get(f"{BIDDING}/procedures", headers=bearer(outsider)).json()["items"] == []

    mine = client.get(f"{BIDDING}/lots/{lot.pk}/bid", headers=headers)
    assert mine.json()["draft"] is None and mine.json()["submitted"] is None
    assert (
        rival.receipt_code.encode() not in mine.content
        and world.other_operator.name.encode() not in mine.content
    )
    foreign_document = client.delete(
        f"{BIDDING}/lots/{lot.pk}/bid/documents/{rival_document.pk}", headers=headers
    )
    assert is_problem(foreign_document, 404) and foreign_document.json() == missing_lot.json()
    assert SealedDocument.objects.filter(pk=rival_document.pk).exists()
    foreign_receipt = client.get(f"{BIDDING}/receipts/{rival.receipt_code}.pdf", headers=headers)
    assert is_problem(foreign_receipt, 404) and foreign_receipt.json() == missing_lot.json()
    assert client.get(f"{BIDDING}/receipts", headers=headers).json()["items"] == []
    withdrawn = client.post(f"{BIDDING}/lots/{lot.pk}/bid/withdraw", headers=headers)
    assert is_problem(withdrawn, 400)
    rival.refresh_from_db()
    assert rival.state == OnlineBidState.CONFIRMED


def test_an_open_procedure_is_open_to_any_operator_and_other_roles_are_refused(client, world, as_persona):
    procedure = make_procedure(world.home, world, state="bids_open", title="Gara aperta di prova")
    Procedure.objects.filter(pk=procedure.pk).update(procedure_type=ProcedureType.OPEN)
    outsider = make_operators(world.elsewhere, 1, prefix="Impresa Lontana")[0]
    listed = client.get(f"{BIDDING}/procedures", headers=bearer(outsider)).json()["items"]
    assert [item["id"] for item in listed] == [procedure.pk] and listed[0]["procedure_type"] == "open"
    lot = procedure.lots.get()
    assert client.get(f"{BIDDING}/lots/{lot.pk}/bid", headers=bearer(outsider)).json()["problem"] is None
    for persona in ("funzionario_sua", "amministratore_provincia", "referente_comune", "dirigente_upi"):
        for response in (
            client.get(f"{BIDDING}/procedures", headers=as_persona(persona)),
            client.get(f"{BIDDING}/receipts", headers=as_persona(persona)),
            client.post(f"{BIDDING}/lots/{lot.pk}/bid/submit", headers=as_persona(persona)),
        ):
            assert is_problem(response, 403), persona
    assert client.get(f"{BIDDING}/procedures").status_code == 401


def test_the_sua_follows_its_session_bids_shown_only_after_the_deadline(client, world, tender, as_persona):
    procedure, lot, third = tender
    bid = submit_bid(world.operator, lot, marker="SEGRETO-DGUE")
    submit_bid(third, lot)
    headers = as_persona("funzionario_sua")
    url = f"{BIDDING}/procedures/{procedure.pk}/session"
    before = client.get(url, headers=headers)
    assert before.status_code == 200 and before.json()["bids"] is None
    assert (
        world.operator.name.encode() not in before.content and bid.receipt_code.encode() not in before.content
    )
    assert [e["envelope"] for e in before.json()["envelopes"]] == ["A", "C"]
    too_early = client.post(f"{url}/open/A", headers=headers)
    assert is_problem(too_early, 400) and "dopo il termine" in too_early.json()["detail"]

    past_the_deadline(procedure, world.home)
    after = client.get(url, headers=headers).json()
    assert after["deadline_passed"] and {b["receipt_code"] for b in after["bids"]} == set(
        OnlineBid.objects.submitted().filter(lot=lot).values_list("receipt_code", flat=True)
    )
    assert all(b["admission"] is None and not any(d["opened"] for d in b["documents"]) for b in after["bids"])
    unnamed = client.post(f"{url}/open/A", headers=headers)
    assert is_problem(unnamed, 400) and "presidente" in unnamed.json()["detail"]
    appoint_commission(procedure, sua_officer(world.home))
    opened = client.post(f"{url}/open/A", headers=headers)
    assert opened.status_code == 200, opened.content
    ours = next(b for b in opened.json()["bids"] if b["id"] == bid.pk)
    assert ours["operator"]["name"] == world.operator.name and ours["admission"]["status"] == "received"
    assert ours["findings"]["A"] == {"intact": True, "problems": []}
    assert {d["envelope"] for d in ours["documents"] if d["opened"]} == {"A"}
    assert next(e for e in opened.json()["envelopes"] if e["envelope"] == "A")["opened_at"]
    assert b"SEGRETO-DGUE" not in opened.content and b"dgue.xml" not in opened.content
    again = client.post(f"{url}/open/A", headers=headers)
    assert is_problem(again, 400) and "già state aperte" in again.json()["detail"]

    assert is_problem(client.get(url, headers=as_persona("operatore_economico")), 403)
    assert is_problem(client.get(url, headers=as_persona("referente_comune")), 403)
    foreign = make_procedure(world.elsewhere, world, state="bids_open")
    assert is_problem(client.get(f"{BIDDING}/procedures/{foreign.pk}/session", headers=headers), 404)
    assert is_problem(client.post(f"{BIDDING}/procedures/{foreign.pk}/session/open/A", headers=headers), 404)


def test_the_lists_take_the_same_queries_whatever_their_length(client, world, as_persona):
    headers = as_persona("operatore_economico")

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path, headers=headers).status_code == 200
        return len(captured)

    def add_tender():
        _procedure, lot = open_procedure_with_invitations(world.home, world, world.operator)
        submit_bid(world.operator, lot)

    add_tender()
    client.get(f"{BIDDING}/receipts", headers=headers)  # the token's first use of the minute is recorded
    one = (queries(f"{BIDDING}/procedures"), queries(f"{BIDDING}/receipts"))
    add_tender()
    add_tender()
    three = (queries(f"{BIDDING}/procedures"), queries(f"{BIDDING}/receipts"))
    assert one == three
    assert client.get(f"{BIDDING}/receipts", headers=headers).json()["count"] == 3


def test_the_bidding_operations_keep_to_the_italian_api_guidelines():
    """The rules of the guidelines' Spectral ruleset an operation can break (``api.testing``)."""
    schema = api.get_openapi_schema()
    assert len(list(operations_under(schema, BIDDING))) == 22
    assert not guideline_problems(schema, BIDDING)
