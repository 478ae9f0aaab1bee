"""Procedures of the SUA (procedures.services): creation from accepted requests, draft settings and deadlines,
transitions, clarifications, bids, evaluation (anomaly, OEPV), award, contract, savings, timeline, minutes."""

import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from casacomuni.accounts.actor import Actor
from casacomuni.audit.models import AuditEvent
from casacomuni.procurement.procedures import services as ps
from casacomuni.procurement.procedures.models import (
    BidStatus,
    Evaluation,
    EvaluationMethod,
    Lot,
    LotState,
    Procedure,
    ProcedureEvent,
)
from casacomuni.procurement.rules import deadlines as procs
from casacomuni.procurement.rules import procedure_lifecycle as life
from casacomuni.procurement.testing import (
    make_accepted_request,
    make_operators,
    make_procedure,
    make_request,
    next_cig,
    sua_adhesion,
    sua_officer,
)

pytestmark = pytest.mark.django_db


def actor(world, persona):
    user = world.acting(persona)
    return Actor(user=user, membership=user.acting_as)


# --- Creation -----------------------------------------------------------------------------------------------


def test_a_procedure_from_one_accepted_request(world):
    request = make_accepted_request(world.home, world.home.comune, base_amount=Decimal("100000.00"))
    procedure = ps.create_procedure(actor(world, "funzionario_sua"), [request.pk])
    lot = procedure.lots.get()
    assert (lot.number, lot.municipality, lot.request, lot.base_amount) == (
        1,
        world.home.comune,
        request,
        Decimal("100000.00"),
    )
    # Works below 150.000: direct award (art. 50 c.1 lett. a); lowest price unless OEPV is mandatory.
    assert procedure.procedure_type == procs.DIRECT_AWARD and procedure.criterion == "lowest_price"
    assert procedure.state == life.DRAFT and procedure.ocid is None
    assert AuditEvent.objects.filter(action="procedure.create", organization=world.home.province_org).exists()
    assert list(procedure.requests.all()) == [request]


def test_an_aggregated_procedure_has_one_lot_per_comune_and_is_routed_on_the_total(world):
    # Art. 14 c.9: the value of a contract split in lots is the sum of the lots: 2 × 100.000 of works is in the
    # 150.000-1.000.000 band, a negotiated procedure with 5 operators (art. 50 c.1 lett. c).
    first = make_accepted_request(world.home, world.home.comune, base_amount=Decimal("100000.00"))
    second = make_accepted_request(world.home, world.home.sibling_comune, base_amount=Decimal("100000.00"))
    procedure = ps.create_procedure(
        actor(world, "funzionario_sua"), [second.pk, first.pk], "Scuole dei due Comuni"
    )
    lots = list(procedure.lots.order_by("number"))
    assert [lot.municipality for lot in lots] == [world.home.comune, world.home.sibling_comune]
    assert procedure.procedure_type == procs.NEGOTIATED_BELOW_THRESHOLD
    assert procedure.title == "Scuole dei due Comuni"


def test_creation_refusals_write_nothing(world):
    sua = actor(world, "funzionario_sua")
    sua_adhesion(world.home, world.home.comune)
    submitted = make_request(world.home.comune)
    accepted = make_accepted_request(world.home, world.home.sibling_comune)
    foreign = make_accepted_request(world.elsewhere, world.elsewhere.comune)
    same_comune = make_accepted_request(world.home, world.home.sibling_comune, title="Altro oggetto")
    supplies = make_accepted_request(
        world.home, world.home.union, contract_kind="supplies", cpv_code="30192000"
    )
    cases = [
        ([], "requests"),
        ([submitted.pk], "requests"),  # not accepted
        ([foreign.pk], "requests"),  # another Province's
        ([accepted.pk, same_comune.pk], "requests"),  # one lot per Comune
        ([accepted.pk, supplies.pk], "requests"),  # one kind of contract
    ]
    for ids, field in cases:
        with pytest.raises(ValidationError) as refused:
            ps.create_procedure(sua, ids)
        assert field in refused.value.message_dict, ids
    assert not Procedure.objects.exists()
    ps.create_procedure(sua, [accepted.pk])
    with pytest.raises(ValidationError):  # a request is in one procedure only
        ps.create_procedure(sua, [accepted.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        Lot.objects.create(
            procedure=Procedure.objects.get(),
            number=9,
            title="x",
            municipality=world.home.sibling_comune,
            request=accepted,
            cpv="45214210",
            base_amount=1,
        )
    with pytest.raises(PermissionDenied):
        ps.create_procedure(actor(world, "referente_comune"), [accepted.pk])
    with pytest.raises(PermissionDenied):
        ps.create_procedure(actor(world, "funzionario_europa"), [accepted.pk])


# --- Draft settings and deadlines ---------------------------------------------------------------------------


def test_an_open_procedure_deadline_cannot_be_shorter_than_30_days(world):
    # Art. 71 c.2 D.Lgs. 36/2023: at least 30 days from the notice for an open procedure.
    procedure = make_procedure(world.home, world)
    sua = sua_officer(world.home)
    today = timezone.localdate()
    short = ps.deadline_datetime(today + timedelta(days=29))
    with pytest.raises(ValidationError) as refused:
        ps.update_procedure(
            sua, procedure, ps.ProcedureChanges(procedure_type=procs.OPEN, bid_deadline=short)
        )
    message = refused.value.message_dict["bid_deadline"][0]
    assert (today + timedelta(days=30)).isoformat() in message and "30" in message
    procedure.refresh_from_db()
    assert procedure.procedure_type == procs.NEGOTIATED_BELOW_THRESHOLD  # nothing written
    ok = ps.deadline_datetime(today + timedelta(days=30))
    ps.update_procedure(sua, procedure, ps.ProcedureChanges(procedure_type=procs.OPEN, bid_deadline=ok))
    info = ps.deadline_info(Procedure.objects.get(pk=procedure.pk))
    assert info["minimum"].days == 30 and info["minimum"].day == today + timedelta(days=30)
    # With a prior information notice the open procedure's term may be 15 days (art. 71 c.3).
    ps.update_procedure(
        sua,
        procedure,
        ps.ProcedureChanges(
            deadline_reductions=[procs.PRIOR_INFORMATION],
            bid_deadline=ps.deadline_datetime(today + timedelta(days=15)),
        ),
    )


def test_a_deadline_on_a_holiday_is_flagged(world):
    procedure = make_procedure(world.home, world)
    day = timezone.localdate() + timedelta(days=31)
    while procs.holiday_on(day) is None:
        day += timedelta(days=1)
    ps.update_procedure(
        sua_officer(world.home), procedure, ps.ProcedureChanges(bid_deadline=ps.deadline_datetime(day))
    )
    assert ps.deadline_info(Procedure.objects.get(pk=procedure.pk))["holiday"] == gettext(
        procs.holiday_on(day)
    )


def test_a_deadline_on_a_saturday_is_flagged_with_the_day_the_period_ends(world, client):
    """Reg. 1182/71 art. 3(4): a period ending on a Saturday ends on the next working day; the procedure's
    deadline box says so."""
    procedure = make_procedure(world.home, world)
    day = timezone.localdate() + timedelta(days=31)
    while day.weekday() != 5 or procs.holiday_on(day + timedelta(days=2)) is not None:
        day += timedelta(days=1)
    ps.update_procedure(
        sua_officer(world.home), procedure, ps.ProcedureChanges(bid_deadline=ps.deadline_datetime(day))
    )
    info = ps.deadline_info(Procedure.objects.get(pk=procedure.pk))
    assert info["holiday"] == "Sabato" and info["ends_on"] == day + timedelta(days=2)
    client.force_login(world.acting("funzionario_sua"))
    page = client.get(reverse("procurement:procedure_detail", args=[procedure.pk])).content.decode()
    monday = (day + timedelta(days=2)).strftime("%d/%m/%Y")
    assert "Giorno non lavorativo: Sabato" in page
    assert f"Il termine scade in realtà il giorno {monday}, primo giorno lavorativo successivo" in page


def test_publication_refuses_a_deadline_now_too_short(world):
    # The minimum counts from the publication day: a deadline set earlier may no longer suffice.
    procedure = make_procedure(world.home, world)
    sua = sua_officer(world.home)
    today = timezone.localdate()
    ps.update_procedure(
        sua,
        procedure,
        ps.ProcedureChanges(
            procedure_type=procs.OPEN, bid_deadline=ps.deadline_datetime(today + timedelta(days=30))
        ),
    )
    later = timezone.now() + timedelta(days=3)
    with pytest.raises(ValidationError):
        ps.transition_procedure(sua, procedure, life.PUBLISH, now=later)
    assert Procedure.objects.get(pk=procedure.pk).state == life.DRAFT


def test_cig_checked_and_unique(world):
    procedure = make_procedure(world.home, world)
    other = make_procedure(world.home, world, party=world.home.sibling_comune)
    sua = sua_officer(world.home)
    with pytest.raises(ValidationError) as refused:
        ps.update_lot(sua, procedure.lots.get(), ps.LotChanges(cig="B00012EADC"))
    assert "cig" in refused.value.message_dict
    taken = other.lots.get().cig
    with pytest.raises(ValidationError):
        ps.update_lot(sua, procedure.lots.get(), ps.LotChanges(cig=taken))
    ps.update_lot(sua, procedure.lots.get(), ps.LotChanges(cig="k00003ec3a"))
    assert procedure.lots.get().cig == "K00003EC3A"


def test_anomaly_and_oepv_settings_are_validated(world):
    procedure = make_procedure(world.home, world)
    sua = sua_officer(world.home)
    with pytest.raises(ValidationError) as refused:
        ps.update_procedure(sua, procedure, ps.ProcedureChanges(anomaly_parameters={"method": "C"}))
    assert "anomaly_parameters" in refused.value.message_dict  # method C needs its percentile
    ps.update_procedure(
        sua, procedure, ps.ProcedureChanges(anomaly_parameters={"method": "B", "decimals": 4})
    )
    assert Procedure.objects.get(pk=procedure.pk).anomaly_parameters["method"] == "B"
    # Art. 108 c.4: labour-intensive contracts weigh the price at most 30 %.
    heavy = {"criteria": [{"code": "A", "max_points": "60"}], "economic_max": "40", "labour_intensive": True}
    with pytest.raises(ValidationError):
        ps.update_procedure(sua, procedure, ps.ProcedureChanges(criterion="oepv", oepv_settings=heavy))
    with pytest.raises(ValidationError):  # OEPV without its criteria
        ps.update_procedure(sua, procedure, ps.ProcedureChanges(criterion="oepv"))
    fine = heavy | {"economic_max": "30", "criteria": [{"code": "A", "max_points": "70"}]}
    ps.update_procedure(sua, procedure, ps.ProcedureChanges(criterion="oepv", oepv_settings=fine))
    assert Procedure.objects.get(pk=procedure.pk).oepv_settings["technical_max"] == "70"


def test_only_a_draft_is_edited(world):
    procedure = make_procedure(world.home, world, state="published")
    with pytest.raises(ValidationError):
        ps.update_procedure(sua_officer(world.home), procedure, ps.ProcedureChanges(title="Nuovo"))


# --- The whole path -----------------------------------------------------------------------------------------


def test_from_request_to_contract_with_anomaly_exclusion(world):
    procedure = make_procedure(world.home, world, state="contract_signed")
    lot = procedure.lots.get()
    evaluation = lot.evaluation
    # Five bids, works below threshold, lowest price: Allegato II.2 method A with n < 15 (worked in
    # test_anomaly); wings 10,50 and 27,90 set aside; M = 13,450, SM = 1,550, rho 0,115 <= 0,15, T = 16,140.
    assert evaluation.method == EvaluationMethod.ANOMALY_A
    assert evaluation.result["threshold"] == "16.140"
    assert [row["name"] for row in evaluation.result["excluded_names"]][0].endswith("5 S.r.l.")
    assert lot.awarded_amount == Decimal("127500.00")  # 150.000,00 less 15 %
    assert lot.savings == Decimal("22500.00")
    assert procedure.state == life.CONTRACT_SIGNED and procedure.ocid == f"ocds-casadc-{procedure.pk}"
    steps = {step["code"]: step["day"] for step in ps.timeline(procedure)}
    assert all(
        steps[code] for code in ("submitted", "accepted", "published", "deadline", "award", "contract")
    )
    actions = list(ProcedureEvent.objects.filter(procedure=procedure).values_list("action", flat=True))
    assert actions == [
        "create",
        "publish",
        "open_bids",
        "close_bids",
        "start_evaluation",
        "propose_award",
        "award",
        "sign_contract",
    ]
    audited = set(
        AuditEvent.objects.filter(organization=world.home.province_org).values_list("action", flat=True)
    )
    assert {
        "procedure.publish",
        "procedure.bid.record",
        "procedure.evaluate",
        "procedure.lot.award",
        "procedure.lot.contract",
    } <= audited


def test_minutes_in_docx_and_pdf_carry_every_value(world):
    procedure = make_procedure(world.home, world, state="evaluation")
    evaluation = procedure.lots.get().evaluation
    with evaluation.minutes_pdf.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    with evaluation.minutes_docx.open("rb") as docx, zipfile.ZipFile(io.BytesIO(docx.read())) as package:
        text = package.read("word/document.xml").decode()
    for value in ("16,140 %", "Soglia di anomalia", "13,450", "Graduatoria", procedure.lots.get().cig):
        assert value in text, value


def test_fewer_than_five_bids_are_ranked_without_exclusion(world):
    # Art. 54 c.1: automatic exclusion only with at least five admitted bids.
    procedure = make_procedure(world.home, world, state="evaluation", discounts=("10", "30", "20", "15"))
    result = procedure.lots.get().evaluation.result
    assert procedure.lots.get().evaluation.method == EvaluationMethod.RANKING
    assert result["excluded"] == [] and [row["discount"] for row in result["ranking"]] == [
        "30",
        "20",
        "15",
        "10",
    ]
    assert [reason["code"] for reason in result["reasons"]] == ["too_few_bids"]


def test_supplies_are_never_excluded_automatically(world):
    # Art. 54 c.1: works and services only.
    procedure = make_procedure(
        world.home,
        world,
        state="evaluation",
        contract_kind="supplies",
        cpv_code="30192000",
        base_amount=Decimal("180000.00"),
    )
    evaluation = procedure.lots.get().evaluation
    assert evaluation.method == EvaluationMethod.RANKING
    assert [reason["code"] for reason in evaluation.result["reasons"]] == ["supplies"]


def test_a_tie_for_first_needs_a_recorded_draw(world):
    procedure = make_procedure(world.home, world, state="proposed_award", discounts=("10", "12", "12", "11"))
    lot = procedure.lots.get()
    tied = lot.evaluation.result["tied_for_first"]
    assert len(tied) == 2
    sua = sua_officer(world.home)
    with pytest.raises(ValidationError):
        ps.award_lot(sua, lot)
    with pytest.raises(ValidationError):
        ps.award_lot(sua, lot, operator_id=int(tied[0]))  # no record of the draw
    ps.award_lot(sua, lot, operator_id=int(tied[1]), draw_reason="Sorteggio in seduta pubblica del 3 marzo.")
    lot.refresh_from_db()
    assert lot.awarded_operator_id == int(tied[1]) and lot.state == LotState.AWARDED
    # A lot is awarded once: the other tied operator cannot be put in its place afterwards (art. 17 c.5).
    with pytest.raises(ValidationError, match="non è aperto"):
        ps.award_lot(sua, lot, operator_id=int(tied[0]), draw_reason="Secondo sorteggio.")
    lot.refresh_from_db()
    assert lot.awarded_operator_id == int(tied[1])


def test_excluded_bids_leave_a_deserted_procedure(world):
    procedure = make_procedure(world.home, world, state="bids_open")
    lot = procedure.lots.get()
    sua = sua_officer(world.home)
    operator = make_operators(world.home, 1)[0]
    bid = ps.record_bid(sua, lot, ps.BidData(operator.pk, timezone.now(), discount_percent="5"))
    later = procedure.bid_deadline + timedelta(minutes=1)
    with pytest.raises(ValidationError):  # before the deadline
        ps.transition_procedure(sua, procedure, life.CLOSE_BIDS)
    procedure = ps.transition_procedure(sua, procedure, life.CLOSE_BIDS, now=later)
    ps.decide_bid(sua, bid, ps.EXCLUDE, "Offerta priva della garanzia provvisoria.", now=later)
    with pytest.raises(ValidationError):
        ps.transition_procedure(sua, procedure, life.START_EVALUATION, now=later)
    with pytest.raises(ValidationError):  # reasons required
        ps.transition_procedure(sua, procedure, life.DECLARE_DESERTED, now=later)
    procedure = ps.transition_procedure(
        sua, procedure, life.DECLARE_DESERTED, "Nessuna offerta ammissibile.", now=later
    )
    assert procedure.state == life.DESERTED and procedure.lots.get().state == LotState.DESERTED
    assert procedure.state_reason == "Nessuna offerta ammissibile."


def test_bids_are_checked(world):
    procedure = make_procedure(world.home, world, state="bids_open")
    lot = procedure.lots.get()
    sua = sua_officer(world.home)
    operator = make_operators(world.home, 1)[0]
    for data, field in (
        (ps.BidData(operator.pk, timezone.now()), "discount_percent"),
        (ps.BidData(operator.pk, timezone.now(), discount_percent="100"), "discount_percent"),
        (ps.BidData(operator.pk, timezone.now(), discount_percent="1.23456"), "discount_percent"),
        (ps.BidData(world.home.comune.pk, timezone.now(), discount_percent="5"), "operator"),
    ):
        with pytest.raises(ValidationError) as refused:
            ps.record_bid(sua, lot, data)
        assert field in refused.value.message_dict
    ps.record_bid(sua, lot, ps.BidData(operator.pk, timezone.now(), discount_percent="5"))
    with pytest.raises(ValidationError):
        ps.record_bid(sua, lot, ps.BidData(operator.pk, timezone.now(), discount_percent="6"))
    assert lot.bids.get().status == BidStatus.RECEIVED
    draft = make_procedure(world.home, world, party=world.home.sibling_comune)
    with pytest.raises(ValidationError):
        ps.record_bid(sua, draft.lots.get(), ps.BidData(operator.pk, timezone.now(), discount_percent="5"))


def test_a_late_bid_is_refused_naming_the_deadline_in_italian_time(world):
    """Art. 71 ff. D.Lgs. 36/2023: a bid received after the deadline for offers is not admitted; the message
    names the deadline in Italian time and format, and nothing is written."""
    procedure = make_procedure(world.home, world, state="bids_open")
    lot = procedure.lots.get()
    sua = sua_officer(world.home)
    operator = make_operators(world.home, 1)[0]
    deadline = timezone.now() - timedelta(hours=1)
    Procedure.objects.filter(pk=procedure.pk).update(bid_deadline=deadline)
    with pytest.raises(ValidationError) as refused:
        ps.record_bid(sua, lot, ps.BidData(operator.pk, timezone.now(), discount_percent="5"))
    message = refused.value.message_dict["received_at"][0]
    assert timezone.localtime(deadline).strftime("%d/%m/%Y, ore %H:%M") in message
    assert "art. 71" in message and not lot.bids.exists()
    # Received in time, recorded later: admitted with its own time of receipt.
    received = deadline - timedelta(minutes=5)
    bid = ps.record_bid(sua, lot, ps.BidData(operator.pk, received, discount_percent="5"))
    assert bid.received_at == received


def test_the_time_of_receipt_is_never_assumed(world):
    """The time of receipt is the one recorded (art. 25, Dir. 2014/24 Annex IV): none, or one in the future,
    is refused."""
    procedure = make_procedure(world.home, world, state="bids_open")
    lot = procedure.lots.get()
    sua = sua_officer(world.home)
    operator = make_operators(world.home, 1)[0]
    for received in (None, timezone.now() + timedelta(hours=2)):
        with pytest.raises(ValidationError) as refused:
            ps.record_bid(sua, lot, ps.BidData(operator.pk, received, discount_percent="5"))
        assert "received_at" in refused.value.message_dict
    assert not lot.bids.exists()


def test_the_anomalous_bid_becomes_excluded_with_the_reason_and_the_threshold(world):
    """Art. 54 c.1 D.Lgs. 36/2023: the bid above the threshold is excluded automatically. BID_DISCOUNTS,
    method A with n = 5 < 15 (Allegato II.2): wings 10,50 and 27,90; R = {12,25 13,10 15,00}, S = 40,35,
    M = 13,45; above M only 15,00: SM = 1,55; rho = 1,55 / 13,45 = 0,115 <= 0,15, T = 1,20 x 13,45 = 16,140:
    27,90 is excluded, its status says so; re-evaluating computes on the same five bids; dropping the
    evaluation readmits it."""
    procedure = make_procedure(world.home, world, state="evaluation")
    lot = procedure.lots.get()
    anomalous = lot.bids.get(discount_percent=Decimal("27.9"))
    assert anomalous.status == BidStatus.ANOMALOUS
    assert anomalous.exclusion_reason == (
        "Offerta anomala, art. 54 c.1 D.Lgs. 36/2023: ribasso del 27,900 % superiore alla soglia di "
        "anomalia del 16,140 %"
    )
    assert lot.bids.admitted().count() == 4
    sua = sua_officer(world.home)
    again = ps.evaluate_lot(sua, lot)
    assert again.result["n"] == 5 and again.result["threshold"] == "16.140"
    anomalous.refresh_from_db()
    assert anomalous.status == BidStatus.ANOMALOUS
    other = lot.bids.exclude(pk=anomalous.pk).order_by("pk").first()
    later = procedure.bid_deadline + timedelta(hours=1)
    ps.decide_bid(sua, other, ps.EXCLUDE, "Garanzia provvisoria mancante.", now=later)
    anomalous.refresh_from_db()
    assert (anomalous.status, anomalous.exclusion_reason) == (BidStatus.ADMITTED, "")


def test_method_c_reads_the_reference_discount_of_the_lots_cell(world):
    """Allegato II.2 method C: R_ref from the table by the lot's SOA category (OG1) and band (150,000 euro
    is "fino a 150.000": the first band) at the documents' percentile (80th: 32,000).

    BID_DISCOUNTS: S = 40,35, M = 13,45, SM = 1,55, c1 = 3, c2 = 5, V = 1,55 x 15 / 100 = 0,2325;
    d = 4 + 0 + 3 + 5 = 12, even: T = R_ref - V = 32 - 0,2325 = 31,7675 -> 31,768: no bid is excluded."""
    procedure = make_procedure(world.home, world)
    sua = sua_officer(world.home)
    with pytest.raises(ValidationError) as refused:
        ps.update_procedure(sua, procedure, ps.ProcedureChanges(anomaly_parameters={"method": "C"}))
    assert "percentile" in refused.value.message_dict["anomaly_parameters"][0]
    settings = {"method": "C", "reference_percentile": "80"}
    ps.update_procedure(sua, procedure, ps.ProcedureChanges(anomaly_parameters=settings))
    procedure.refresh_from_db()
    assert procedure.anomaly_parameters["reference_percentile"] == 80
    lot = procedure.lots.get()
    params, cell = ps.lot_anomaly_parameters(procedure, lot)
    assert (cell.category, cell.band, cell.discount) == ("OG1", "0-150000", Decimal("32.000"))
    assert params.reference_discount == Decimal("32.000")


def test_oepv_evaluation_ranks_by_total_score(world):
    procedure = make_procedure(
        world.home, world, contract_kind="services", cpv_code="90911200", base_amount=Decimal("200000.00")
    )
    sua = sua_officer(world.home)
    settings = {"criteria": [{"code": "A", "max_points": "70"}], "economic_max": "30", "formula": "linear"}
    ps.update_procedure(sua, procedure, ps.ProcedureChanges(criterion="oepv", oepv_settings=settings))
    procedure = ps.transition_procedure(sua, Procedure.objects.get(pk=procedure.pk), life.PUBLISH)
    procedure = ps.transition_procedure(sua, procedure, life.OPEN_BIDS)
    lot = procedure.lots.get()
    first, second = make_operators(world.home, 2)
    # Linear on the discount (C = A / A_max): 20 % → 30 points, 10 % → 15 points.
    for operator, discount, technical in ((first, "10", "70"), (second, "20", "50")):
        bid = ps.record_bid(
            sua,
            lot,
            ps.BidData(operator.pk, timezone.now(), discount_percent=discount, technical_score=technical),
        )
    with pytest.raises(ValidationError):  # an OEPV bid needs its technical score
        ps.record_bid(
            sua, lot, ps.BidData(make_operators(world.home, 1)[0].pk, timezone.now(), discount_percent="5")
        )
    later = procedure.bid_deadline + timedelta(minutes=1)
    ps.transition_procedure(sua, procedure, life.CLOSE_BIDS, now=later)
    for bid in lot.bids.all():
        ps.decide_bid(sua, bid, ps.ADMIT, now=later)
    ps.transition_procedure(sua, procedure, life.START_EVALUATION, now=later)
    evaluation = ps.evaluate_lot(sua, lot)
    ranking = evaluation.result["ranking"]
    assert [(row["name"], row["total"]) for row in ranking] == [
        (first.name, "85.000"),
        (second.name, "80.000"),
    ]
    assert evaluation.result["winner"] == str(first.pk) and evaluation.method == EvaluationMethod.OEPV


def test_admitting_or_excluding_after_evaluation_drops_the_stale_evaluation(world):
    procedure = make_procedure(world.home, world, state="evaluation")
    lot = procedure.lots.get()
    later = procedure.bid_deadline + timedelta(hours=1)
    ps.decide_bid(
        sua_officer(world.home), lot.bids.first(), ps.EXCLUDE, "Verifica dei requisiti negativa.", now=later
    )
    assert not Evaluation.objects.filter(lot=lot).exists()
    with pytest.raises(ValidationError):
        ps.transition_procedure(sua_officer(world.home), procedure, life.PROPOSE_AWARD)


def test_clarifications(world):
    procedure = make_procedure(world.home, world, state="published")
    operator = actor(world, "operatore_economico")
    question = ps.ask_clarification(operator, procedure, "Serve il sopralluogo?")
    assert question.asker_organization == world.operator and not question.published
    ps.answer_clarification(
        sua_officer(world.home), question, "No.", published_question="Serve il sopralluogo?"
    )
    question.refresh_from_db()
    assert question.published and question.answer == "No."
    with pytest.raises(PermissionDenied):
        ps.answer_clarification(operator, question, "Sì.")
    with pytest.raises(PermissionDenied):
        ps.ask_clarification(actor(world, "referente_comune"), procedure, "?")
    draft = make_procedure(world.home, world, party=world.home.sibling_comune)
    with pytest.raises(ValidationError):  # not published yet
        ps.ask_clarification(operator, draft, "Domanda")


def test_another_provinces_sua_cannot_touch_the_procedure(world):
    procedure = make_procedure(world.home, world)
    with pytest.raises(PermissionDenied):
        ps.transition_procedure(sua_officer(world.elsewhere), procedure, life.CANCEL, "x")
    with pytest.raises(PermissionDenied):
        ps.update_lot(sua_officer(world.elsewhere), procedure.lots.get(), ps.LotChanges(cig=next_cig()))


def test_cancel_with_reasons_cancels_the_lots(world):
    procedure = make_procedure(world.home, world, state="published")
    procedure = ps.transition_procedure(
        sua_officer(world.home), procedure, life.CANCEL, "Finanziamento revocato."
    )
    assert procedure.state == life.CANCELLED and procedure.lots.get().state == LotState.CANCELLED


def test_tenancy_of_the_querysets(world):
    procedure = make_procedure(world.home, world, state="evaluation")
    other = make_procedure(world.elsewhere, world)
    for persona, expected in (
        ("funzionario_sua", {procedure.pk}),
        ("amministratore_provincia", {procedure.pk}),
        ("referente_comune", {procedure.pk}),
        ("funzionario_europa", set()),
        ("dirigente_upi", set()),
        ("operatore_economico", set()),
    ):
        assert (
            set(Procedure.objects.for_user(world.acting(persona)).values_list("pk", flat=True)) == expected
        ), persona
    assert other.pk not in set(
        Procedure.objects.for_user(world.acting("funzionario_sua")).values_list("pk", flat=True)
    )
