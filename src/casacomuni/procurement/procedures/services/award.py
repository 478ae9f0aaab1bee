"""Award, contract, and the checks of the winner's requirements (art. 17 c.5, art. 52, artt. 94-95)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from casacomuni.accounts.actor import Actor
from casacomuni.procurement.procedures.models import (
    Evaluation,
    Lot,
    LotState,
    Procedure,
    ProcedureType,
)
from casacomuni.procurement.procedures.services.common import event, locked, require_lot_action, touch
from casacomuni.procurement.procedures.services.drafting import parse_amount
from casacomuni.procurement.procedures.tasks import send_award_notice
from casacomuni.procurement.register.models import (
    LIVE_STATES,
    DocumentKind,
    OperatorDocument,
)
from casacomuni.procurement.requests.models import ContractKind
from casacomuni.procurement.rules import procedure_lifecycle as life
from casacomuni.procurement.rules import requirements

# --- Award and contract -------------------------------------------------------------------------------------


@transaction.atomic
def award_lot(
    actor: Actor,
    lot: Lot,
    award_date: date | None = None,
    operator_id: int | None = None,
    draw_reason: str = "",
) -> Lot:
    """Award data from the ranking: the first-ranked operator and its amount (base less discount, or its price).
    With a tie for first, ``operator_id`` picks among the tied, with the record of the fair draw."""
    procedure = locked(actor, lot.procedure)
    lot = Lot.objects.select_for_update().get(pk=lot.pk, procedure=procedure)
    require_lot_action(procedure, lot, life.AWARD_LOT)
    evaluation = Evaluation.objects.filter(lot=lot).first()
    if evaluation is None:
        raise ValidationError(_("The lot has no evaluation."), code="state")
    result = evaluation.result
    winner = result.get("winner")
    tied = result.get("tied_for_first") or []
    if not winner:
        if str(operator_id) not in tied:
            raise ValidationError({"operator": _("Bids are tied for first: choose one of them, as drawn.")})
        if not (draw_reason or "").strip():
            raise ValidationError({"draw_reason": _("Record how the fair draw was held.")})
        winner = str(operator_id)
    row = next(r for r in result["ranking"] if r["operator"] == winner)
    award_date = award_date or timezone.localdate()
    if procedure.published_at and award_date < timezone.localdate(procedure.published_at):
        raise ValidationError({"award_date": _("The award cannot precede the publication.")})
    bid = lot.bids.filter(operator_id=int(winner)).first()
    changes = {
        "awarded_operator": [lot.awarded_operator_id, int(winner)],
        "awarded_amount": [lot.awarded_amount, Decimal(row["amount"])],
        "award_date": [lot.award_date, award_date],
    }
    lot.awarded_operator_id = int(winner)
    lot.awarded_bid = bid
    lot.awarded_amount = Decimal(row["amount"])
    lot.award_date = award_date
    lot.state = LotState.AWARDED
    lot.save()
    touch(procedure)
    if draw_reason:
        changes["draw_reason"] = [None, draw_reason.strip()]
    # What the officer saw of the winner's requirements when awarding (art. 17 c.5), for the record.
    checked = [_requirement_json(r) for r in _lot_requirements(procedure, lot, award_date)]
    changes["award_requirements"] = [_requirements_text(lot.award_requirements), _requirements_text(checked)]
    lot.award_requirements = checked
    lot.save(update_fields=["award_requirements"])
    event(actor, procedure, "lot.award", changes, obj=lot)
    transaction.on_commit(lambda: send_award_notice.enqueue(lot.pk))
    return lot


@transaction.atomic
def record_contract(
    actor: Actor, lot: Lot, contract_date: date, contract_amount, requirements_reason: str = ""
) -> Lot:
    """The contract of an awarded lot. The winner's requirements are checked on the contract day
    (``rules.requirements``): while a required one is expired or missing the contract is refused, unless the
    officer writes the reasoned decision to sign all the same, kept with the lot, in the trail and in the
    procedure's timeline."""
    procedure = locked(actor, lot.procedure)
    lot = Lot.objects.select_for_update().get(pk=lot.pk, procedure=procedure)
    require_lot_action(procedure, lot, life.RECORD_CONTRACT)
    errors: dict = {}
    amount = parse_amount(errors, "contract_amount", contract_amount, required=True)
    if contract_date is None:
        errors["contract_date"] = _("This field is required.")
    elif lot.award_date and contract_date < lot.award_date:
        errors["contract_date"] = _("The contract cannot precede the award.")
    if errors:
        raise ValidationError(errors)
    checks = _lot_requirements(procedure, lot, contract_date)
    reason = (requirements_reason or "").strip() if requirements.blocking(checks) else ""
    if requirements.blocking(checks) and not reason:
        raise ValidationError({"requirements_reason": _blocking_message(checks)})
    stored = [_requirement_json(row) for row in checks]
    changes = {
        "contract_date": [lot.contract_date, contract_date],
        "contract_amount": [lot.contract_amount, amount],
        "contract_requirements": [_requirements_text(lot.contract_requirements), _requirements_text(stored)],
        "contract_requirements_reason": [lot.contract_requirements_reason, reason],
    }
    lot.contract_date = contract_date
    lot.contract_amount = amount
    lot.contract_requirements = stored
    lot.contract_requirements_reason = reason
    lot.save(
        update_fields=[
            "contract_date",
            "contract_amount",
            "contract_requirements",
            "contract_requirements_reason",
        ]
    )
    touch(procedure)
    event(actor, procedure, "lot.contract", changes, obj=lot)
    if reason:
        event(
            actor,
            procedure,
            REQUIREMENTS_DECISION,
            {"lot": [None, lot.number], "contract_requirements_reason": [None, reason]},
            obj=lot,
            log=True,
            reason=f"{_('Lot %(number)s') % {'number': lot.number}}: {_blocking_summary(checks)}. {reason}",
        )
    return lot


# --- Requirements of the winner (art. 17 c.5, art. 52, artt. 94-95: rules.requirements) ----------------------

REQUIREMENTS_DECISION = "requirements_decision"
_REQUIREMENT_KINDS = {kind.value: kind.label for kind in DocumentKind}
_REQUIREMENT_STATES = {
    requirements.VALID: pgettext_lazy("requirement state", "Valid"),
    requirements.EXPIRING: pgettext_lazy("requirement state", "Expiring"),
    requirements.EXPIRED: pgettext_lazy("requirement state", "Expired"),
    requirements.MISSING: pgettext_lazy("requirement state", "Missing"),
}


def _winner_of(lot: Lot) -> int | None:
    """The awarded operator, or the one the evaluation ranks first (before the award)."""
    if lot.awarded_operator_id:
        return lot.awarded_operator_id
    if hasattr(lot, "current_evaluation"):  # read with the page's other lots (procedure_views.render_detail)
        evaluation = lot.current_evaluation
    else:
        evaluation = Evaluation.objects.filter(lot=lot).first()
    return evaluation.winner_operator_id if evaluation else None


def _register_documents(province_id: int, operator_ids) -> dict[int, list[requirements.Document]]:
    """The documents of the operators' entries standing in the Province's albo, by operator: one query."""
    rows = OperatorDocument.objects.filter(
        registration__province_id=province_id,
        registration__operator_id__in=[pk for pk in operator_ids if pk],
        registration__state__in=LIVE_STATES,
    ).values_list("registration__operator_id", "kind", "issued_on", "expires_on", "original_name")
    found: dict[int, list[requirements.Document]] = {}
    for operator_id, kind, issued_on, expires_on, name in rows:
        found.setdefault(operator_id, []).append(requirements.Document(kind, issued_on, expires_on, name))
    return found


def _requirements_for(procedure: Procedure, lot: Lot, documents, day: date) -> list[requirements.Requirement]:
    return requirements.check(
        documents,
        day,
        works=procedure.kind == ContractKind.WORKS,
        amount=lot.base_amount + lot.safety_costs,
        direct_award=procedure.procedure_type == ProcedureType.DIRECT_AWARD,
    )


def _lot_requirements(procedure: Procedure, lot: Lot, day: date) -> list[requirements.Requirement]:
    winner = _winner_of(lot)
    documents = _register_documents(procedure.province_id, [winner]).get(winner, []) if winner else []
    return _requirements_for(procedure, lot, documents, day)


def winners_requirements(procedure: Procedure, lots, day: date) -> dict[int, list[dict]]:
    """For the award step: per lot with a winner, its requirements on ``day`` as rows to show (kind, state,
    expiry, whether required and why). One query for every lot."""
    winners = {lot.pk: _winner_of(lot) for lot in lots}
    documents = _register_documents(procedure.province_id, winners.values())
    return {
        lot.pk: [
            requirement_row(r) for r in _requirements_for(procedure, lot, documents.get(winner, []), day)
        ]
        for lot in lots
        if (winner := winners[lot.pk])
    }


def _requirement_json(row: requirements.Requirement) -> dict:
    """A requirement as stored with the lot and in the trail: without the document's file name, which belongs
    to the register (the SUA and the operator read it; the trail is read by UPI and the lot by the Comune)."""
    return {
        "kind": row.kind,
        "required": row.required,
        "state": row.state,
        "expires_on": row.expires_on.isoformat() if row.expires_on else None,
        "basis": row.basis,
    }


def requirement_row(row: requirements.Requirement | dict) -> dict:
    """A requirement with its labels, for the pages (from the rule, with the document's name for the SUA, or
    as stored at the contract)."""
    if isinstance(row, requirements.Requirement):
        data = _requirement_json(row) | {"name": row.name}
    else:
        data = dict(row)
    data["kind_label"] = _REQUIREMENT_KINDS.get(data["kind"], data["kind"])
    data["state_label"] = _REQUIREMENT_STATES.get(data["state"], data["state"])
    data["expires_on"] = date.fromisoformat(data["expires_on"]) if data.get("expires_on") else None
    data["blocking"] = data["required"] and data["state"] in (requirements.EXPIRED, requirements.MISSING)
    return data


def _requirements_text(rows: list[dict]) -> str:
    """Stored requirements as the trail shows them: "DURC: Valido, scadenza 07/03/2027; Certificato SOA: …"."""
    parts = []
    for row in map(requirement_row, rows):
        text = f"{row['kind_label']}: {row['state_label']}"
        if row["expires_on"]:
            text += ", " + _("expiry %(day)s") % {"day": row["expires_on"].strftime("%d/%m/%Y")}
        parts.append(text)
    return "; ".join(parts)


def _blocking_summary(checks) -> str:
    """ "DURC: Scaduto il 10/01/2026; Certificato SOA: Mancante" (dates in Italian format)."""
    parts = []
    for row in requirements.blocking(checks):
        label = f"{_REQUIREMENT_KINDS.get(row.kind, row.kind)}: {_REQUIREMENT_STATES[row.state]}"
        if row.expires_on:
            label += " " + _("on %(day)s") % {"day": row.expires_on.strftime("%d/%m/%Y")}
        parts.append(label)
    return "; ".join(parts)


def _blocking_message(checks) -> str:
    return _(
        "The winner's requirements are not verified on the contract day (%(problems)s): renew the documents in "
        "the register, or write the reasoned decision to sign the contract all the same (art. 17 c.5, artt. "
        "94-95 D.Lgs. 36/2023)."
    ) % {"problems": _blocking_summary(checks)}
