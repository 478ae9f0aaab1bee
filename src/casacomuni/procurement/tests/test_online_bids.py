"""Online bids (issue 13): sealed on arrival, received to the second before the deadline, replaced or withdrawn
until then, opened by the commission envelope by envelope after it, checked against their receipts.

Law: D.Lgs. 36/2023 art. 25 (the platform certifies the time of receipt and keeps the bids secret until the
deadline), art. 35 c.2 (who bid is not known before the deadline), art. 108 c.9 (the offer states the
company's own labour and safety costs)."""

import io
import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from casacomuni.audit.models import AuditEvent
from casacomuni.inbox.models import Notification
from casacomuni.procurement.bidding import services as bidding
from casacomuni.procurement.bidding import session
from casacomuni.procurement.bidding.models import (
    DocumentKind,
    Envelope,
    EnvelopeOpening,
    OnlineBid,
    OnlineBidState,
    SealedDocument,
)
from casacomuni.procurement.bidding.tasks import purge_orphan_sealed_files
from casacomuni.procurement.bidding.testing import (
    appoint_commission,
    espd_upload,
    open_procedure_with_invitations,
    operator_actor,
    pdf_upload,
    submit_bid,
)
from casacomuni.procurement.procedures import services as ps
from casacomuni.procurement.procedures.minutes import build_minutes
from casacomuni.procurement.procedures.models import Bid, BidSource, BidStatus, Invitation, Procedure
from casacomuni.procurement.rules import procedure_lifecycle as life
from casacomuni.procurement.testing import (
    give_requirements,
    make_operators,
    make_procedure,
    province_admin,
    sua_officer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tender(world):
    """A procedure of the home SUA taking bids, with the world's two operators and a third invited."""
    third = make_operators(world.home, 1, prefix="Impresa Gamma")[0]
    procedure, lot = open_procedure_with_invitations(
        world.home, world, world.operator, world.other_operator, third
    )
    return procedure, lot, third


def past_the_deadline(procedure: Procedure) -> Procedure:
    """The deadline moved one second into the past (the clock passes it), and the bids closed."""
    Procedure.objects.filter(pk=procedure.pk).update(bid_deadline=timezone.now() - timedelta(seconds=1))
    procedure.refresh_from_db()
    return ps.transition_procedure(sua_officer_of(procedure), procedure, life.CLOSE_BIDS)


def sua_officer_of(procedure):
    from casacomuni.procurement.testing import actor_for

    return actor_for(procedure.province, "sua_officer", f"funzionario_{procedure.province_id}")


def test_an_invited_operator_submits_a_sealed_bid_and_gets_its_receipt_by_email(
    world, tender, mailoutbox, django_capture_on_commit_callbacks, settings
):
    # The worker's code path, run at once (test_register runs the real db_worker for its e-mails).
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    procedure, lot, _third = tender
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        bid = submit_bid(world.operator, lot)
    assert bid.state == OnlineBidState.CONFIRMED and bid.receipt_code.startswith(f"CDC-{procedure.pk}-1-")
    assert before <= bid.confirmed_at <= timezone.now(), "received at the server's time of the confirmation"
    kinds = sorted(bid.documents.values_list("envelope", "kind"))
    assert kinds == [("A", "declaration"), ("A", "espd"), ("C", "economic_offer")]
    (message,) = mailoutbox
    assert bid.receipt_code in message.subject and bid.receipt_code in message.body
    assert all(document.sha256 in message.body for document in bid.documents.all())
    name, pdf, kind = message.attachments[0]
    assert kind == "application/pdf" and name == f"ricevuta-{bid.receipt_code}.pdf"
    (notice,) = Notification.objects.filter(kind="procurement.bid_receipt")
    assert notice.recipient.email == message.to[0] and bid.receipt_code in notice.subject
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Ricevuta di presentazione dell'offerta" in text and bid.receipt_code in text
    assert bid.documents.get(kind="espd").sha256 in text.replace("\n", "")


def test_what_is_stored_reveals_no_document_nor_its_name(world, tender, media):
    """Neither the sealed files, nor any column, nor a dump of the database holds a document or its name."""
    _procedure, lot, _third = tender
    bid = submit_bid(world.operator, lot, discount="23.4560", marker="SEGRETO-DGUE")
    for document in bid.documents.all():
        stored = document.sealed_file.read()
        assert b"SEGRETO-DGUE" not in stored and b"dgue.xml" not in stored and b"23.456" not in stored
        assert b"Dichiarazioni di" not in stored and b"%PDF" not in stored
    dump = io.StringIO()
    call_command("dumpdata", "procurement", "audit", stdout=dump)
    assert "SEGRETO-DGUE" not in dump.getvalue() and "23.456" not in dump.getvalue()
    on_disk = b"".join(path.read_bytes() for path in media.rglob("*") if path.is_file())
    assert on_disk, "the sealed files are in the media folder"
    assert b"SEGRETO-DGUE" not in on_disk and b"23.456" not in on_disk


def test_before_the_opening_nobody_reads_a_document_the_suas_administrator_included(world, tender, login_as):
    procedure, lot, _third = tender
    bid = submit_bid(world.operator, lot)
    document = bid.documents.get(kind=DocumentKind.ESPD)
    administrator = province_admin(world.home)
    with pytest.raises(PermissionDenied):
        bidding.read_document(administrator.user, document)
    past_the_deadline(procedure)
    with pytest.raises(PermissionDenied):  # after the deadline too, until envelope A is opened
        bidding.read_document(administrator.user, document)
    url = reverse("procurement:sealed_document", args=[procedure.pk, document.pk])
    for persona in ("amministratore_provincia", "funzionario_sua", "operatore_economico", "referente_comune"):
        assert login_as(persona).get(url).status_code == 403, persona


def test_the_sua_does_not_learn_who_bid_before_the_deadline(world, tender, login_as):
    procedure, lot, _third = tender
    submit_bid(world.operator, lot)
    page = login_as("funzionario_sua").get(reverse("procurement:bid_session", args=[procedure.pk]))
    assert page.status_code == 200
    assert world.operator.name not in page.content.decode() and 'id="session-sealed"' in page.content.decode()
    assert not OnlineBid.objects.for_user(world.personas["funzionario_sua"]).exists()
    assert not AuditEvent.objects.filter(
        organization=procedure.province, action__startswith="online_bid."
    ).exists()


def test_after_the_deadline_nothing_is_accepted_and_nothing_changes(world, tender):
    procedure, lot, _third = tender
    actor = operator_actor(world.operator)
    draft = submit_bid(world.operator, lot, confirm=False)
    Procedure.objects.filter(pk=procedure.pk).update(bid_deadline=timezone.now() - timedelta(seconds=1))
    before = SealedDocument.objects.count()
    attempts = (
        lambda: bidding.add_document(
            actor, draft, Envelope.ADMINISTRATIVE, DocumentKind.OTHER, pdf_upload("tardi")
        ),
        lambda: bidding.set_economic_offer(
            actor,
            draft,
            bidding.EconomicOffer(discount_percent=Decimal("30"), labour_costs=1, safety_costs=1),
        ),
        lambda: bidding.confirm_bid(actor, draft),
        lambda: bidding.draft_for(actor, lot),
    )
    for attempt in attempts:
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert "dopo il termine non si accetta nulla" in " ".join(refused.value.messages)
    draft.refresh_from_db()
    assert draft.state == OnlineBidState.DRAFT and SealedDocument.objects.count() == before


def test_a_new_submission_replaces_the_previous_and_a_withdrawal_ends_it(world, tender):
    _procedure, lot, _third = tender
    first = submit_bid(world.operator, lot, discount="10")
    second = submit_bid(world.operator, lot, discount="11")
    first.refresh_from_db()
    assert (first.state, second.state) == (OnlineBidState.REPLACED, OnlineBidState.CONFIRMED)
    assert list(OnlineBid.objects.submitted().filter(lot=lot)) == [second]
    bidding.withdraw_bid(operator_actor(world.operator), second)
    second.refresh_from_db()
    assert (
        second.state == OnlineBidState.WITHDRAWN
        and not OnlineBid.objects.submitted().filter(lot=lot).exists()
    )
    actions = list(
        AuditEvent.objects.filter(organization=world.operator, action__startswith="online_bid.").values_list(
            "action", flat=True
        )
    )
    assert actions.count("online_bid.confirm") == 2 and "online_bid.replace" in actions
    assert "online_bid.withdraw" in actions


def test_an_operator_not_invited_may_not_bid_and_another_operators_bid_is_out_of_reach(
    world, tender, login_as
):
    procedure, lot, _third = tender
    outsider = make_operators(world.home, 1, prefix="Impresa Esterna")[0]
    with pytest.raises(ValidationError, match="invitati"):
        bidding.draft_for(operator_actor(outsider), lot)
    # The page of a lot the operator is not invited to answers as if it did not exist, like the API.
    _others, not_invited = open_procedure_with_invitations(world.home, world, world.other_operator)
    page = login_as("operatore_economico")
    assert page.get(reverse("procurement:online_bid", args=[procedure.pk, lot.pk])).status_code == 200
    url = reverse("procurement:online_bid", args=[not_invited.procedure_id, not_invited.pk])
    assert page.get(url).status_code == 404
    bid = submit_bid(world.operator, lot)
    with pytest.raises(PermissionDenied):
        bidding.withdraw_bid(operator_actor(world.other_operator), bid)
    assert not OnlineBid.objects.for_user(world.personas["operatore_economico"]).exclude(
        operator=world.operator
    )


def test_bad_files_and_offers_are_refused_with_a_message_and_seal_nothing(world, tender):
    _procedure, lot, _third = tender
    actor = operator_actor(world.operator)
    draft = bidding.draft_for(actor, lot)
    disguised = pdf_upload("x", name="dgue.pdf")
    disguised.file = io.BytesIO(b"MZ\x90\x00" + b"\x00" * 100)
    disguised.size = 104
    cases = [
        (Envelope.ADMINISTRATIVE, DocumentKind.DECLARATION, disguised, "file"),
        (Envelope.ADMINISTRATIVE, DocumentKind.DECLARATION, espd_upload(), "file"),  # XML only for the ESPD
        (Envelope.TECHNICAL, DocumentKind.TECHNICAL_OFFER, pdf_upload("tecnica"), "kind"),  # lowest price
        (Envelope.ECONOMIC, DocumentKind.ECONOMIC_OFFER, pdf_upload("prezzo"), "kind"),
    ]
    for envelope, kind, upload, field in cases:
        with pytest.raises(ValidationError) as refused:
            bidding.add_document(actor, draft, envelope, kind, upload)
        assert field in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        bidding.set_economic_offer(actor, draft, bidding.EconomicOffer(discount_percent=Decimal("12.5")))
    assert set(refused.value.message_dict) == {"labour_costs", "safety_costs"}
    with pytest.raises(ValidationError) as refused:
        bidding.confirm_bid(actor, draft)
    assert "il DGUE nella busta A" in refused.value.messages[0]
    assert "l'offerta economica nella busta C" in refused.value.messages[0]
    assert not draft.documents.exists()


def test_the_commission_opens_a_then_c_and_the_evaluation_reads_the_sealed_offers(world, tender):
    procedure, lot, third = tender
    submit_bid(world.operator, lot, discount="12.3456")
    submit_bid(world.other_operator, lot, discount="8.5000")
    submit_bid(third, lot, discount="15.0000")
    officer = sua_officer(world.home)
    with pytest.raises(ValidationError, match="dopo il termine"):
        bidding.open_envelopes(officer, procedure, Envelope.ADMINISTRATIVE)
    procedure = past_the_deadline(procedure)
    with pytest.raises(ValidationError, match="presidente"):
        bidding.open_envelopes(officer, procedure, Envelope.ADMINISTRATIVE)
    appoint_commission(procedure, officer)
    with pytest.raises(ValidationError, match="in ordine"):
        bidding.open_envelopes(officer, procedure, Envelope.ECONOMIC)
    opening = bidding.open_envelopes(officer, procedure, Envelope.ADMINISTRATIVE)
    assert all(finding["intact"] for finding in opening.findings.values()) and len(opening.findings) == 3
    bids = list(Bid.objects.filter(lot=lot, source=BidSource.ONLINE))
    assert len(bids) == 3 and all(b.status == BidStatus.RECEIVED and b.discount_percent is None for b in bids)
    with pytest.raises(ValidationError, match="ammissione"):
        bidding.open_envelopes(officer, procedure, Envelope.ECONOMIC)
    for received in bids:
        decision = ps.EXCLUDE if received.operator == third else ps.ADMIT
        ps.decide_bid(
            officer,
            received,
            decision,
            reason="Garanzia provvisoria mancante." if decision == ps.EXCLUDE else "",
        )
    bidding.open_envelopes(officer, procedure, Envelope.ECONOMIC)
    discounts = dict(Bid.objects.filter(lot=lot).values_list("operator__name", "discount_percent"))
    assert discounts[world.operator.name] == Decimal("12.3456")
    assert discounts[world.other_operator.name] == Decimal("8.5000")
    assert discounts[third.name] is None, "an excluded bid's economic offer stays sealed"
    procedure = ps.transition_procedure(officer, procedure, life.START_EVALUATION)
    evaluation = ps.evaluate_lot(officer, lot)
    assert (
        evaluation.result.get("winner") == str(world.operator.pk)
        or evaluation.result.get("winner") == world.operator.pk
    )
    name, content = bidding.read_document(
        officer.user, OnlineBid.objects.get(operator=world.operator, lot=lot).documents.get(kind="espd")
    )
    assert name == "dgue.xml" and content.startswith(b"<?xml")


def test_a_changed_sealed_file_or_a_swapped_hash_is_found_at_the_opening(world, tender):
    procedure, lot, third = tender
    changed = submit_bid(world.operator, lot)
    swapped = submit_bid(world.other_operator, lot)
    intact = submit_bid(third, lot)
    stored = changed.documents.get(kind=DocumentKind.ESPD).sealed_file
    data = bytearray(stored.read())
    data[-1] ^= 0x01
    with stored.storage.open(stored.name, "wb") as rewritten:
        rewritten.write(bytes(data))
    SealedDocument.objects.filter(bid=swapped, kind=DocumentKind.DECLARATION).update(sha256="0" * 64)
    procedure = past_the_deadline(procedure)
    appoint_commission(procedure, sua_officer(world.home))
    opening = bidding.open_envelopes(sua_officer(world.home), procedure, Envelope.ADMINISTRATIVE)
    findings = {int(pk): finding for pk, finding in opening.findings.items()}
    assert findings[intact.pk]["intact"]
    assert not findings[changed.pk]["intact"] and "non si apre" in findings[changed.pk]["problems"][0]
    assert not findings[swapped.pk]["intact"]
    statuses = dict(Bid.objects.filter(lot=lot).values_list("operator_id", "status"))
    assert statuses[world.operator.pk] == statuses[world.other_operator.pk] == BidStatus.EXCLUDED
    assert statuses[third.pk] == BidStatus.RECEIVED
    assert EnvelopeOpening.objects.filter(procedure=procedure).count() == 1


def test_the_operators_page_takes_a_bid_through_to_the_receipt(world, tender, login_as):
    procedure, lot, _third = tender
    client = login_as("operatore_economico")
    url = reverse("procurement:online_bid", args=[procedure.pk, lot.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'id="server-time"' in page.content.decode()

    def act(action, data=None):
        return client.post(
            reverse("procurement:online_bid_action", args=[procedure.pk, lot.pk, action]), data or {}
        )

    refused_first = act("documento", {"document": "A:declaration", "file": espd_upload()})
    assert refused_first.status_code == 400
    assert not OnlineBid.objects.filter(operator=world.operator).exists(), "a refused upload starts no bid"
    assert act("nuova").status_code == 302
    assert act("documento", {"document": "A:espd", "file": espd_upload()}).status_code == 302
    refused = act("documento", {"document": "A:declaration", "file": espd_upload()})
    assert refused.status_code == 400 and "Solo il DGUE" in refused.content.decode()
    offer = {"discount_percent": "9,5", "labour_costs": "1000", "safety_costs": "200"}
    assert act("offerta-economica", offer).status_code == 302
    done = act("conferma")
    assert done.status_code == 302
    bid = OnlineBid.objects.get(operator=world.operator, lot=lot)
    page = client.get(url).content.decode()
    assert bid.receipt_code in page and bid.documents.get(kind="espd").sha256 in page
    receipt = client.get(reverse("procurement:online_bid_receipt", args=[procedure.pk, lot.pk, bid.pk]))
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    other = login_as("amministratore_provincia").get(url)
    assert other.status_code == 403


def test_a_member_without_the_declaration_holds_the_opening(world, tender):
    procedure, _lot, _third = tender
    officer = sua_officer(world.home)
    procedure = past_the_deadline(procedure)
    session.appoint_member(officer, procedure, "Maria Rossi", "president")
    with pytest.raises(ValidationError, match="conflitti di interessi"):
        bidding.open_envelopes(officer, procedure, Envelope.ADMINISTRATIVE)
    with pytest.raises(ValidationError, match="presidente"):
        session.appoint_member(officer, procedure, "Anna Verdi", "president")


def test_soccorso_istruttorio_is_asked_answered_online_and_logged_for_the_participants(
    world, tender, login_as, mailoutbox, django_capture_on_commit_callbacks, settings
):
    """Art. 101 c.1: 5 to 10 days; art. 29: the request and the answer through the platform, e-mailed."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    procedure, lot, third = tender
    submit_bid(world.operator, lot)
    submit_bid(third, lot)
    officer = sua_officer(world.home)
    procedure = past_the_deadline(procedure)
    appoint_commission(procedure, officer)
    bidding.open_envelopes(officer, procedure, Envelope.ADMINISTRATIVE)
    received = Bid.objects.get(lot=lot, operator=world.operator)
    with pytest.raises(ValidationError) as refused:
        session.request_integration(officer, received, "Manca la garanzia provvisoria.", 11)
    assert "da 5 a 10 giorni" in refused.value.message_dict["days"][0]
    with django_capture_on_commit_callbacks(execute=True):
        request = session.request_integration(officer, received, "Manca la garanzia provvisoria.", 5)
    assert (timezone.localtime(request.deadline).date() - timezone.localdate()).days == 5
    assert any("operatore_economico@example.test" in message.to for message in mailoutbox)
    client = login_as("operatore_economico")
    page = client.get(reverse("procurement:online_bid", args=[procedure.pk, lot.pk])).content.decode()
    assert "Manca la garanzia provvisoria." in page
    answer_url = reverse("procurement:integration_answer", args=[procedure.pk, lot.pk, request.pk])
    sent = client.post(
        answer_url, {"answer": "Allegata la garanzia.", "file": pdf_upload("Garanzia", "garanzia.pdf")}
    )
    assert sent.status_code == 302
    request.refresh_from_db()
    assert request.answered_at is not None and request.answer_file.name
    assert client.post(answer_url, {"answer": "di nuovo"}).status_code == 404  # answered: no longer pending
    ps.decide_bid(officer, received, ps.ADMIT)
    ps.decide_bid(officer, Bid.objects.get(lot=lot, operator=third), ps.EXCLUDE, reason="Garanzia scaduta.")
    log = client.get(reverse("procurement:session_log", args=[procedure.pk])).content.decode()
    assert "Buste A aperte." in log and "completare i propri documenti" in log
    assert f"{third.name} escluso." in log and "Garanzia scaduta." not in log, "reasons only to the SUA"
    sua_log = (
        login_as("funzionario_sua")
        .get(reverse("procurement:session_log", args=[procedure.pk]))
        .content.decode()
    )
    assert "Garanzia scaduta." in sua_log
    assert (
        login_as("referente_comune").get(reverse("procurement:session_log", args=[procedure.pk])).status_code
        == 403
    )
    minutes = login_as("funzionario_sua").get(reverse("procurement:session_minutes", args=[procedure.pk]))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(minutes.content)).pages)
    assert "Verbale della seduta di gara" in text and "Maria Rossi" in text and "Buste A aperte." in text


def test_oepv_technical_offers_are_scored_by_each_commissioner_and_averaged(world):
    """Art. 108, DOMAIN 4.6: the commissioners' coefficients are averaged per criterion. Worked example —
    A (40 points): first (0.8 + 0.6) / 2 = 0.7 → 28, second (1 + 0.9) / 2 = 0.95 → 38; B (30 points): first
    (0.5 + 0.7) / 2 = 0.6 → 18, second (1 + 0.8) / 2 = 0.9 → 27; economic, linear on the discount (30 points):
    10 % → 15, 20 % → 30. Totals: first 61, second 95."""
    officer = sua_officer(world.home)
    procedure = make_procedure(
        world.home, world, contract_kind="services", cpv_code="90911200", base_amount=Decimal("200000.00")
    )
    settings = {
        "criteria": [{"code": "A", "max_points": "40"}, {"code": "B", "max_points": "30"}],
        "economic_max": "30",
        "formula": "linear",
    }
    ps.update_procedure(officer, procedure, ps.ProcedureChanges(criterion="oepv", oepv_settings=settings))
    procedure = ps.transition_procedure(officer, Procedure.objects.get(pk=procedure.pk), life.PUBLISH)
    procedure = ps.transition_procedure(officer, procedure, life.OPEN_BIDS)
    lot = procedure.lots.get()
    for operator, discount in ((world.operator, "10"), (world.other_operator, "20")):
        Invitation.objects.create(
            procedure=procedure, lot=lot, operator=operator, reason="Iscritto all'albo."
        )
        bid = submit_bid(operator, lot, discount=discount, confirm=False)
        bidding.add_document(
            operator_actor(operator),
            bid,
            Envelope.TECHNICAL,
            DocumentKind.TECHNICAL_OFFER,
            pdf_upload("Relazione"),
        )
        bidding.confirm_bid(operator_actor(operator), bid)
    procedure = past_the_deadline(procedure)
    appoint_commission(procedure, officer)
    president, member = procedure.commission.order_by("pk")
    bidding.open_envelopes(officer, procedure, Envelope.ADMINISTRATIVE)
    first, second = (Bid.objects.get(lot=lot, operator=o) for o in (world.operator, world.other_operator))
    for received in (first, second):
        ps.decide_bid(officer, received, ps.ADMIT)
    with pytest.raises(ValidationError, match="busta B"):
        session.score_bid(officer, first, president, {"A": "0.8", "B": "0.5"})
    bidding.open_envelopes(officer, procedure, Envelope.TECHNICAL)
    with pytest.raises(ValidationError) as refused:
        session.score_bid(officer, first, president, {"A": "1.2", "B": "0,5"})
    assert set(refused.value.message_dict) == {"A"}
    scores = {
        (first, president): {"A": "0.8", "B": "0.5"},
        (first, member): {"A": "0.6", "B": "0.7"},
        (second, president): {"A": "1", "B": "1"},
    }
    for (received, commissioner), values in scores.items():
        session.score_bid(officer, received, commissioner, values)
    bidding.open_envelopes(officer, procedure, Envelope.ECONOMIC)
    procedure = ps.transition_procedure(officer, procedure, life.START_EVALUATION)
    with pytest.raises(ValidationError, match="Ogni commissario"):
        ps.evaluate_lot(officer, lot)  # the member has not scored the second offer yet
    session.score_bid(officer, second, member, {"A": "0.9", "B": "0.8"})
    evaluation = ps.evaluate_lot(officer, lot)
    assert [(row["name"], row["technical"], row["total"]) for row in evaluation.result["ranking"]] == [
        (world.other_operator.name, "65.000", "95.000"),
        (world.operator.name, "46.000", "61.000"),
    ]
    # The minutes list every commissioner's coefficients and their average, the ones the scores come from.
    table = next(
        block
        for block in build_minutes(evaluation).blocks
        if block.kind == "table" and block.header == ("Operatore economico", "Commissario", "A", "B")
    )
    first_name, second_name = world.operator.name, world.other_operator.name
    assert table.rows == (
        (first_name, "Maria Rossi", "0,800", "0,500"),
        (first_name, "Luca Bianchi", "0,600", "0,700"),
        (first_name, "Media", "0,700", "0,600"),
        (second_name, "Maria Rossi", "1,000", "1,000"),
        (second_name, "Luca Bianchi", "0,900", "0,800"),
        (second_name, "Media", "0,950", "0,900"),
    )


def test_exclusion_and_award_are_communicated_to_the_operators_by_the_platform(
    world, tender, mailoutbox, django_capture_on_commit_callbacks, settings, login_as
):
    """Art. 29 and art. 90 D.Lgs. 36/2023: the exclusion (with its reasons) to the excluded operator, the award
    to every operator that bid, through the platform (recorded) and by e-mail."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    procedure, lot, third = tender
    submit_bid(world.operator, lot, discount="12")
    submit_bid(third, lot, discount="10")
    officer = sua_officer(world.home)
    procedure = past_the_deadline(procedure)
    appoint_commission(procedure, officer)
    bidding.open_envelopes(officer, procedure, Envelope.ADMINISTRATIVE)
    mine, other = (Bid.objects.get(lot=lot, operator=o) for o in (world.operator, third))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ps.decide_bid(officer, mine, ps.EXCLUDE, reason="DURC irregolare alla data di presentazione.")
    (notice,) = mailoutbox
    assert notice.to == ["operatore_economico@example.test"] and "DURC irregolare" in notice.body
    page = login_as("operatore_economico").get(reverse("procurement:online_bid", args=[procedure.pk, lot.pk]))
    assert 'id="bid-outcome"' in page.content.decode() and "DURC irregolare" in page.content.decode()
    assert AuditEvent.objects.filter(action="procedure.bid.exclude", object_id=str(mine.pk)).exists()
    ps.decide_bid(officer, other, ps.ADMIT)
    bidding.open_envelopes(officer, procedure, Envelope.ECONOMIC)
    procedure = ps.transition_procedure(officer, procedure, life.START_EVALUATION)
    ps.evaluate_lot(officer, lot)
    give_requirements(world.home, third.pk)
    procedure = ps.transition_procedure(officer, procedure, life.PROPOSE_AWARD)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ps.award_lot(officer, lot)
    recipients = sorted(address for message in mailoutbox for address in message.to)
    assert "operatore_economico@example.test" in recipients
    assert all(third.name in message.body for message in mailoutbox)
    assert Notification.objects.filter(
        kind="procurement.award", recipient__username="operatore_economico"
    ).exists()
    assert Notification.objects.filter(kind="procurement.exclusion", subject__contains="esclusa").count() == 1


def test_the_daily_clean_up_deletes_only_sealed_files_no_document_names_a_day_old(world, media):
    """What a worker killed between the sealed file and its row leaves behind goes after a day; the files of
    the documents, and an orphan written less than a day ago (an upload in flight), stay."""
    _procedure, lot = open_procedure_with_invitations(world.home, world, world.operator)
    bid = submit_bid(world.operator, lot)
    storage = default_storage
    kept = [document.sealed_file.name for document in bid.documents.all()]
    folder = kept[0].rsplit("/", 1)[0]
    old_orphan = storage.save(f"{folder}/orfano-vecchio.sealed", ContentFile(b"sealed bytes"))
    new_orphan = storage.save(f"{folder}/orfano-nuovo.sealed", ContentFile(b"sealed bytes"))
    a_day_and_a_minute_ago = (timezone.now() - timedelta(days=1, minutes=1)).timestamp()
    for name in (old_orphan, *kept):
        os.utime(storage.path(name), (a_day_and_a_minute_ago, a_day_and_a_minute_ago))

    assert purge_orphan_sealed_files.call() == 1
    assert not storage.exists(old_orphan)
    assert storage.exists(new_orphan) and all(storage.exists(name) for name in kept)
