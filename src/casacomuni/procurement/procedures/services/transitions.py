"""The procedure's life: which transitions its state and facts allow (rules.procedure_lifecycle), and making them."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.accounts.actor import Actor
from casacomuni.procurement.procedures.models import (
    BidStatus,
    Criterion,
    LotState,
    Procedure,
)
from casacomuni.procurement.procedures.services.common import event, locked
from casacomuni.procurement.procedures.services.drafting import check_deadline
from casacomuni.procurement.rules import confidentiality
from casacomuni.procurement.rules import procedure_lifecycle as life

# --- Transitions --------------------------------------------------------------------------------------------


def _lifecycle_facts(procedure: Procedure, now: datetime | None = None) -> life.ProcedureFacts:
    lots = list(
        procedure.lots.exclude(state=LotState.CANCELLED)
        .annotate(admitted=Count("bids", filter=Q(bids__status=BidStatus.ADMITTED)))
        .select_related("evaluation")
    )
    facts = []
    for lot in lots:
        evaluation = getattr(lot, "evaluation", None)
        facts.append(
            life.LotFacts(
                number=lot.number,
                has_cig=bool(lot.cig),
                admitted_bids=lot.admitted,
                has_evaluation=evaluation is not None,
                has_winner=evaluation is not None
                and bool(
                    (evaluation.result or {}).get("winner")
                    or (evaluation.result or {}).get("tied_for_first")
                    or lot.awarded_operator_id
                ),
                awarded=lot.state == LotState.AWARDED
                and lot.awarded_operator_id is not None
                and lot.awarded_amount is not None
                and lot.award_date is not None,
                deserted=lot.state == LotState.DESERTED,
                contract_recorded=lot.contract_date is not None and lot.contract_amount is not None,
            )
        )
    has_criterion = procedure.criterion != Criterion.OEPV or bool(procedure.oepv_settings)
    return life.ProcedureFacts(
        state=procedure.state,
        lots=tuple(facts),
        now=now or timezone.now(),
        bid_deadline=procedure.bid_deadline,
        has_criterion=has_criterion,
    )


def available_actions(procedure: Procedure, now=None) -> list[dict]:
    """The actions of the state, each with the problems that block it now (shown next to its button)."""
    facts = _lifecycle_facts(procedure, now)
    return [
        {"name": action, "problems": [p.text(_) for p in life.problems(action, facts, reason="-")]}
        for action in life.allowed_actions(procedure.state)
    ]


@transaction.atomic
def transition_procedure(
    actor: Actor, procedure: Procedure, action: str, reason: str | None = None, now=None
) -> Procedure:
    """Move the procedure by ``action`` (rules.procedure_lifecycle), audited; ValidationError (code "state")
    with every problem when it cannot be taken."""
    procedure = locked(actor, procedure)
    now = now or timezone.now()
    reason = (reason or "").strip()
    if action == life.PUBLISH and procedure.bid_deadline is not None:
        check_deadline(procedure, procedure.bid_deadline, timezone.localdate(now))
    facts = _lifecycle_facts(procedure, now)
    try:
        target = life.require(action, facts, reason)
    except life.TransitionError as refused:
        raise ValidationError(" ".join(p.text(_) for p in refused.problems), code="state") from refused
    source = procedure.state
    procedure.state = target
    changes: dict[str, list] = {"state": [source, target]}
    if action == life.PUBLISH:
        procedure.published_at = now
        procedure.ocid = procedure.make_ocid()
        changes["ocid"] = [None, procedure.ocid]
    elif action == life.AWARD:
        procedure.awarded_at = now
    elif action == life.SIGN_CONTRACT:
        procedure.contract_signed_at = now
    if target in (life.DESERTED, life.CANCELLED):
        procedure.closed_at = now
        procedure.state_reason = reason
        changes["state_reason"] = ["", reason]
        lot_state = LotState.DESERTED if target == life.DESERTED else LotState.CANCELLED
        procedure.lots.exclude(state=LotState.AWARDED).update(state=lot_state, state_reason=reason)
    if action == life.PROPOSE_AWARD:
        # Lots without admitted bids are deserted (art. 54-style per-lot outcome).
        for lot in procedure.lots.filter(state=LotState.OPEN).annotate(
            admitted=Count("bids", filter=Q(bids__status=BidStatus.ADMITTED))
        ):
            if lot.admitted == 0:
                lot.state = LotState.DESERTED
                lot.state_reason = _("No admitted bid.")
                lot.save(update_fields=["state", "state_reason"])
    procedure.updated_at = now
    procedure.save()
    event(
        actor, procedure, action, changes, log=True, from_state=source, to_state=target, reason=reason, at=now
    )
    return procedure


# --- Confidentiality until the deadline (art. 35 c.2-3: rules.confidentiality) ------------------------------


def names_disclosed(procedure: Procedure, now: datetime | None = None) -> bool:
    """Whether anybody but the SUA may know the invitees, the bidders and how many bid."""
    return confidentiality.disclosed(now or timezone.now(), procedure.bid_deadline)
