"""The public calculators' results as plain data: shared by the pages and the API.

The rules return English source strings for reasons and caveats: here they are translated into the
user's language, and every Decimal becomes a string so that nothing is lost to floating point.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casacomuni.procurement.rules import anomaly, deadlines, router

PROCEDURE_LABELS = {
    deadlines.DIRECT_AWARD: gettext_lazy("Direct award"),
    deadlines.NEGOTIATED_BELOW_THRESHOLD: gettext_lazy(
        "Negotiated procedure without notice (below threshold)"
    ),
    deadlines.OPEN: gettext_lazy("Open procedure"),
    deadlines.RESTRICTED: gettext_lazy("Restricted procedure"),
    deadlines.COMPETITIVE_NEGOTIATION: gettext_lazy("Competitive procedure with negotiation"),
    deadlines.COMPETITIVE_DIALOGUE: gettext_lazy("Competitive dialogue"),
    deadlines.INNOVATION_PARTNERSHIP: gettext_lazy("Innovation partnership"),
    deadlines.NEGOTIATED_WITHOUT_NOTICE: gettext_lazy("Negotiated procedure without notice (art. 76)"),
}
BELOW_THRESHOLD = gettext_lazy("Below the EU threshold")
ANSWER_LABELS = {
    "threshold": gettext_lazy("EU threshold in force"),
    "above_threshold": gettext_lazy("Above the EU threshold"),
    "procedures": gettext_lazy("Procedures allowed"),
    "min_operators": gettext_lazy("Operators to consult"),
    "may_proceed_alone": gettext_lazy("May the Comune proceed alone"),
    "sua_level_suffices": gettext_lazy("Is the SUA's qualification enough"),
    "anac_form": gettext_lazy("ANAC form for the CIG"),
    "anomaly_exclusion": gettext_lazy("Automatic exclusion of anomalous bids"),
    "oepv_mandatory": gettext_lazy("Best quality/price ratio (OEPV) mandatory"),
    "rotation": gettext_lazy("Rotation"),
    "self_declaration": gettext_lazy("Self-declarations"),
}


def answer_label(name: str, value) -> str:
    """The answer's label; the threshold's says which side of it the amount is on."""
    if name == "above_threshold" and value is False:
        return str(BELOW_THRESHOLD)
    return str(ANSWER_LABELS[name])


def translated(message: str, params: dict | None = None) -> str:
    text = _(message)
    return text % params if params else text


def bid_rows(bids) -> list[dict]:
    return [{"operator": bid.operator_id, "discount": str(bid.discount)} for bid in bids]


def anomaly_result(result: anomaly.AnomalyResult) -> dict:
    """Every value of the computation, the outcome and the reasoning for the minutes."""

    def text(value):
        return None if value is None else str(value)

    return {
        "applicable": result.applicable,
        "reasons": [
            {"code": r.code, "message": translated(r.message, r.params), "article": r.article}
            for r in result.reasons
        ],
        "method": result.method,
        "branch": result.branch,
        "n": result.n,
        "k": result.k,
        "lower_wing": bid_rows(result.lower_wing),
        "upper_wing": bid_rows(result.upper_wing),
        "remaining": bid_rows(result.remaining),
        "total": text(result.total),
        "mean": text(result.mean),
        "mean_deviation": text(result.mean_deviation),
        "above_mean": result.above_mean,
        "c1": result.c1,
        "c2": result.c2,
        "digit_sum": result.digit_sum,
        "ratio": text(result.ratio),
        "adjustment": text(result.adjustment),
        "reference_discount": text(result.reference_discount),
        "threshold": text(result.threshold),
        "excluded": bid_rows(result.excluded),
        "admitted": bid_rows(result.admitted),
        "winner": result.winner,
        "tied_for_first": list(result.tied_for_first),
        "reasoning": list(result.reasoning),
        "caveats": [translated(caveat) for caveat in result.caveats],
    }


def answer_value(value):
    """An answer's value as JSON: procedures as objects, Decimals as strings."""
    if isinstance(value, tuple):
        return [
            {
                "code": option.code,
                "label": str(PROCEDURE_LABELS.get(option.code, option.code)),
                "article": option.article,
                "min_operators": option.min_operators,
                "anac_form": option.anac_form,
            }
            for option in value
        ]
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    return str(value)


def route_result(decision: router.RouteDecision) -> dict:
    """Each answer of the router with its label, value, article and explanation in the user's language."""
    return {
        "object_kind": decision.object_kind,
        "amount": str(decision.amount),
        "day": decision.day.isoformat(),
        "answers": [
            {
                "name": name,
                "label": answer_label(name, answer.value),
                "value": answer_value(answer.value),
                "article": answer.article,
                "explanation": answer.explanation(_),
                "unverified": answer.unverified,
            }
            for name, answer in decision.answers().items()
        ],
    }
