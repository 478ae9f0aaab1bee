"""What every write of the procedures shares: the guards (role, Province, state), the lock and the audit event."""

from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import SUA_ROLES, OrganizationKind
from casacomuni.audit.services import record_event
from casacomuni.procurement.procedures.models import (
    Lot,
    Procedure,
    ProcedureEvent,
)
from casacomuni.procurement.rules import anomaly
from casacomuni.procurement.rules import procedure_lifecycle as life

ROME = ZoneInfo("Europe/Rome")
CENT = Decimal("0.01")
_ROUNDING_NAMES = {mode: mode for mode in anomaly.ROUNDING_MODES}


# --- Guards -------------------------------------------------------------------------------------------------


def sua_of(actor: Actor) -> Organization:
    """The Province whose SUA the actor acts for; PermissionDenied for anybody else."""
    tenancy.require_role(actor.user, *SUA_ROLES)
    org = actor.organization
    if org is None or org.kind != OrganizationKind.PROVINCE:
        raise PermissionDenied
    return org


def locked(actor: Actor, procedure: Procedure) -> Procedure:
    """The procedure re-read under a row lock, if the actor's SUA runs it (404-like refusal otherwise)."""
    org = sua_of(actor)
    try:
        return Procedure.objects.select_for_update().get(pk=procedure.pk, province=org)
    except Procedure.DoesNotExist as missing:
        raise PermissionDenied from missing


def require_state(procedure: Procedure, *states: str, message: str | None = None) -> None:
    if procedure.state not in states:
        raise ValidationError(
            message
            or _("This cannot be done in the state %(state)s.") % {"state": procedure.get_state_display()},
            code="state",
        )


# Why a lot action is refused: because of the procedure's state, or of the lot's own.
_LOT_ACTION_REFUSALS = {
    life.EDIT_LOT: gettext_lazy("Only a draft procedure can be changed."),
    life.ENTER_CIG: gettext_lazy("Only a draft procedure can be changed."),
    life.RECORD_BID: gettext_lazy("Bids are recorded while bids are open or just closed."),
    life.DECIDE_BID: gettext_lazy("Bids are admitted or excluded before the award is proposed."),
    life.EVALUATE_LOT: gettext_lazy("Start the evaluation first."),
    life.AWARD_LOT: gettext_lazy("The award follows the proposed award."),
    life.RECORD_CONTRACT: gettext_lazy("The contract follows the award."),
}
_LOT_STATE_REFUSALS = {
    life.LOT_OPEN: gettext_lazy("The lot is not open."),
    life.LOT_AWARDED: gettext_lazy("The lot is not awarded."),
}


def require_lot_action(procedure: Procedure, lot: Lot, action: str) -> None:
    """ValidationError (code "state") unless ``rules.procedure_lifecycle.lot_actions`` allows ``action`` on
    ``lot`` now, saying whether the procedure or the lot stands in the way."""
    if action in life.lot_actions(procedure.state, lot.state):
        return
    for lot_state, message in _LOT_STATE_REFUSALS.items():
        if action in life.lot_actions(procedure.state, lot_state):
            raise ValidationError(message, code="state")
    raise ValidationError(_LOT_ACTION_REFUSALS[action], code="state")


def event(actor: Actor, procedure: Procedure, action: str, changes=None, obj=None, *, log=False, **fields):
    """Audit event in the Province's chain; with ``log`` also a ProcedureEvent for the timeline."""
    record_event(
        actor, f"procedure.{action}", obj or procedure, changes or {}, organization=procedure.province
    )
    if log:
        ProcedureEvent.objects.create(procedure=procedure, action=action, by=actor.user, **fields)


def touch(procedure: Procedure) -> None:
    procedure.updated_at = timezone.now()
    procedure.save(update_fields=["updated_at"])
