"""Creating a procedure from accepted requests and editing its draft.

The draft's settings, lots, deadlines (rules.deadlines), anomaly parameters (rules.anomaly) and OEPV criteria.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casacomuni.accounts.actor import Actor
from casacomuni.lib import identifiers
from casacomuni.lib.money import parse_euro
from casacomuni.procurement.procedures.models import (
    Criterion,
    Lot,
    Procedure,
    ProcedureType,
    default_anomaly_parameters,
)
from casacomuni.procurement.procedures.services.common import (
    event,
    locked,
    require_lot_action,
    require_state,
    sua_of,
    touch,
)
from casacomuni.procurement.requests.models import ContractKind, ProcurementRequest, RequestState
from casacomuni.procurement.rules import (
    anomaly,
    oepv,
    reference_discounts,
    rotation,
    router,
)
from casacomuni.procurement.rules import deadlines as procs
from casacomuni.procurement.rules import procedure_lifecycle as life

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
    try:
        number = parse_euro(value)
    except ValidationError as error:
        errors[name] = error.messages[0]
        return None
    if number is None and required:
        errors[name] = _("This field is required.")
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


def _anomaly_settings(data: dict) -> dict:
    """The stored anomaly settings with every default filled in (unknown keys dropped)."""
    defaults = default_anomaly_parameters()
    return defaults | {key: value for key, value in (data or {}).items() if key in defaults}


def _anomaly_parameters_from(
    data: dict, reference_discount: Decimal | None = None
) -> anomaly.AnomalyParameters:
    """Stored settings to the rules' parameters, with the lot's R_ref for method C; ValidationError on a bad
    setting."""
    values = _anomaly_settings(data)
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
    percentile = _anomaly_settings(settings or procedure.anomaly_parameters)["reference_percentile"]
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
    settings = _anomaly_settings(procedure.anomaly_parameters)
    cell = reference_cell(procedure, lot, settings) if settings["method"] == anomaly.METHOD_C else None
    return _anomaly_parameters_from(settings, cell.discount if cell else None), cell


def _clean_anomaly_settings(procedure: Procedure, data: dict) -> dict:
    """The settings checked as the evaluation will read them: for method C every lot must have its cell."""
    settings = _anomaly_settings(data)
    if settings["reference_percentile"] in ("", None):
        settings["reference_percentile"] = None
    cells = [
        reference_cell(procedure, lot, settings)
        for lot in procedure.lots.all()
        if settings["method"] == anomaly.METHOD_C
    ]
    params = _anomaly_parameters_from(settings, cells[0].discount if cells else None)
    stored = anomaly_parameters_json(params)
    del stored["reference_discount"]
    return stored | {"reference_percentile": int(settings["reference_percentile"]) if cells else None}


_OEPV_DEFAULTS: dict[str, object] = {
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


def _clean_oepv_settings(data: dict) -> dict:
    """The OEPV settings checked: criteria tree with positive points, the formula, the art. 108 c.4 caps."""
    settings = _OEPV_DEFAULTS | (data or {})
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
            put("anomaly_parameters", _clean_anomaly_settings(procedure, changes.anomaly_parameters))
        except ValidationError as refused:
            errors.update(refused.message_dict)
    if changes.oepv_settings is not None:
        try:
            put("oepv_settings", _clean_oepv_settings(changes.oepv_settings))
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
            cup = identifiers.check_cup(code) if code else None
            if cup is not None and not cup.valid:
                errors["cup"] = _(cup.reason) % cup.params
            else:
                put("cup", "" if cup is None or cup.no_cup else cup.code)
        if changes.cpv is not None:
            cpv = identifiers.check_cpv(changes.cpv)
            if not cpv.valid:
                errors["cpv"] = _(cpv.reason) % cpv.params
            else:
                put("cpv", cpv.code)
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
