"""Write operations on the SUA's procedures, and the selectors their pages and API read.

Every write: checks the actor's role and that the procedure is of the actor's Province (the SUA), runs in one
transaction on the locked procedure, records an audit event in the chain of the Province, and raises
ValidationError (a message per field where there is one) writing nothing when the input or the state refuses.
The law's rules live in ``rules/`` (router, deadlines, anomaly, oepv, rotation, procedure_lifecycle).
"""

import json
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OPERATOR_ROLES, SUA_ROLES, OrganizationKind
from casacomuni.audit.services import record_event
from casacomuni.lib import identifiers
from casacomuni.lib.bounds import MAX_AMOUNT
from casacomuni.procurement.calculators import results as calculators
from casacomuni.procurement.procedures.models import (
    Bid,
    BidSource,
    BidStatus,
    Clarification,
    Criterion,
    Evaluation,
    EvaluationMethod,
    Invitation,
    Lot,
    LotState,
    Procedure,
    ProcedureEvent,
    ProcedureType,
    default_anomaly_parameters,
)
from casacomuni.procurement.register.models import (
    LIVE_STATES,
    DocumentKind,
    OperatorDocument,
    RegisteredOperator,
    RegistrationState,
)
from casacomuni.procurement.requests.models import ContractKind, ProcurementRequest, RequestState
from casacomuni.procurement.rules import (
    anomaly,
    confidentiality,
    oepv,
    reference_discounts,
    requirements,
    rotation,
    router,
)
from casacomuni.procurement.rules import deadlines as procs
from casacomuni.procurement.rules import procedure_lifecycle as life

ROME = ZoneInfo("Europe/Rome")
CENT = Decimal("0.01")
ROUNDING_NAMES = {mode: mode for mode in anomaly.ROUNDING_MODES}


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
LOT_ACTION_REFUSALS = {
    life.EDIT_LOT: gettext_lazy("Only a draft procedure can be changed."),
    life.ENTER_CIG: gettext_lazy("Only a draft procedure can be changed."),
    life.RECORD_BID: gettext_lazy("Bids are recorded while bids are open or just closed."),
    life.DECIDE_BID: gettext_lazy("Bids are admitted or excluded before the award is proposed."),
    life.EVALUATE_LOT: gettext_lazy("Start the evaluation first."),
    life.AWARD_LOT: gettext_lazy("The award follows the proposed award."),
    life.RECORD_CONTRACT: gettext_lazy("The contract follows the award."),
}
LOT_STATE_REFUSALS = {
    life.LOT_OPEN: gettext_lazy("The lot is not open."),
    life.LOT_AWARDED: gettext_lazy("The lot is not awarded."),
}


def require_lot_action(procedure: Procedure, lot: Lot, action: str) -> None:
    """ValidationError (code "state") unless ``rules.procedure_lifecycle.lot_actions`` allows ``action`` on
    ``lot`` now, saying whether the procedure or the lot stands in the way."""
    if action in life.lot_actions(procedure.state, lot.state):
        return
    for lot_state, message in LOT_STATE_REFUSALS.items():
        if action in life.lot_actions(procedure.state, lot_state):
            raise ValidationError(message, code="state")
    raise ValidationError(LOT_ACTION_REFUSALS[action], code="state")


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


# --- Creation -----------------------------------------------------------------------------------------------


def route_for(kind: str, amount: Decimal, day: date, criterion: str | None = None) -> router.RouteDecision:
    return router.route(kind, amount, day, sua_qualification=router.ADVANCED, criterion=criterion)


@transaction.atomic
def create_procedure(
    actor: Actor, request_ids, title: str = "", description: str = "", now=None
) -> Procedure:
    """A procedure in draft from one accepted request (one lot) or from accepted requests of several Comuni of
    the actor's Province (one lot per Comune, aggregated: art. 14 c.9 sums the lots' values). The procedure
    type and criterion are the router's first answer for the aggregated value; the officer may change them."""
    org = sua_of(actor)
    ids = sorted({int(pk) for pk in request_ids or ()})
    if not ids:
        raise ValidationError({"requests": _("Choose at least one accepted request.")})
    requests = list(
        ProcurementRequest.objects.select_for_update()
        .filter(pk__in=ids, province=org)
        .select_related("municipality")
        .order_by("pk")
    )
    found = {request.pk for request in requests}
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise ValidationError(
            {
                "requests": _("No request of your Province has the id(s) %(ids)s.")
                % {"ids": ", ".join(missing)}
            }
        )
    not_accepted = [f"#{r.pk}" for r in requests if r.state != RequestState.ACCEPTED]
    if not_accepted:
        raise ValidationError(
            {
                "requests": _("Only accepted requests: %(ids)s not accepted.")
                % {"ids": ", ".join(not_accepted)}
            }
        )
    taken = list(Lot.objects.filter(request__in=requests).values_list("request_id", flat=True))
    if taken:
        raise ValidationError(
            {
                "requests": _("Request(s) %(ids)s are already in a procedure.")
                % {"ids": ", ".join(f"#{pk}" for pk in sorted(taken))}
            }
        )
    parties = [r.municipality_id for r in requests]
    if len(set(parties)) != len(parties):
        raise ValidationError(
            {
                "requests": _(
                    "An aggregated procedure has one lot per Comune: two requests are of the same Comune."
                )
            }
        )
    kinds = {r.contract_kind for r in requests}
    if len(kinds) != 1:
        raise ValidationError(
            {
                "requests": _(
                    "The requests are of different kinds of contract: aggregate requests of one kind."
                )
            }
        )
    kind = kinds.pop()
    first = requests[0]
    total = sum((r.total_amount for r in requests), Decimal("0"))
    now = now or timezone.now()
    decision = route_for(kind, total, timezone.localdate(now))
    procedure_type = decision.procedures.value[0].code
    criterion = Criterion.OEPV if decision.oepv_mandatory.value else Criterion.LOWEST_PRICE
    if not title:
        title = (
            first.title
            if len(requests) == 1
            else ngettext(
                "%(title)s and %(count)d other lot", "%(title)s and %(count)d other lots", len(requests) - 1
            )
            % {
                "title": first.title,
                "count": len(requests) - 1,
            }
        )
    procedure = Procedure.objects.create(
        province=org,
        title=title[:300],
        description=description or first.description,
        kind=kind,
        procedure_type=procedure_type,
        criterion=criterion,
        cpv=first.cpv_code,
        anomaly_parameters=default_anomaly_parameters(),
        created_by=actor.user,
        created_at=now,
        updated_at=now,
    )
    for number, request in enumerate(requests, start=1):
        Lot.objects.create(
            procedure=procedure,
            number=number,
            title=request.title[:300] if len(requests) > 1 else request.title,
            municipality=request.municipality,
            request=request,
            cup=request.cup,
            cpv=request.cpv_code,
            category="" if kind == ContractKind.WORKS else request.cpv_code[:5],
            base_amount=request.base_amount,
            options_amount=request.options_amount,
        )
    event(
        actor,
        procedure,
        "create",
        {"requests": [None, ids], "procedure_type": [None, procedure_type], "criterion": [None, criterion]},
        log=True,
        to_state=life.DRAFT,
        at=now,
    )
    return procedure


# --- Draft editing ------------------------------------------------------------------------------------------


def parse_amount(errors: dict, name: str, value, required=False) -> Decimal | None:
    if value in (None, ""):
        if required:
            errors[name] = _("This field is required.")
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        errors[name] = _("Enter a number.")
        return None
    if not number.is_finite() or number < 0 or number > MAX_AMOUNT:
        errors[name] = _("Enter an amount in euro, zero or more.")
        return None
    if number != number.quantize(CENT):
        errors[name] = _("Enter an amount with at most 2 decimal places.")
        return None
    return number


def minimum_deadline(procedure: Procedure, start: date) -> procs.Deadline | None:
    """The earliest lawful deadline for offers counted from ``start`` (artt. 71-73), or None when the law sets no
    minimum (art. 50 and art. 76 procedures: a congruous term, art. 92)."""
    try:
        return procs.minimum_deadline(
            procedure.procedure_type, start, tuple(procedure.deadline_reductions or ())
        )
    except procs.DeadlineError:
        return None


def check_deadline(procedure: Procedure, deadline: datetime, start: date) -> procs.Deadline | None:
    """Refuse a deadline shorter than the minimum (the message names it) or not after ``start``."""
    if timezone.is_naive(deadline):
        deadline = timezone.make_aware(deadline)
    day = timezone.localtime(deadline).date()
    if day <= start:
        raise ValidationError({"bid_deadline": _("The deadline must come after the publication day.")})
    minimum = minimum_deadline(procedure, start)
    if minimum is None:
        return procs.Deadline(day, (day - start).days, "art. 92 D.Lgs. 36/2023", procs.holiday_on(day))
    try:
        return procs.validate_chosen_deadline(day, minimum)
    except procs.DeadlineError as refused:
        raise ValidationError({"bid_deadline": _(refused.message) % refused.params}) from refused


def anomaly_settings(data: dict) -> dict:
    """The stored anomaly settings with every default filled in (unknown keys dropped)."""
    defaults = default_anomaly_parameters()
    return defaults | {key: value for key, value in (data or {}).items() if key in defaults}


def anomaly_parameters_from(
    data: dict, reference_discount: Decimal | None = None
) -> anomaly.AnomalyParameters:
    """Stored settings to the rules' parameters, with the lot's R_ref for method C; ValidationError on a bad
    setting."""
    values = anomaly_settings(data)
    del values["reference_percentile"]
    values["reference_discount"] = reference_discount if values["method"] == anomaly.METHOD_C else None
    try:
        return anomaly.AnomalyParameters(**values)
    except (ValueError, TypeError, InvalidOperation) as refused:
        raise ValidationError({"anomaly_parameters": str(refused)}) from refused


def anomaly_parameters_json(params: anomaly.AnomalyParameters) -> dict:
    return {
        "method": params.method,
        "wing_rule": params.wing_rule,
        "exclude_equal_to_threshold": params.exclude_equal_to_threshold,
        "decimals": params.decimals,
        "rounding": params.rounding,
        "round_intermediates": params.round_intermediates,
        "reference_discount": None if params.reference_discount is None else str(params.reference_discount),
        "stated_in_documents": params.stated_in_documents,
        "method_drawn": params.method_drawn,
    }


def reference_cell(procedure: Procedure, lot: Lot, settings: dict | None = None) -> reference_discounts.Cell:
    """Method C's R_ref for ``lot``: the table's cell for its SOA category and amount band at the percentile
    of the documents, from the table in force when the procedure was published (today for a draft)."""
    percentile = anomaly_settings(settings or procedure.anomaly_parameters)["reference_percentile"]
    day = timezone.localdate(procedure.published_at or timezone.now())
    try:
        return reference_discounts.reference_cell(lot.category, lot.total_amount, int(percentile or 0), day)
    except (reference_discounts.ReferenceDiscountError, TypeError, ValueError) as refused:
        message = (
            _(refused.message) % refused.params
            if isinstance(refused, reference_discounts.ReferenceDiscountError)
            else str(refused)
        )
        raise ValidationError(
            {
                "anomaly_parameters": _("Lot %(number)s: %(reason)s")
                % {"number": lot.number, "reason": message}
            }
        ) from refused


def reference_choices(procedure: Procedure) -> list[tuple[int, str]]:
    """The percentiles of the table, each with the R_ref it gives every lot (category and band from the lot),
    for the officer who fixes method C's reference discount in the documents."""
    day = timezone.localdate(procedure.published_at or timezone.now())
    lots = list(procedure.lots.order_by("number"))
    choices = []
    for percentile in reference_discounts.table_on(day).percentiles:
        cells = []
        for lot in lots:
            try:
                cell = reference_discounts.reference_cell(lot.category, lot.total_amount, percentile, day)
            except reference_discounts.ReferenceDiscountError:
                cells.append(_("lot %(number)s: SOA category not set") % {"number": lot.number})
                continue
            cells.append(
                _("lot %(number)s (%(category)s, %(band)s) %(discount)s %%")
                % {
                    "number": lot.number,
                    "category": cell.category,
                    "band": cell.band_words,
                    "discount": anomaly.italian_number(cell.discount, 3),
                }
            )
        choices.append(
            (
                percentile,
                _("%(percentile)sth percentile: %(cells)s")
                % {"percentile": percentile, "cells": "; ".join(cells)},
            )
        )
    return choices


def lot_anomaly_parameters(
    procedure: Procedure, lot: Lot
) -> tuple[anomaly.AnomalyParameters, reference_discounts.Cell | None]:
    """The rules' parameters for one lot and, for method C, the table's cell its R_ref was read from."""
    settings = anomaly_settings(procedure.anomaly_parameters)
    cell = reference_cell(procedure, lot, settings) if settings["method"] == anomaly.METHOD_C else None
    return anomaly_parameters_from(settings, cell.discount if cell else None), cell


def clean_anomaly_settings(procedure: Procedure, data: dict) -> dict:
    """The settings checked as the evaluation will read them: for method C every lot must have its cell."""
    settings = anomaly_settings(data)
    if settings["reference_percentile"] in ("", None):
        settings["reference_percentile"] = None
    cells = [
        reference_cell(procedure, lot, settings)
        for lot in procedure.lots.all()
        if settings["method"] == anomaly.METHOD_C
    ]
    params = anomaly_parameters_from(settings, cells[0].discount if cells else None)
    stored = anomaly_parameters_json(params)
    del stored["reference_discount"]
    return stored | {"reference_percentile": int(settings["reference_percentile"]) if cells else None}


OEPV_DEFAULTS = {
    "criteria": [],
    "economic_max": "30",
    "formula": oepv.LINEAR,
    "x": None,
    "rescale": [],
    "minimum_technical": None,
    "cut": None,
    "labour_intensive": False,
    "strategic_it": False,
    "decimals": 3,
}


def oepv_criteria(settings: dict) -> tuple[oepv.Criterion, ...]:
    return tuple(
        oepv.Criterion(
            str(c["code"]),
            Decimal(str(c["max_points"])),
            tuple(
                oepv.SubCriterion(str(s["code"]), Decimal(str(s["max_points"])))
                for s in c.get("sub_criteria", ())
            ),
        )
        for c in settings.get("criteria", ())
    )


def clean_oepv_settings(data: dict) -> dict:
    """The OEPV settings checked: criteria tree with positive points, the formula, the art. 108 c.4 caps."""
    settings = OEPV_DEFAULTS | (data or {})
    try:
        criteria = oepv_criteria(settings)
        if not criteria:
            raise ValidationError(
                {"oepv_settings": _("Give at least one technical criterion with its points.")}
            )
        for criterion in criteria:
            parts = criterion.parts()
            if criterion.max_points <= 0 or any(part.max_points <= 0 for part in parts):
                raise ValidationError({"oepv_settings": _("Every criterion needs positive points.")})
            if (
                criterion.sub_criteria
                and sum(s.max_points for s in criterion.sub_criteria) != criterion.max_points
            ):
                raise ValidationError(
                    {
                        "oepv_settings": _("The sub-criteria of %(code)s must add up to its points.")
                        % {"code": criterion.code}
                    }
                )
        technical_max = sum(c.max_points for c in criteria)
        economic_max = Decimal(str(settings["economic_max"]))
        oepv.validate_weights(
            technical_max,
            economic_max,
            labour_intensive=bool(settings["labour_intensive"]),
            strategic_it=bool(settings["strategic_it"]),
        )
        oepv.EconomicFormula(settings["formula"], Decimal(str(settings["x"])) if settings.get("x") else None)
        if settings.get("minimum_technical") not in (None, "") and settings.get("cut") not in oepv.CUTS:
            raise ValidationError(
                {
                    "oepv_settings": _(
                        "With a minimum technical score, say whether it cuts before or after re-scaling."
                    )
                }
            )
    except oepv.OepvError as refused:
        raise ValidationError({"oepv_settings": _(refused.message) % refused.params}) from refused
    except (InvalidOperation, KeyError, TypeError, ValueError) as refused:
        raise ValidationError({"oepv_settings": _("The OEPV settings are not valid.")}) from refused
    settings["technical_max"] = str(technical_max)
    return json.loads(json.dumps(settings, default=str))


@dataclass(frozen=True)
class ProcedureChanges:
    """What the officer may change in draft; None leaves a value as it is."""

    title: str | None = None
    description: str | None = None
    procedure_type: str | None = None
    criterion: str | None = None
    cpv: str | None = None
    cross_border_interest: bool | None = None
    bid_deadline: datetime | None = None
    deadline_reductions: list | None = None
    anomaly_parameters: dict | None = None
    oepv_settings: dict | None = None


@transaction.atomic
def update_procedure(actor: Actor, procedure: Procedure, changes: ProcedureChanges, today=None) -> Procedure:
    """The draft's settings; the deadline is checked against its minimum counted from ``today`` (the earliest
    publication day)."""
    procedure = locked(actor, procedure)
    require_state(procedure, life.DRAFT, message=_("Only a draft procedure can be changed."))
    errors: dict = {}
    before = {}

    def put(name, value):
        old = getattr(procedure, name)
        if old != value:
            before[name] = [old, value]
            setattr(procedure, name, value)

    if changes.title is not None:
        if not changes.title.strip():
            errors["title"] = _("This field is required.")
        put("title", changes.title.strip()[:300])
    if changes.description is not None:
        put("description", changes.description.strip())
    if changes.procedure_type is not None:
        if changes.procedure_type not in ProcedureType.values:
            errors["procedure_type"] = _("Choose one of: %(expected)s.") % {
                "expected": ", ".join(ProcedureType.values)
            }
        else:
            put("procedure_type", changes.procedure_type)
    if changes.criterion is not None:
        if changes.criterion not in Criterion.values:
            errors["criterion"] = _("Choose one of: %(expected)s.") % {
                "expected": ", ".join(Criterion.values)
            }
        else:
            put("criterion", changes.criterion)
    if changes.cpv is not None:
        check = identifiers.check_cpv(changes.cpv)
        if not check.valid:
            errors["cpv"] = _(check.reason) % check.params
        else:
            put("cpv", check.code)
    if changes.cross_border_interest is not None:
        put("cross_border_interest", changes.cross_border_interest)
    if changes.deadline_reductions is not None:
        unknown = [r for r in changes.deadline_reductions if r not in procs.REDUCTIONS]
        if unknown:
            errors["deadline_reductions"] = _("Unknown reduction.")
        else:
            put("deadline_reductions", list(changes.deadline_reductions))
    if changes.anomaly_parameters is not None:
        try:
            put("anomaly_parameters", clean_anomaly_settings(procedure, changes.anomaly_parameters))
        except ValidationError as refused:
            errors.update(refused.message_dict)
    if changes.oepv_settings is not None:
        try:
            put("oepv_settings", clean_oepv_settings(changes.oepv_settings))
        except ValidationError as refused:
            errors.update(refused.message_dict)
    if (
        procedure.criterion == Criterion.OEPV
        and not procedure.oepv_settings
        and "oepv_settings" not in errors
    ):
        errors["oepv_settings"] = _("An OEPV procedure needs its criteria and weights.")
    if changes.bid_deadline is not None and not errors:
        try:
            check_deadline(procedure, changes.bid_deadline, today or timezone.localdate())
        except ValidationError as refused:
            errors.update(refused.message_dict)
        else:
            put("bid_deadline", changes.bid_deadline)
    if errors:
        raise ValidationError(errors)
    if before:
        procedure.updated_at = timezone.now()
        procedure.save()
        event(actor, procedure, "update", before)
    return procedure


@dataclass(frozen=True)
class LotChanges:
    title: str | None = None
    cig: str | None = None
    cup: str | None = None
    cpv: str | None = None
    category: str | None = None
    soa_class: str | None = None
    base_amount: object = None
    safety_costs: object = None
    options_amount: object = None


@transaction.atomic
def update_lot(actor: Actor, lot: Lot, changes: LotChanges) -> Lot:
    """A lot's data in draft; the CIG (checked with ANAC's algorithm) may also be entered later, until bids are
    closed, because ANAC issues it asynchronously."""
    procedure = locked(actor, lot.procedure)
    lot = Lot.objects.select_for_update().get(pk=lot.pk, procedure=procedure)
    require_lot_action(procedure, lot, life.ENTER_CIG)
    only_cig = life.EDIT_LOT not in life.lot_actions(procedure.state, lot.state)
    errors: dict = {}
    before = {}

    def put(name, value):
        old = getattr(lot, name)
        if old != value:
            before[name] = [old, value]
            setattr(lot, name, value)

    if changes.cig is not None:
        code = changes.cig.strip().upper()
        if code:
            check = identifiers.check_cig(code)
            if not check.valid:
                errors["cig"] = _(check.reason) % check.params
            elif Lot.objects.filter(cig=check.code).exclude(pk=lot.pk).exists():
                errors["cig"] = _("Another lot already has this CIG.")
            else:
                put("cig", check.code)
        elif only_cig:
            errors["cig"] = _("A published lot keeps its CIG.")
        else:
            put("cig", "")
    if not only_cig:
        if changes.title is not None:
            if not changes.title.strip():
                errors["title"] = _("This field is required.")
            put("title", changes.title.strip()[:300])
        if changes.cup is not None:
            code = changes.cup.strip().upper()
            check = identifiers.check_cup(code) if code else None
            if check is not None and not check.valid:
                errors["cup"] = _(check.reason) % check.params
            else:
                put("cup", "" if check is None or check.no_cup else check.code)
        if changes.cpv is not None:
            check = identifiers.check_cpv(changes.cpv)
            if not check.valid:
                errors["cpv"] = _(check.reason) % check.params
            else:
                put("cpv", check.code)
        if changes.category is not None:
            put("category", changes.category.strip().upper()[:8])
        if changes.soa_class is not None:
            if changes.soa_class and changes.soa_class not in rotation.SOA_CLASS_LIMITS:
                errors["soa_class"] = _("Unknown SOA class.")
            else:
                put("soa_class", changes.soa_class)
        for name in ("base_amount", "safety_costs", "options_amount"):
            value = getattr(changes, name)
            if value is not None:
                number = parse_amount(errors, name, value, required=(name == "base_amount"))
                if number is not None:
                    put(name, number)
        if not errors and lot.base_amount <= 0:
            errors["base_amount"] = _("The base amount must be greater than zero.")
    if errors:
        raise ValidationError(errors)
    if before:
        lot.save()
        touch(procedure)
        event(actor, procedure, "lot.update", before, obj=lot)
    return lot


# --- Selectors for the draft page ---------------------------------------------------------------------------


def procedure_total(procedure: Procedure, lots=None) -> Decimal:
    lots = lots if lots is not None else list(procedure.lots.all())
    return sum((lot.total_amount for lot in lots if lot.state != LotState.CANCELLED), Decimal("0"))


def route_of(procedure: Procedure, lots=None) -> router.RouteDecision:
    """The router's verdict on the aggregated value at the publication day (today for a draft)."""
    day = timezone.localdate(procedure.published_at) if procedure.published_at else timezone.localdate()
    return route_for(procedure.kind, procedure_total(procedure, lots), day, procedure.criterion)


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
        "ends_on": procs.next_working_day(chosen_day) if chosen_holiday else None,
        "minimum_holiday": _(minimum.holiday) if minimum and minimum.holiday else None,
        "minimum_ends_on": minimum.ends_on if minimum and minimum.holiday else None,
    }


# --- Transitions --------------------------------------------------------------------------------------------


def lifecycle_facts(procedure: Procedure, now: datetime | None = None) -> life.ProcedureFacts:
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
    facts = lifecycle_facts(procedure, now)
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
    facts = lifecycle_facts(procedure, now)
    try:
        target = life.require(action, facts, reason)
    except life.TransitionError as refused:
        raise ValidationError(" ".join(p.text(_) for p in refused.problems), code="state") from refused
    source = procedure.state
    procedure.state = target
    changes = {"state": [source, target]}
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


# --- Clarifications -----------------------------------------------------------------------------------------


def may_ask(user, procedure: Procedure) -> bool:
    """The SUA running it, or any operator's representative while the procedure takes offers."""
    membership = tenancy.acting_membership(user)
    if membership is None:
        return False
    org = membership.organization
    if org.kind == OrganizationKind.PROVINCE and membership.role in SUA_ROLES:
        return org.pk == procedure.province_id
    if org.kind == OrganizationKind.OPERATOR and membership.role in OPERATOR_ROLES:
        return procedure.state in (life.PUBLISHED, life.BIDS_OPEN)
    return False


@transaction.atomic
def ask_clarification(actor: Actor, procedure: Procedure, question: str) -> Clarification:
    question = (question or "").strip()
    if not may_ask(actor.user, procedure):
        if tenancy.has_role(actor.user, *OPERATOR_ROLES):
            raise ValidationError(
                _("Questions are taken while the procedure is published and open to bids."), code="state"
            )
        raise PermissionDenied
    if not question:
        raise ValidationError({"question": _("This field is required.")})
    if len(question) > 5000:
        raise ValidationError(
            {"question": _("Enter at most %(max_length)s characters.") % {"max_length": 5000}}
        )
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    clarification = Clarification.objects.create(
        procedure=procedure, question=question, asked_by=actor.user, asker_organization=actor.organization
    )
    event(actor, procedure, "clarification.ask", {"question": [None, question]}, obj=clarification)
    return clarification


@transaction.atomic
def answer_clarification(
    actor: Actor,
    clarification: Clarification,
    answer: str,
    publish: bool = True,
    published_question: str | None = None,
) -> Clarification:
    """The SUA's answer and, to publish it, the question as others will read it: edited by the SUA to take out
    who asked. The original stays as asked (the SUA's only, and in the trail with the ask event); the published
    text goes in the trail with this one. Publishing needs that text; ``None`` keeps the one already set."""
    procedure = locked(actor, clarification.procedure)
    clarification = Clarification.objects.select_for_update().get(pk=clarification.pk, procedure=procedure)
    answer = (answer or "").strip()
    shown = clarification.published_question if published_question is None else published_question.strip()
    errors = {}
    if not answer:
        errors["answer"] = _("This field is required.")
    if publish and not shown:
        errors["published_question"] = _(
            "Write the question as it will be published, without the names of who asked."
        )
    elif len(shown) > 5000:
        errors["published_question"] = _("Enter at most %(max_length)s characters.") % {"max_length": 5000}
    if errors:
        raise ValidationError(errors)
    changes = {
        "answer": [clarification.answer, answer],
        "published": [clarification.published, publish],
        "published_question": [clarification.published_question, shown],
    }
    clarification.published_question = shown
    clarification.answer = answer
    clarification.answered_at = timezone.now()
    clarification.answered_by = actor.user
    clarification.published = publish
    clarification.save()
    event(actor, procedure, "clarification.answer", changes, obj=clarification)
    return clarification


# --- Invitations (art. 50 c.2, rotation art. 49) ------------------------------------------------------------


def lot_band(lot: Lot, kind: str) -> int:
    return rotation.band_of(lot.total_amount, rotation.family_of(kind))


def lot_category(lot: Lot, kind: str) -> str:
    if lot.category:
        return lot.category
    return "" if kind == ContractKind.WORKS else lot.cpv[:5]


def outgoing_for(procedure: Procedure, lot: Lot) -> int | None:
    """The outgoing contractor (art. 49 c.2-c.3): the latest award by this SUA in the lot's category and band,
    other procedures only."""
    category = lot_category(lot, procedure.kind)
    if not category:
        return None
    family = rotation.family_of(procedure.kind)
    awarded = (
        Lot.objects.filter(
            procedure__province_id=procedure.province_id,
            state=LotState.AWARDED,
            awarded_operator__isnull=False,
            award_date__isnull=False,
        )
        .filter(Q(category=category) | Q(category="", cpv__startswith=category))
        .exclude(procedure=procedure)
        .only(
            "pk",
            "awarded_operator_id",
            "award_date",
            "base_amount",
            "safety_costs",
            "options_amount",
            "procedure__kind",
        )
        .select_related("procedure")
    )
    past = [
        rotation.PastAward(
            str(other.awarded_operator_id),
            category,
            rotation.band_of(other.total_amount, rotation.family_of(other.procedure.kind)),
            other.award_date,
            f"{other.pk:012d}",
        )
        for other in awarded
        if rotation.family_of(other.procedure.kind) == family
    ]
    outgoing = rotation.outgoing_contractor(past, category, lot_band(lot, procedure.kind))
    return int(outgoing) if outgoing else None


def candidates(procedure: Procedure, lot: Lot) -> list[dict]:
    """Approved entries of the SUA's albo in the lot's category (a SOA category with a class covering the amount
    for works; a CPV group or code otherwise), with counters of previous invitations and awards by this SUA in
    the category, the outgoing contractor flagged. A fixed number of queries, whatever the albo's size."""
    category = lot_category(lot, procedure.kind)
    entries = RegisteredOperator.objects.filter(
        province_id=procedure.province_id, state=RegistrationState.APPROVED
    )
    if category:
        entries = entries.in_category(category if procedure.kind == ContractKind.WORKS else lot.cpv)
    entries = list(entries.select_related("operator").prefetch_related("categories"))
    operator_ids = [entry.operator_id for entry in entries]
    invitation_counts = dict(
        Invitation.objects.filter(procedure__province_id=procedure.province_id, operator_id__in=operator_ids)
        .filter(Q(lot__category=category) | Q(lot__cpv__startswith=category) if category else Q())
        .values("operator_id")
        .annotate(n=Count("pk"))
        .values_list("operator_id", "n")
    )
    award_counts = dict(
        Lot.objects.filter(procedure__province_id=procedure.province_id, awarded_operator_id__in=operator_ids)
        .filter(Q(category=category) | Q(cpv__startswith=category) if category else Q())
        .values("awarded_operator_id")
        .annotate(n=Count("pk"))
        .values_list("awarded_operator_id", "n")
    )
    invited = set(lot.invitations.values_list("operator_id", flat=True))
    outgoing = outgoing_for(procedure, lot)
    amount = lot.total_amount
    rows = []
    for entry in entries:
        if procedure.kind == ContractKind.WORKS and category:
            classes = [c.soa_class for c in entry.categories.all() if c.code == category]
            if not any(rotation.soa_class_covers(soa_class, amount) for soa_class in classes):
                continue
        rows.append(
            rotation.Candidate(
                str(entry.operator_id),
                entry.operator.name,
                invitation_counts.get(entry.operator_id, 0),
                award_counts.get(entry.operator_id, 0),
            )
        )
    by_id = {str(entry.operator_id): entry for entry in entries}
    return [
        {
            "entry": by_id[c.operator],
            "operator_id": int(c.operator),
            "name": c.name,
            "invitations": c.invitations,
            "awards": c.awards,
            "outgoing": outgoing is not None and int(c.operator) == outgoing,
            "invited": int(c.operator) in invited,
        }
        for c in rotation.order_candidates(rows)
    ]


def rotation_procedure(procedure: Procedure) -> str:
    return rotation.DIRECT_AWARD if procedure.procedure_type == procs.DIRECT_AWARD else rotation.NEGOTIATED


@transaction.atomic
def invite_operator(
    actor: Actor,
    lot: Lot,
    operator_id: int,
    reason: str,
    exception_reason: str = "",
    unlimited_survey: bool = False,
) -> Invitation:
    """Invite an operator of the albo to a lot, with the reasons for the choice (art. 50 c.2); the outgoing
    contractor only with a motivated exception (art. 49 c.4)."""
    procedure = locked(actor, lot.procedure)
    lot = Lot.objects.select_for_update().get(pk=lot.pk, procedure=procedure)
    if not procedure.uses_invitations:
        raise ValidationError(
            _("Invitations belong to negotiated procedures and direct awards."), code="state"
        )
    require_state(procedure, life.DRAFT, life.PUBLISHED, message=_("Operators are invited before bids open."))
    reason = (reason or "").strip()
    exception_reason = (exception_reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Write why this operator is chosen: the reasons are published.")})
    rows = {row["operator_id"]: row for row in candidates(procedure, lot)}
    row = rows.get(int(operator_id))
    if row is None:
        raise ValidationError(
            {"operator": _("The operator is not an approved entry of the albo in this lot's category.")}
        )
    if row["invited"]:
        raise ValidationError({"operator": _("This operator is already invited to the lot.")})
    outgoing = outgoing_for(procedure, lot)
    verdict = rotation.check_invitation(
        str(operator_id),
        str(outgoing) if outgoing else None,
        procedure=rotation_procedure(procedure),
        amount=lot.total_amount,
        unlimited_survey=unlimited_survey,
        exception_reason=exception_reason,
    )
    if not verdict.allowed:
        raise ValidationError({"exception_reason": _(verdict.message) % verdict.params})
    invitation = Invitation.objects.create(
        procedure=procedure,
        lot=lot,
        operator_id=operator_id,
        registration=row["entry"],
        reason=reason,
        invited_by=actor.user,
        rotation_exception=verdict.outgoing and verdict.needs_exception,
        exception_reason=exception_reason if verdict.outgoing else "",
        invitations_before=row["invitations"],
        awards_before=row["awards"],
    )
    event(
        actor,
        procedure,
        "invite",
        {
            "operator": [None, operator_id],
            "reason": [None, reason],
            "rotation": [None, verdict.article],
            "exception_reason": [None, invitation.exception_reason],
        },
        obj=invitation,
    )
    return invitation


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


def rome_time(moment: datetime) -> str:
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
        ) % {"received": rome_time(received_at), "deadline": rome_time(procedure.bid_deadline)}
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


# --- Evaluation ---------------------------------------------------------------------------------------------


ANOMALY_KIND = {
    ContractKind.WORKS: anomaly.WORKS,
    ContractKind.SERVICES: anomaly.SERVICES,
    ContractKind.SOCIAL_SERVICES: anomaly.SERVICES,
    ContractKind.ENGINEERING: anomaly.SERVICES,
    ContractKind.SUPPLIES: anomaly.SUPPLIES,
}


def bid_labels(bids: list[Bid]) -> dict[str, str]:
    """How the minutes name each bid: the operator's name; homonyms (two operators of one name) get the
    order in which their bids were received. Keyed back to the operator id for the stored values."""
    seen: dict[str, int] = {}
    for bid in bids:
        seen[bid.operator.name] = seen.get(bid.operator.name, 0) + 1
    labels = {}
    ordered = sorted(bids, key=lambda bid: (bid.received_at, bid.pk))
    for position, bid in enumerate(ordered, start=1):
        name = bid.operator.name
        label = name if seen[name] == 1 else f"{name} (offerta n. {position})"
        labels[label] = str(bid.operator_id)
    return labels


def trimmed(value: Decimal) -> Decimal:
    """A discount without the zeros its column pads it with ("7.5000" is 7.5): the minutes print it with the
    decimals of the documents, never fewer than it has."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value.as_tuple().exponent > 0 else value


def evaluate_lowest_price(procedure: Procedure, lot: Lot, bids: list[Bid]) -> tuple[str, dict, dict]:
    params, cell = lot_anomaly_parameters(procedure, lot)
    decision = route_of(procedure)
    facts = anomaly.ApplicabilityFacts(
        criterion=anomaly.LOWEST_PRICE,
        contract_kind=ANOMALY_KIND[procedure.kind],
        below_eu_threshold=not decision.above_threshold.value,
        certain_cross_border_interest=procedure.cross_border_interest,
        admitted_bids=len(bids),
        direct_award=procedure.procedure_type == procs.DIRECT_AWARD,
    )
    # The rules engine names each bid as the minutes do; the stored values are keyed by operator id again.
    labels = bid_labels(bids)
    by_id = {pk: label for label, pk in labels.items()}
    result = anomaly.compute_threshold(
        [anomaly.Bid(by_id[str(b.operator_id)], trimmed(b.discount_percent)) for b in bids], params, facts
    )
    data = calculators.anomaly_result(result)
    for key in ("lower_wing", "upper_wing", "remaining", "excluded", "admitted"):
        for row in data[key]:
            row["operator"] = labels[row["operator"]]
    data["winner"] = labels.get(data["winner"]) if data["winner"] else None
    data["tied_for_first"] = [labels[label] for label in data["tied_for_first"]]
    method = f"anomaly_{params.method}" if result.applicable else EvaluationMethod.RANKING
    names = {str(b.operator_id): b.operator.name for b in bids}
    excluded = {row["operator"] for row in data["excluded"]}
    data["ranking"] = [
        {
            "rank": position,
            "operator": row["operator"],
            "name": names[row["operator"]],
            "discount": row["discount"],
            "amount": str(discounted(lot.base_amount, Decimal(row["discount"]))),
        }
        for position, row in enumerate(data["admitted"], start=1)
    ]
    data["excluded_names"] = [{"operator": op, "name": names[op]} for op in sorted(excluded)]
    data["names"] = names
    parameters = anomaly_parameters_json(params)
    if cell is not None:
        parameters["reference_cell"] = {
            "category": cell.category,
            "band": cell.band,
            "percentile": cell.percentile,
            "discount": str(cell.discount),
            "table_valid_from": cell.valid_from.isoformat(),
        }
    return method, parameters, data


def anomalous_reason(discount: Decimal, threshold: Decimal, decimals: int) -> str:
    """The reason written on a bid the threshold excluded: Italian, the wording of the minutes."""
    return (
        f"Offerta anomala, art. 54 c.1 D.Lgs. 36/2023: ribasso del "
        f"{anomaly.italian_number(discount, decimals)} % superiore alla soglia di anomalia del "
        f"{anomaly.italian_number(threshold, decimals)} %"
    )


def exclude_anomalous(lot: Lot, result: dict) -> None:
    """The evaluation's outcome becomes the bids' status: those above the anomaly threshold are excluded with
    the reason and the threshold (art. 54 c.1); the others stay admitted."""
    if not result.get("threshold") or not result.get("excluded"):
        return
    threshold = Decimal(result["threshold"])
    decimals = max(-threshold.as_tuple().exponent, 0)
    by_operator = {str(bid.operator_id): bid for bid in lot.bids.filter(status=BidStatus.ADMITTED)}
    for row in result["excluded"]:
        bid = by_operator[row["operator"]]
        bid.status = BidStatus.ANOMALOUS
        bid.exclusion_reason = anomalous_reason(Decimal(row["discount"]), threshold, decimals)
    Bid.objects.bulk_update(
        [by_operator[row["operator"]] for row in result["excluded"]], ["status", "exclusion_reason"]
    )


def discounted(base: Decimal, discount: Decimal) -> Decimal:
    """The base amount less the discount, to the cent (half up)."""
    return (base * (Decimal(100) - discount) / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)


def evaluate_oepv(procedure: Procedure, lot: Lot, bids: list[Bid]) -> tuple[str, dict, dict]:
    """OEPV with the stored settings. The officer records each bid's total technical score (the commission's
    minutes give the per-criterion detail): it enters the engine as one technical part worth the tree's total,
    so re-scaling applies at the total level; the criteria tree is reported with the result."""
    settings = procedure.oepv_settings
    technical_max = Decimal(str(settings["technical_max"]))
    inverse = settings.get("formula") == oepv.INVERSE
    formula = oepv.EconomicFormula(
        settings["formula"], Decimal(str(settings["x"])) if settings.get("x") else None
    )
    rescale = (oepv.TOTAL,) if settings.get("rescale") else ()
    minimum = settings.get("minimum_technical")
    decimals = settings.get("decimals", 3)
    try:
        result = oepv.score_oepv(
            (oepv.Criterion("T", technical_max),),
            {str(b.operator_id): {"T": [b.technical_score / technical_max]} for b in bids},
            {str(b.operator_id): (b.price if inverse else b.discount_percent) for b in bids},
            formula,
            Decimal(str(settings["economic_max"])),
            rescale=rescale,
            minimum_technical=Decimal(str(minimum)) if minimum not in (None, "") else None,
            cut=settings.get("cut") if minimum not in (None, "") else None,
            rounding=oepv.Rounding(decimals),
            labour_intensive=bool(settings.get("labour_intensive")),
            strategic_it=bool(settings.get("strategic_it")),
        )
    except oepv.OepvError as refused:
        raise ValidationError(_(refused.message) % refused.params) from refused
    names = {str(b.operator_id): b.operator.name for b in bids}
    by_operator = {str(b.operator_id): b for b in bids}

    def row(score):
        bid = by_operator[score.bid]
        return {
            "rank": score.rank,
            "operator": score.bid,
            "name": names[score.bid],
            "technical": str(score.technical),
            "economic_coefficient": None
            if score.economic_coefficient is None
            else str(score.economic_coefficient),
            "economic": None if score.economic is None else str(score.economic),
            "total": None if score.total is None else str(score.total),
            "tied": score.tied,
            "discount": None if bid.discount_percent is None else str(bid.discount_percent),
            "price": None if bid.price is None else str(bid.price),
            "amount": str(
                bid.price
                if inverse and bid.price is not None
                else discounted(lot.base_amount, bid.discount_percent or Decimal(0))
            ),
        }

    ranking = [row(score) for score in result.ranking]
    first = [r for r in ranking if r["rank"] == 1]
    data = {
        "criteria": settings.get("criteria", []),
        "formula": settings.get("formula"),
        "technical_max": str(technical_max),
        "economic_max": str(settings["economic_max"]),
        "rescale": list(rescale),
        "minimum_technical": minimum,
        "cut": settings.get("cut"),
        "ranking": ranking,
        "excluded": [
            {"operator": s.bid, "name": names[s.bid], "technical": str(s.technical)} for s in result.excluded
        ],
        "ties": [list(t) for t in result.ties],
        "winner": first[0]["operator"] if len(first) == 1 else None,
        "tied_for_first": [r["operator"] for r in first] if len(first) > 1 else [],
        "reasoning": oepv_reasoning(settings, ranking, result),
        "names": names,
    }
    return EvaluationMethod.OEPV, settings, data


def oepv_reasoning(settings, ranking, result) -> list[str]:
    lines = [
        f"Criterio dell'offerta economicamente più vantaggiosa (art. 108 D.Lgs. 36/2023): punteggio tecnico "
        f"massimo {settings['technical_max']}, economico massimo {settings['economic_max']}, formula "
        f"{settings['formula']}.",
    ]
    for row in ranking:
        lines.append(
            f"{row['rank']}. {row['name']}: tecnico {row['technical']}, coefficiente economico "
            f"{row['economic_coefficient']}, economico {row['economic']}, totale {row['total']}."
        )
    for score in result.excluded:
        lines.append(
            f"Escluso per punteggio tecnico sotto la soglia minima: operatore {score.bid} ({score.technical})."
        )
    return lines


@transaction.atomic
def evaluate_lot(actor: Actor, lot: Lot, now: datetime | None = None) -> Evaluation:
    """Run the rules engine on the lot's admitted bids (and those a previous evaluation found anomalous), make
    the outcome the bids' status, store every value and write the minutes (DOCX, PDF) dated ``now``."""
    procedure = locked(actor, lot.procedure)
    lot = Lot.objects.select_for_update().get(pk=lot.pk, procedure=procedure)
    require_lot_action(procedure, lot, life.EVALUATE_LOT)
    bids = list(lot.bids.evaluated().select_related("operator").order_by("pk"))
    if not bids:
        raise ValidationError(_("The lot has no admitted bid."), code="state")
    if procedure.criterion == Criterion.OEPV:
        method, parameters, result = evaluate_oepv(procedure, lot, bids)
    else:
        method, parameters, result = evaluate_lowest_price(procedure, lot, bids)
    drop_evaluation(lot)
    exclude_anomalous(lot, result)
    evaluation = Evaluation.objects.create(
        lot=lot,
        method=method,
        parameters=parameters,
        result=result,
        computed_by=actor.user,
        computed_at=now or timezone.now(),
    )
    from casacomuni.procurement.procedures import minutes

    minutes.write_minutes(evaluation)
    event(
        actor,
        procedure,
        "evaluate",
        {"lot": [None, lot.number], "method": [None, method], "winner": [None, result.get("winner")]},
        obj=evaluation,
    )
    return evaluation


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
    checked = [requirement_json(r) for r in lot_requirements(procedure, lot, award_date)]
    changes["award_requirements"] = [requirements_text(lot.award_requirements), requirements_text(checked)]
    lot.award_requirements = checked
    lot.save(update_fields=["award_requirements"])
    event(actor, procedure, "lot.award", changes, obj=lot)
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
    checks = lot_requirements(procedure, lot, contract_date)
    reason = (requirements_reason or "").strip() if requirements.blocking(checks) else ""
    if requirements.blocking(checks) and not reason:
        raise ValidationError({"requirements_reason": blocking_message(checks)})
    stored = [requirement_json(row) for row in checks]
    changes = {
        "contract_date": [lot.contract_date, contract_date],
        "contract_amount": [lot.contract_amount, amount],
        "contract_requirements": [requirements_text(lot.contract_requirements), requirements_text(stored)],
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
            reason=f"{_('Lot %(number)s') % {'number': lot.number}}: {blocking_summary(checks)}. {reason}",
        )
    return lot


# --- Requirements of the winner (art. 17 c.5, art. 52, artt. 94-95: rules.requirements) ----------------------

REQUIREMENTS_DECISION = "requirements_decision"
REQUIREMENT_KINDS = {kind.value: kind.label for kind in DocumentKind}
REQUIREMENT_STATES = {
    requirements.VALID: pgettext_lazy("requirement state", "Valid"),
    requirements.EXPIRING: pgettext_lazy("requirement state", "Expiring"),
    requirements.EXPIRED: pgettext_lazy("requirement state", "Expired"),
    requirements.MISSING: pgettext_lazy("requirement state", "Missing"),
}


def winner_of(lot: Lot) -> int | None:
    """The awarded operator, or the one the evaluation ranks first (before the award)."""
    if lot.awarded_operator_id:
        return lot.awarded_operator_id
    if hasattr(lot, "current_evaluation"):  # read with the page's other lots (procedure_views.render_detail)
        evaluation = lot.current_evaluation
    else:
        evaluation = Evaluation.objects.filter(lot=lot).first()
    return evaluation.winner_operator_id if evaluation else None


def register_documents(province_id: int, operator_ids) -> dict[int, list[requirements.Document]]:
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


def requirements_for(procedure: Procedure, lot: Lot, documents, day: date) -> list[requirements.Requirement]:
    return requirements.check(
        documents,
        day,
        works=procedure.kind == ContractKind.WORKS,
        amount=lot.base_amount + lot.safety_costs,
        direct_award=procedure.procedure_type == ProcedureType.DIRECT_AWARD,
    )


def lot_requirements(procedure: Procedure, lot: Lot, day: date) -> list[requirements.Requirement]:
    winner = winner_of(lot)
    documents = register_documents(procedure.province_id, [winner]).get(winner, [])
    return requirements_for(procedure, lot, documents, day)


def winners_requirements(procedure: Procedure, lots, day: date) -> dict[int, list[dict]]:
    """For the award step: per lot with a winner, its requirements on ``day`` as rows to show (kind, state,
    expiry, whether required and why). One query for every lot."""
    winners = {lot.pk: winner_of(lot) for lot in lots}
    documents = register_documents(procedure.province_id, winners.values())
    return {
        lot.pk: [requirement_row(r) for r in requirements_for(procedure, lot, documents.get(winner, []), day)]
        for lot in lots
        if (winner := winners[lot.pk])
    }


def requirement_json(row: requirements.Requirement) -> dict:
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
        data = requirement_json(row) | {"name": row.name}
    else:
        data = dict(row)
    data["kind_label"] = REQUIREMENT_KINDS.get(data["kind"], data["kind"])
    data["state_label"] = REQUIREMENT_STATES.get(data["state"], data["state"])
    data["expires_on"] = date.fromisoformat(data["expires_on"]) if data.get("expires_on") else None
    data["blocking"] = data["required"] and data["state"] in (requirements.EXPIRED, requirements.MISSING)
    return data


def requirements_text(rows: list[dict]) -> str:
    """Stored requirements as the trail shows them: "DURC: Valido, scadenza 07/03/2027; Certificato SOA: …"."""
    parts = []
    for row in map(requirement_row, rows):
        text = f"{row['kind_label']}: {row['state_label']}"
        if row["expires_on"]:
            text += ", " + _("expiry %(day)s") % {"day": row["expires_on"].strftime("%d/%m/%Y")}
        parts.append(text)
    return "; ".join(parts)


def blocking_summary(checks) -> str:
    """ "DURC: Scaduto il 10/01/2026; Certificato SOA: Mancante" (dates in Italian format)."""
    parts = []
    for row in requirements.blocking(checks):
        label = f"{REQUIREMENT_KINDS.get(row.kind, row.kind)}: {REQUIREMENT_STATES[row.state]}"
        if row.expires_on:
            label += " " + _("on %(day)s") % {"day": row.expires_on.strftime("%d/%m/%Y")}
        parts.append(label)
    return "; ".join(parts)


def blocking_message(checks) -> str:
    return _(
        "The winner's requirements are not verified on the contract day (%(problems)s): renew the documents in "
        "the register, or write the reasoned decision to sign the contract all the same (art. 17 c.5, artt. "
        "94-95 D.Lgs. 36/2023)."
    ) % {"problems": blocking_summary(checks)}


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
