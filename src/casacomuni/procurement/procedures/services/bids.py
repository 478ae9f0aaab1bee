"""Bids: recording the bids received by the deadline, and admitting or excluding them."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.lib.bounds import MAX_AMOUNT
from casacomuni.procurement.procedures.models import (
    Bid,
    BidSource,
    BidStatus,
    Criterion,
    Evaluation,
    Lot,
    Procedure,
)
from casacomuni.procurement.procedures.services.common import ROME, event, locked, require_lot_action
from casacomuni.procurement.rules import oepv
from casacomuni.procurement.rules import procedure_lifecycle as life

# --- Bids ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BidData:
    """A bid as the officer records it. ``received_at`` is the time of receipt the platform or the protocol
    recorded: required, never assumed to be now."""

    operator_id: int
    received_at: datetime | None
    discount_percent: object = None
    price: object = None
    technical_score: object = None


def _rome_time(moment: datetime) -> str:
    """A moment in Italian time and format, for messages: "16/03/2026, ore 12:00"."""
    return timezone.localtime(moment, ROME).strftime("%d/%m/%Y, ore %H:%M")


def check_receipt(procedure: Procedure, received_at: datetime | None, errors: dict) -> datetime | None:
    """The time of receipt, if given, not in the future and not after the deadline for offers: the law admits
    no bid received after the deadline (art. 71 ff. D.Lgs. 36/2023; the platform records the exact time of
    receipt, art. 25 and Dir. 2014/24 Annex IV)."""
    if received_at is None:
        errors["received_at"] = _("Enter when the bid was received.")
        return None
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at, ROME)
    if received_at > timezone.now():
        errors["received_at"] = _("The time of receipt cannot be in the future.")
    elif procedure.bid_deadline and received_at > procedure.bid_deadline:
        errors["received_at"] = _(
            "The bid was received on %(received)s, after the deadline for offers (%(deadline)s, Italian "
            "time): the law admits no bid received after the deadline (art. 71 ff. D.Lgs. 36/2023)."
        ) % {"received": _rome_time(received_at), "deadline": _rome_time(procedure.bid_deadline)}
    return received_at


def clean_bid(procedure: Procedure, lot: Lot, data: BidData) -> dict:
    errors: dict = {}
    operator = Organization.objects.filter(pk=data.operator_id, kind=OrganizationKind.OPERATOR).first()
    if operator is None:
        errors["operator"] = _("Choose an economic operator.")
    elif (
        procedure.uses_invitations
        and lot.invitations.exists()
        and not lot.invitations.filter(operator=operator).exists()
    ):
        errors["operator"] = _("In a negotiated procedure only invited operators bid.")
    elif lot.bids.filter(operator=operator).exists():
        errors["operator"] = _("This operator already has a bid on the lot.")

    def number(name, value, places, low, high):
        if value in (None, ""):
            return None
        try:
            parsed = Decimal(str(value))
        except InvalidOperation:
            errors[name] = _("Enter a number.")
            return None
        if not parsed.is_finite() or not low <= parsed <= high:
            errors[name] = _("Enter a value from %(low)s to %(high)s.") % {"low": low, "high": high}
            return None
        if parsed != parsed.quantize(Decimal(1).scaleb(-places)):
            errors[name] = _("Enter at most %(places)d decimal places.") % {"places": places}
            return None
        return parsed

    discount = number("discount_percent", data.discount_percent, 4, Decimal("0"), Decimal("99.9999"))
    price = number("price", data.price, 2, Decimal("0.01"), MAX_AMOUNT)
    score = None
    if procedure.criterion == Criterion.OEPV:
        technical_max = Decimal(str(procedure.oepv_settings.get("technical_max") or "0"))
        score = number(
            "technical_score", data.technical_score, 3, Decimal("0"), technical_max or Decimal("0")
        )
        if score is None and "technical_score" not in errors:
            errors["technical_score"] = _("An OEPV bid needs its technical score.")
        if procedure.oepv_settings.get("formula") == oepv.INVERSE:
            if price is None and "price" not in errors:
                errors["price"] = _("The inverse formula reads the price: enter it.")
        elif discount is None and "discount_percent" not in errors:
            errors["discount_percent"] = _("Enter the discount.")
    elif discount is None and "discount_percent" not in errors:
        errors["discount_percent"] = _("A lowest-price bid needs its discount.")
    received_at = check_receipt(procedure, data.received_at, errors)
    if errors:
        raise ValidationError(errors)
    return {
        "operator": operator,
        "discount_percent": discount,
        "price": price,
        "technical_score": score,
        "received_at": received_at,
    }


@transaction.atomic
def record_bid(actor: Actor, lot: Lot, data: BidData) -> Bid:
    """The officer records a bid received (sealed online bids will come with source "online")."""
    procedure = locked(actor, lot.procedure)
    lot = Lot.objects.select_for_update().get(pk=lot.pk, procedure=procedure)
    require_lot_action(procedure, lot, life.RECORD_BID)
    cleaned = clean_bid(procedure, lot, data)
    bid = Bid.objects.create(
        lot=lot,
        source=BidSource.RECORDED_BY_OFFICER,
        recorded_by=actor.user,
        **cleaned,
    )
    event(
        actor,
        procedure,
        "bid.record",
        {
            "lot": [None, lot.number],
            "operator": [None, cleaned["operator"].pk],
            "discount_percent": [None, cleaned["discount_percent"]],
            "price": [None, cleaned["price"]],
            "technical_score": [None, cleaned["technical_score"]],
            "received_at": [None, cleaned["received_at"]],
        },
        obj=bid,
    )
    return bid


ADMIT = "admit"
EXCLUDE = "exclude"


@transaction.atomic
def decide_bid(actor: Actor, bid: Bid, decision: str, reason: str = "", now: datetime | None = None) -> Bid:
    """Admit a bid, or exclude it with the reasons (the excluded operator is told them): only after the
    deadline for offers (``rules.procedure_lifecycle.bid_decision_problems``)."""
    procedure = locked(actor, bid.lot.procedure)
    bid = Bid.objects.select_for_update().select_related("lot").get(pk=bid.pk, lot__procedure=procedure)
    require_lot_action(procedure, bid.lot, life.DECIDE_BID)
    refused = life.bid_decision_problems(now or timezone.now(), procedure.bid_deadline)
    if refused:
        raise ValidationError(" ".join(p.text(_) for p in refused), code="state")
    reason = (reason or "").strip()
    if decision not in (ADMIT, EXCLUDE):
        raise ValidationError({"decision": _("Choose admit or exclude.")})
    if decision == EXCLUDE and not reason:
        raise ValidationError({"reason": _("Write the reasons for the exclusion.")})
    status = BidStatus.ADMITTED if decision == ADMIT else BidStatus.EXCLUDED
    changes = {
        "status": [bid.status, status],
        "exclusion_reason": [bid.exclusion_reason, reason if decision == EXCLUDE else ""],
    }
    # A change of the admitted set makes the lot's evaluation stale: drop it, readmitting the bids it found
    # anomalous (this one included, before the officer's decision applies).
    drop_evaluation(bid.lot)
    bid.status = status
    bid.exclusion_reason = reason if decision == EXCLUDE else ""
    bid.save(update_fields=["status", "exclusion_reason"])
    event(actor, procedure, f"bid.{decision}", changes, obj=bid)
    return bid


def drop_evaluation(lot: Lot) -> None:
    """Delete the lot's evaluation and readmit the bids it excluded as anomalous: they were admitted bids,
    excluded only by that computation."""
    lot.bids.filter(status=BidStatus.ANOMALOUS).update(status=BidStatus.ADMITTED, exclusion_reason="")
    Evaluation.objects.filter(lot=lot).delete()
