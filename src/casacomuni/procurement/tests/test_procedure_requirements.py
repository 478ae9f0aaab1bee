"""The winner's requirements at the award and at the contract (art. 17 c.5, artt. 94-95 D.Lgs. 36/2023; the DURC
valid 120 days, DM 30/01/2015 art. 7): listed on the award step with their state, and the contract refused while
a required one is expired or missing unless the officer records a reasoned decision, kept and shown."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casacomuni.audit.models import AuditEvent
from casacomuni.procurement.procedures import services as ps
from casacomuni.procurement.procedures.models import ProcedureEvent
from casacomuni.procurement.register.models import OperatorDocument
from casacomuni.procurement.testing import make_procedure, sua_officer

pytestmark = pytest.mark.django_db


def winner_documents(lot):
    operator_id = lot.awarded_operator_id or lot.evaluation.winner_operator_id
    return OperatorDocument.objects.filter(registration__operator_id=operator_id)


def expire_durc(lot) -> None:
    """The albo row says "DURC scaduto": issued 200 days ago, so ended 80 days ago."""
    today = timezone.localdate()
    winner_documents(lot).filter(kind="durc").update(
        issued_on=today - timedelta(days=200), expires_on=today - timedelta(days=80)
    )


def evaluation_tab(client, procedure) -> str:
    url = reverse("procurement:procedure_detail", args=[procedure.pk]) + "?scheda=valutazione"
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_award_step_lists_the_winners_requirements_with_their_state(world, login_as):
    procedure = make_procedure(world.home, world, state="proposed_award")
    lot = procedure.lots.get()
    expire_durc(lot)
    page = evaluation_tab(login_as("funzionario_sua"), procedure)
    assert 'id="requirements-1"' in page
    assert 'data-kind="durc" data-state="expired"' in page
    # Works of 150,000 euro: the SOA certificate is required too (art. 100 c.4), and in force.
    assert 'data-kind="soa_certificate" data-state="valid"' in page
    assert "Scaduto" in page and "art. 100 c.4" in page
    # The register's documents are the SUA's and the operator's: the Comune sees no such table.
    assert 'id="requirements-1"' not in evaluation_tab(login_as("referente_comune"), procedure)


def test_a_contract_with_the_winners_durc_expired_needs_a_reasoned_decision(world, login_as):
    procedure = make_procedure(world.home, world, state="awarded")
    lot = procedure.lots.get()
    expire_durc(lot)
    client = login_as("funzionario_sua")
    url = reverse("procurement:lot_contract", args=[procedure.pk, lot.pk])
    day = (lot.award_date + timedelta(days=1)).isoformat()
    form = {f"c{lot.pk}-contract_date": day, f"c{lot.pk}-contract_amount": str(lot.awarded_amount)}
    refused = client.post(url, form)
    assert refused.status_code == 400
    expired_on = (timezone.localdate() - timedelta(days=80)).strftime("%d/%m/%Y")
    assert f"DURC: Scaduto il {expired_on}" in refused.content.decode()
    lot.refresh_from_db()
    assert (
        lot.contract_date is None and not AuditEvent.objects.filter(action="procedure.lot.contract").exists()
    )

    reason = "DURC richiesto all'INPS il 2 marzo, in istruttoria: contratto urgente per l'avvio della scuola."
    assert client.post(url, form | {f"c{lot.pk}-requirements_reason": reason}).status_code == 302
    lot.refresh_from_db()
    assert lot.contract_requirements_reason == reason
    assert {row["kind"]: row["state"] for row in lot.contract_requirements}["durc"] == "expired"
    # At the award the DURC was in force (the factory's, issued 30 days before): stored with the lot too.
    assert {row["kind"]: row["state"] for row in lot.award_requirements}["durc"] == "valid"
    contract = AuditEvent.objects.get(action="procedure.lot.contract")
    assert contract.changes["contract_requirements"][1].startswith(f"DURC: Scaduto, scadenza {expired_on}")
    event = AuditEvent.objects.get(action="procedure.requirements_decision")
    assert event.changes["contract_requirements_reason"] == [None, reason]
    page = evaluation_tab(client, procedure)
    assert 'id="requirements-decision-1"' in page and "DURC richiesto all&#x27;INPS" in page
    # The buyer Comune reads the decision on its lot; the timeline keeps it in the procedure's record.
    assert "DURC richiesto all&#x27;INPS" in evaluation_tab(login_as("referente_comune"), procedure)
    step = ProcedureEvent.objects.get(procedure=procedure, action=ps.REQUIREMENTS_DECISION)
    assert "DURC: Scaduto" in step.reason and reason in step.reason
    timeline = client.get(reverse("procurement:procedure_detail", args=[procedure.pk]) + "?scheda=cronologia")
    assert "Contratto stipulato nonostante i requisiti non verificati" in timeline.content.decode()


def test_a_contract_with_the_winners_durc_missing_is_refused_and_writes_nothing(world):
    procedure = make_procedure(world.home, world, state="awarded")
    lot = procedure.lots.get()
    winner_documents(lot).filter(kind="durc").delete()
    with pytest.raises(ValidationError) as refused:
        ps.record_contract(sua_officer(world.home), lot, lot.award_date, lot.awarded_amount)
    assert "DURC: Mancante" in refused.value.message_dict["requirements_reason"][0]
    lot.refresh_from_db()
    assert lot.contract_date is None and lot.contract_requirements == []


def test_a_contract_with_the_requirements_in_force_needs_no_decision(world):
    procedure = make_procedure(world.home, world, state="awarded")
    lot = procedure.lots.get()
    ps.record_contract(sua_officer(world.home), lot, lot.award_date, lot.awarded_amount, "non serve")
    lot.refresh_from_db()
    assert lot.contract_requirements_reason == ""  # nothing to decide: no reason kept
    assert {row["kind"]: row["state"] for row in lot.contract_requirements} == {
        "durc": "valid",
        "soa_certificate": "valid",
    }
    assert not ProcedureEvent.objects.filter(action=ps.REQUIREMENTS_DECISION).exists()
