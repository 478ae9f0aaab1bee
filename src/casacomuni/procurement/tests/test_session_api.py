"""The commission's session through the API (issue 13 point 6, "for the SUA: the session's steps"): the SUA's
software names the commission, records the declarations, opens the envelopes, asks for the soccorso
istruttorio, decides the admissions, records the commissioners' coefficients and gets the log and the minutes;
the operator's software answers the request addressed to it. Each step is refused out of order, in Italian,
and changes nothing.

Law: D.Lgs. 36/2023 art. 16 and art. 93 c.5 (the commissioners declare no conflict of interest before the
opening), art. 101 (soccorso istruttorio: a term of 5 to 10 days), art. 90 (the excluded operator is told the
reasons), art. 108 (the technical offers scored by the commissioners)."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from casacomuni.lib.pdf import act_pdf
from casacomuni.procurement.bidding import services as bidding
from casacomuni.procurement.bidding.models import (
    CommissionMember,
    DocumentKind,
    Envelope,
    IntegrationRequest,
    TechnicalCoefficient,
)
from casacomuni.procurement.bidding.testing import (
    bearer,
    is_problem,
    open_procedure_with_invitations,
    operator_actor,
    past_the_deadline,
    pdf_upload,
    submit_bid,
)
from casacomuni.procurement.procedures import services as ps
from casacomuni.procurement.procedures.models import Bid, BidStatus, Invitation, Procedure
from casacomuni.procurement.rules import procedure_lifecycle as life
from casacomuni.procurement.testing import make_operators, make_procedure, sua_officer

pytestmark = pytest.mark.django_db

BIDDING = "/api/v1/procurement/bidding"


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def closed_tender(world, media):
    """A negotiated procedure of the home SUA with three online bids, its deadline passed and bids closed."""
    third = make_operators(world.home, 1, prefix="Impresa Gamma")[0]
    procedure, lot = open_procedure_with_invitations(
        world.home, world, world.operator, world.other_operator, third
    )
    for operator, discount in ((world.operator, "12.5000"), (world.other_operator, "11.0000"), (third, "9")):
        submit_bid(operator, lot, discount=discount)
    return past_the_deadline(procedure, world.home), lot, third


def received(lot, operator) -> Bid:
    return Bid.objects.get(lot=lot, operator=operator)


def test_the_suas_software_runs_the_session_and_the_operators_software_answers_the_soccorso(
    client, world, closed_tender, as_persona, mailoutbox, django_capture_on_commit_callbacks
):
    procedure, lot, third = closed_tender
    sua = as_persona("funzionario_sua")
    session = f"{BIDDING}/procedures/{procedure.pk}/session"

    def post(path: str, body: dict | None = None, headers=sua):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                f"{session}{path}", body or {}, content_type="application/json", headers=headers
            )

    president = post("/commission", {"name": "Maria Rossi", "role": "president"})
    assert president.status_code == 201 and president.json()["declared_at"] is None
    second_president = post("/commission", {"name": "Anna Verdi", "role": "president"})
    assert is_problem(second_president, 400) and "già un presidente" in second_president.json()["detail"]
    member = post("/commission", {"name": "Luca Bianchi", "role": "member"}).json()
    undeclared = post("/open/A")
    assert is_problem(undeclared, 400) and "conflitti di interessi" in undeclared.json()["detail"]
    for appointed in (president.json(), member):
        declared = post(f"/commission/{appointed['id']}/declaration")
        assert declared.status_code == 200 and declared.json()["declared_at"]
    listed = client.get(f"{session}/commission", headers=sua).json()
    assert [(m["name"], m["role"]) for m in listed] == [
        ("Maria Rossi", "president"),
        ("Luca Bianchi", "member"),
    ]

    assert post("/open/A").status_code == 200
    late_member = post("/commission", {"name": "Paolo Neri", "role": "member"})
    assert is_problem(late_member, 400) and CommissionMember.objects.filter(procedure=procedure).count() == 2

    # Soccorso istruttorio for the third operator: the term is 5 to 10 days (art. 101).
    thirds = received(lot, third)
    short = post(f"/bids/{thirds.pk}/integration-requests", {"text": "Manca la garanzia.", "days": 3})
    assert is_problem(short, 400) and not IntegrationRequest.objects.exists()
    mailoutbox.clear()
    asked = post(f"/bids/{thirds.pk}/integration-requests", {"text": "Manca la garanzia.", "days": 5})
    assert asked.status_code == 201 and asked.json()["answered_at"] is None
    assert [message.subject for message in mailoutbox] == [
        f"Casa dei Comuni: soccorso istruttorio, procedura {procedure.pk}"
    ]
    assert "Manca la garanzia." in mailoutbox[0].body

    thirds_software = bearer(third)
    requests = client.get(f"{BIDDING}/integration-requests", headers=thirds_software).json()
    assert [(r["id"], r["text"], r["lot_number"]) for r in requests] == [
        (asked.json()["id"], "Manca la garanzia.", lot.number)
    ]
    answer_path = f"{BIDDING}/integration-requests/{asked.json()['id']}/answer"
    not_addressed = client.post(answer_path, {"answer": "Eccola."}, headers=as_persona("operatore_economico"))
    assert is_problem(not_addressed, 404)
    assert (
        client.get(f"{BIDDING}/integration-requests", headers=as_persona("operatore_economico")).json() == []
    )
    guarantee = SimpleUploadedFile("garanzia.pdf", act_pdf(["Garanzia provvisoria"]), "application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        answered = client.post(
            answer_path, {"answer": "Allegata la garanzia.", "file": guarantee}, headers=thirds_software
        )
    assert answered.status_code == 200, answered.content
    assert answered.json()["with_document"] and answered.json()["answered_at"]
    twice = client.post(answer_path, {"answer": "Di nuovo."}, headers=thirds_software)
    assert is_problem(twice, 400) and "già" in twice.json()["detail"]

    # Admissions: an exclusion needs its reasons, which the excluded operator is told.
    others = received(lot, world.other_operator)
    unreasoned = post(f"/bids/{others.pk}/decision", {"decision": "exclude"})
    assert is_problem(unreasoned, 400) and received(lot, world.other_operator).status == BidStatus.RECEIVED
    mailoutbox.clear()
    excluded = post(f"/bids/{others.pk}/decision", {"decision": "exclude", "reason": "DGUE non firmato."})
    assert excluded.status_code == 200
    assert received(lot, world.other_operator).exclusion_reason == "DGUE non firmato."
    assert any("DGUE non firmato." in message.body for message in mailoutbox)
    too_early = post("/open/C")
    assert is_problem(too_early, 400)
    for operator in (world.operator, third):
        post(f"/bids/{received(lot, operator).pk}/decision", {"decision": "admit"})
    assert post("/open/C").status_code == 200

    sua_log = client.get(f"{session}/log", headers=sua)
    texts = [entry["text"] for entry in sua_log.json()]
    assert texts[:5] == [
        "Commissione: nomina di Maria Rossi come presidente.",
        "Commissione: nomina di Luca Bianchi come componente.",
        "Commissione: Maria Rossi ha dichiarato l'assenza di conflitti di interessi.",
        "Commissione: Luca Bianchi ha dichiarato l'assenza di conflitti di interessi.",
        "Buste A aperte.",
    ]
    assert any("DGUE non firmato." in text for text in texts)
    assert any(text.startswith("Buste C aperte.") and "12.5000%" in text for text in texts)
    operators_log = client.get(f"{session}/log", headers=bearer(world.operator)).json()
    assert len(operators_log) == len(texts) and not any(
        "DGUE non firmato." in e["text"] for e in operators_log
    )
    assert is_problem(client.get(f"{session}/log", headers=as_persona("referente_comune")), 403)

    minutes = client.get(f"{session}/minutes.pdf", headers=sua)
    assert minutes["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(minutes.content)).pages)
    assert "Maria Rossi" in text and "Luca Bianchi" in text and "Buste A aperte." in text


def test_the_commissioners_coefficients_recorded_through_the_api_are_checked_and_kept(
    client, world, as_persona, media
):
    """Two parts A and B of the technical criteria: each coefficient from 0 to 1 with at most three decimals;
    the member's second recording replaces the first; the secretary does not score."""
    officer = sua_officer(world.home)
    procedure = make_procedure(world.home, world, contract_kind="services", cpv_code="90911200")
    settings = {
        "criteria": [{"code": "A", "max_points": "40"}, {"code": "B", "max_points": "30"}],
        "economic_max": "30",
        "formula": "linear",
    }
    ps.update_procedure(officer, procedure, ps.ProcedureChanges(criterion="oepv", oepv_settings=settings))
    procedure = ps.transition_procedure(officer, Procedure.objects.get(pk=procedure.pk), life.PUBLISH)
    procedure = ps.transition_procedure(officer, procedure, life.OPEN_BIDS)
    lot = procedure.lots.get()
    Invitation.objects.create(
        procedure=procedure, lot=lot, operator=world.operator, reason="Iscritto all'albo."
    )
    bid = submit_bid(world.operator, lot, confirm=False)
    actor = operator_actor(world.operator)
    bidding.add_document(
        actor, bid, Envelope.TECHNICAL, DocumentKind.TECHNICAL_OFFER, pdf_upload("Relazione")
    )
    bidding.confirm_bid(actor, bid)
    procedure = past_the_deadline(procedure, world.home)
    sua = as_persona("funzionario_sua")
    session = f"{BIDDING}/procedures/{procedure.pk}/session"
    for name, role in (("Maria Rossi", "president"), ("Sara Blu", "secretary")):
        appointed = client.post(
            f"{session}/commission", {"name": name, "role": role}, "application/json", headers=sua
        )
        client.post(f"{session}/commission/{appointed.json()['id']}/declaration", headers=sua)
    president, secretary = CommissionMember.objects.filter(procedure=procedure).order_by("pk")
    client.post(f"{session}/open/A", headers=sua)
    ours = received(lot, world.operator)
    client.post(f"{session}/bids/{ours.pk}/decision", {"decision": "admit"}, "application/json", headers=sua)
    scores = f"{session}/bids/{ours.pk}/scores/{president.pk}"

    def put(path: str, coefficients: dict):
        return client.put(path, {"coefficients": coefficients}, "application/json", headers=sua)

    closed = put(scores, {"A": "0.8", "B": "0.5"})
    assert is_problem(closed, 400) and "busta B" in closed.json()["detail"]
    client.post(f"{session}/open/B", headers=sua)
    wrong = put(scores, {"A": "1.2", "B": "0.5555"})
    assert is_problem(wrong, 400) and not TechnicalCoefficient.objects.exists()
    assert put(scores, {"A": "0.8", "B": "0.5"}).json() == {
        "bid_id": ours.pk,
        "member_id": president.pk,
        "coefficients": {"A": "0.800", "B": "0.500"},
    }
    assert put(scores, {"A": "0.75", "B": "0.5"}).json()["coefficients"] == {"A": "0.750", "B": "0.500"}
    assert sorted(TechnicalCoefficient.objects.values_list("part", "coefficient")) == [
        ("A", Decimal("0.750")),
        ("B", Decimal("0.500")),
    ]
    by_secretary = put(f"{session}/bids/{ours.pk}/scores/{secretary.pk}", {"A": "1", "B": "1"})
    assert is_problem(by_secretary, 400)
    assert is_problem(put(f"{session}/bids/{ours.pk}/scores/{president.pk}", {}), 400)
