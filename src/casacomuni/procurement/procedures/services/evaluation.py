"""Evaluation of a lot's admitted bids by the rules engine: lowest price with the anomaly threshold, or OEPV."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.accounts.actor import Actor
from casacomuni.procurement.calculators import results as calculators
from casacomuni.procurement.procedures.models import (
    Bid,
    BidStatus,
    Criterion,
    Evaluation,
    EvaluationMethod,
    Lot,
    Procedure,
)
from casacomuni.procurement.procedures.services.bids import drop_evaluation
from casacomuni.procurement.procedures.services.common import CENT, event, locked, require_lot_action
from casacomuni.procurement.procedures.services.drafting import (
    anomaly_parameters_json,
    lot_anomaly_parameters,
    oepv_criteria,
)
from casacomuni.procurement.procedures.services.reads import route_of
from casacomuni.procurement.requests.models import ContractKind
from casacomuni.procurement.rules import (
    anomaly,
    oepv,
)
from casacomuni.procurement.rules import deadlines as procs
from casacomuni.procurement.rules import procedure_lifecycle as life

# --- Evaluation ---------------------------------------------------------------------------------------------


_ANOMALY_KIND: dict[str, str] = {
    ContractKind.WORKS: anomaly.WORKS,
    ContractKind.SERVICES: anomaly.SERVICES,
    ContractKind.SOCIAL_SERVICES: anomaly.SERVICES,
    ContractKind.ENGINEERING: anomaly.SERVICES,
    ContractKind.SUPPLIES: anomaly.SUPPLIES,
}


def _bid_labels(bids: list[Bid]) -> dict[str, str]:
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
    return value.quantize(Decimal(1)) if _exponent(value) > 0 else value


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):  # "n", "N", "F": a NaN or an infinity, which no bid or threshold is
        raise ValueError(f"{value} is not a finite number.")
    return exponent


def _recorded(value: Decimal | None) -> Decimal:
    """A bid's value for the lot's criterion, which clean_bid requires: never None when it is evaluated."""
    if value is None:
        raise ValueError("A bid was recorded without the value its lot's criterion needs.")
    return value


def _evaluate_lowest_price(procedure: Procedure, lot: Lot, bids: list[Bid]) -> tuple[str, dict, dict]:
    params, cell = lot_anomaly_parameters(procedure, lot)
    decision = route_of(procedure)
    facts = anomaly.ApplicabilityFacts(
        criterion=anomaly.LOWEST_PRICE,
        contract_kind=_ANOMALY_KIND[procedure.kind],
        below_eu_threshold=not decision.above_threshold.value,
        certain_cross_border_interest=procedure.cross_border_interest,
        admitted_bids=len(bids),
        direct_award=procedure.procedure_type == procs.DIRECT_AWARD,
    )
    # The rules engine names each bid as the minutes do; the stored values are keyed by operator id again.
    labels = _bid_labels(bids)
    by_id = {pk: label for label, pk in labels.items()}
    result = anomaly.compute_threshold(
        [anomaly.Bid(by_id[str(b.operator_id)], trimmed(_recorded(b.discount_percent))) for b in bids],
        params,
        facts,
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
            "amount": str(_discounted(lot.base_amount, Decimal(row["discount"]))),
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


def _anomalous_reason(discount: Decimal, threshold: Decimal, decimals: int) -> str:
    """The reason written on a bid the threshold excluded: Italian, the wording of the minutes."""
    return (
        f"Offerta anomala, art. 54 c.1 D.Lgs. 36/2023: ribasso del "
        f"{anomaly.italian_number(discount, decimals)} % superiore alla soglia di anomalia del "
        f"{anomaly.italian_number(threshold, decimals)} %"
    )


def _exclude_anomalous(lot: Lot, result: dict) -> None:
    """The evaluation's outcome becomes the bids' status: those above the anomaly threshold are excluded with
    the reason and the threshold (art. 54 c.1); the others stay admitted."""
    if not result.get("threshold") or not result.get("excluded"):
        return
    threshold = Decimal(result["threshold"])
    decimals = max(-_exponent(threshold), 0)
    by_operator = {str(bid.operator_id): bid for bid in lot.bids.filter(status=BidStatus.ADMITTED)}
    for row in result["excluded"]:
        bid = by_operator[row["operator"]]
        bid.status = BidStatus.ANOMALOUS
        bid.exclusion_reason = _anomalous_reason(Decimal(row["discount"]), threshold, decimals)
    Bid.objects.bulk_update(
        [by_operator[row["operator"]] for row in result["excluded"]], ["status", "exclusion_reason"]
    )


def _discounted(base: Decimal, discount: Decimal) -> Decimal:
    """The base amount less the discount, to the cent (half up)."""
    return (base * (Decimal(100) - discount) / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)


def _commissioners_coefficients(bids: list[Bid]) -> dict | None:
    """Each bid's commissioners' coefficients per part, ``{operator id: {part: [coefficients]}}``, when the
    commission scored the technical offers online (bidding's session); None when none did (the officer then
    records each bid's total score). Every bid must be scored by the same commissioners on the same parts."""
    rows = {b.pk: list(b.technical_coefficients.all()) for b in bids}
    if not any(rows.values()):
        return None
    shapes = {frozenset((r.member_id, r.part) for r in bid_rows) for bid_rows in rows.values()}
    if len(shapes) != 1:
        raise ValidationError(
            _("Every commissioner scores every criterion of every admitted bid before the evaluation.")
        )
    technical: dict = {}
    for bid in bids:
        parts = technical.setdefault(str(bid.operator_id), {})
        for row in rows[bid.pk]:
            parts.setdefault(row.part, []).append(row.coefficient)
    return technical


def _evaluate_oepv(procedure: Procedure, lot: Lot, bids: list[Bid]) -> tuple[str, dict, dict]:
    """OEPV with the stored settings. With the commissioners' coefficients recorded online, per criterion and
    sub-criterion, the engine averages them and re-scales as the documents say; otherwise the officer records
    each bid's total technical score, which enters the engine as one part worth the tree's total (re-scaling at
    the total level). The criteria tree is reported with the result."""
    settings = procedure.oepv_settings
    technical_max = Decimal(str(settings["technical_max"]))
    inverse = settings.get("formula") == oepv.INVERSE
    formula = oepv.EconomicFormula(
        settings["formula"], Decimal(str(settings["x"])) if settings.get("x") else None
    )
    commission = _commissioners_coefficients(bids)
    if commission is None and any(b.technical_score is None for b in bids):
        raise ValidationError(
            _(
                "Record the technical scores of every admitted bid: the commissioners' coefficients online, or the total."
            )
        )
    if commission is None:
        criteria: tuple = (oepv.Criterion("T", technical_max),)
        technical = {str(b.operator_id): {"T": [_recorded(b.technical_score) / technical_max]} for b in bids}
        rescale: tuple = (oepv.TOTAL,) if settings.get("rescale") else ()
    else:
        criteria, technical = oepv_criteria(settings), commission
        rescale = tuple(settings.get("rescale") or ())
    minimum = settings.get("minimum_technical")
    decimals = settings.get("decimals", 3)
    try:
        result = oepv.score_oepv(
            criteria,
            technical,
            {str(b.operator_id): _recorded(b.price if inverse else b.discount_percent) for b in bids},
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
                else _discounted(lot.base_amount, bid.discount_percent or Decimal(0))
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
        "reasoning": _oepv_reasoning(settings, ranking, result),
        "names": names,
    }
    return EvaluationMethod.OEPV, settings, data


def _oepv_reasoning(settings, ranking, result) -> list[str]:
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
    bids = list(
        lot.bids.evaluated()
        .select_related("operator")
        .prefetch_related("technical_coefficients")
        .order_by("pk")
    )
    if not bids:
        raise ValidationError(_("The lot has no admitted bid."), code="state")
    if any(b.discount_percent is None and b.price is None for b in bids):
        # An online bid's offer is read only when the commission opens envelope C.
        raise ValidationError(
            _("Every admitted bid needs its economic offer: open envelope C first."), code="state"
        )
    if procedure.criterion == Criterion.OEPV:
        method, parameters, result = _evaluate_oepv(procedure, lot, bids)
    else:
        method, parameters, result = _evaluate_lowest_price(procedure, lot, bids)
    drop_evaluation(lot)
    _exclude_anomalous(lot, result)
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
