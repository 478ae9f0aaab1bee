"""Read-side helpers of the procedure pages: totals, route, deadlines, savings, timeline."""

from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.procurement.calculators import results as calculators
from casacomuni.procurement.procedures.models import (
    LotState,
    Procedure,
)
from casacomuni.procurement.procedures.services.common import CENT
from casacomuni.procurement.procedures.services.drafting import minimum_deadline, route_for
from casacomuni.procurement.requests.models import ProcurementRequest
from casacomuni.procurement.rules import deadlines as procs
from casacomuni.procurement.rules import router

# --- Selectors for the draft page ---------------------------------------------------------------------------


def _procedure_total(procedure: Procedure, lots=None) -> Decimal:
    lots = lots if lots is not None else list(procedure.lots.all())
    return sum((lot.total_amount for lot in lots if lot.state != LotState.CANCELLED), Decimal("0"))


def route_of(procedure: Procedure, lots=None) -> router.RouteDecision:
    """The router's verdict on the aggregated value at the publication day (today for a draft)."""
    day = timezone.localdate(procedure.published_at) if procedure.published_at else timezone.localdate()
    return route_for(procedure.kind, _procedure_total(procedure, lots), day, procedure.criterion)


def route_summary(procedure: Procedure, lots=None) -> dict:
    return calculators.route_result(route_of(procedure, lots))


def deadline_info(procedure: Procedure) -> dict:
    """The minimum deadline from today (or the publication day); for it and the chosen one, the holiday,
    Saturday or Sunday they fall on and the day the period really ends (Reg. 1182/71 art. 3(4))."""
    start = timezone.localdate(procedure.published_at) if procedure.published_at else timezone.localdate()
    minimum = minimum_deadline(procedure, start)
    chosen_day = timezone.localdate(procedure.bid_deadline) if procedure.bid_deadline else None
    chosen_holiday = procs.holiday_on(chosen_day) if chosen_day else None
    return {
        "start": start,
        "minimum": minimum,
        "chosen": chosen_day,
        "holiday": _(chosen_holiday) if chosen_holiday else None,
        "ends_on": procs.next_working_day(chosen_day) if chosen_day and chosen_holiday else None,
        "minimum_holiday": _(minimum.holiday) if minimum and minimum.holiday else None,
        "minimum_ends_on": minimum.ends_on if minimum and minimum.holiday else None,
    }


# --- Read-side helpers --------------------------------------------------------------------------------------


def savings(lots) -> dict:
    """Savings per lot and in total: base amount − awarded amount, on awarded lots."""
    rows = [(lot, lot.savings) for lot in lots]
    awarded = [(lot, s) for lot, s in rows if s is not None]
    total = sum((s for _lot, s in awarded), Decimal("0"))
    base = sum((lot.base_amount for lot, _s in awarded), Decimal("0"))
    return {
        "lots": {lot.pk: s for lot, s in rows},
        "total": total if awarded else None,
        "percent": (total * 100 / base).quantize(CENT) if awarded and base else None,
    }


def timeline(procedure: Procedure, lots=None) -> list[dict]:
    """Request submitted → accepted → published → deadline → award → contract, with dates (fixed queries)."""
    lots = lots if lots is not None else list(procedure.lots.all())
    request_ids = [lot.request_id for lot in lots if lot.request_id]
    steps = []
    if request_ids:
        # An accepted request changes no more: its last update is its acceptance.
        dates = list(
            ProcurementRequest.objects.filter(pk__in=request_ids).values_list("submitted_at", "updated_at")
        )
        steps.append({"code": "submitted", "label": _("Request submitted"), "at": min(d[0] for d in dates)})
        steps.append({"code": "accepted", "label": _("Request accepted"), "at": max(d[1] for d in dates)})
    steps.append({"code": "created", "label": _("Procedure prepared"), "at": procedure.created_at})
    steps.append({"code": "published", "label": _("Published"), "at": procedure.published_at})
    steps.append({"code": "deadline", "label": _("Deadline for offers"), "at": procedure.bid_deadline})
    award_days = [lot.award_date for lot in lots if lot.award_date]
    steps.append({"code": "award", "label": _("Award"), "at": max(award_days) if award_days else None})
    contract_days = [lot.contract_date for lot in lots if lot.contract_date]
    steps.append(
        {
            "code": "contract",
            "label": _("Contract signed"),
            "at": max(contract_days) if contract_days else None,
        }
    )
    if procedure.closed_at:
        steps.append(
            {"code": procedure.state, "label": procedure.get_state_display(), "at": procedure.closed_at}
        )
    for step in steps:
        at = step["at"]
        step["day"] = (timezone.localdate(at) if isinstance(at, datetime) else at) if at else None
    return steps


def deadline_datetime(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))
