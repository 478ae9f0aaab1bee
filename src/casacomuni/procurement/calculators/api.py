"""Public calculators of the SUA as API operations (no authentication): the anomaly threshold of art. 54
the procedure router and the OEPV scores.

Numbers travel as strings (or JSON numbers, converted through their text) so that no value is lost to
binary floating point; results carry every intermediate value and the text for the minutes.
"""

from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Literal

from ninja import Field, Router, Schema
from ninja.errors import HttpError

from casacomuni.lib.bounds import PositiveAmount
from casacomuni.procurement.calculators import results as calculators
from casacomuni.procurement.rules import anomaly, oepv, thresholds
from casacomuni.procurement.rules import router as procurement_router

router = Router(tags=["procurement calculators"])

RoundingMode = Literal["ROUND_HALF_UP", "ROUND_HALF_EVEN", "ROUND_DOWN", "ROUND_UP"]
ROUNDING = {
    "ROUND_HALF_UP": ROUND_HALF_UP,
    "ROUND_HALF_EVEN": ROUND_HALF_EVEN,
    "ROUND_DOWN": ROUND_DOWN,
    "ROUND_UP": ROUND_UP,
}


class BidIn(Schema):
    operator: str = Field(min_length=1, max_length=200)
    discount: Decimal = Field(ge=0, lt=100, description='Percentage, e.g. "12.345"')


class AnomalyIn(Schema):
    bids: list[BidIn] = Field(min_length=1, max_length=500)
    method: Literal["A", "B", "C"] = "A"
    reference_discount: Decimal | None = Field(None, ge=0, lt=100, description="Method C only")
    wing_rule: Literal["allegato", "block"] = "allegato"
    exclude_equal_to_threshold: bool | None = Field(None, description="Null: as the method provides")
    decimals: int = Field(3, ge=0, le=10)
    rounding: RoundingMode = "ROUND_HALF_UP"
    round_intermediates: bool = False
    contract_kind: Literal["works", "services", "supplies"] = "works"
    criterion: Literal["lowest_price", "best_quality_price"] = "lowest_price"
    below_eu_threshold: bool = True
    certain_cross_border_interest: bool = False
    direct_award: bool = False
    stated_in_documents: bool = True


class CalculatorBidOut(Schema):
    operator: str
    discount: str


class RouteReasonOut(Schema):
    code: str
    message: str
    article: str


class AnomalyOut(Schema):
    applicable: bool
    reasons: list[RouteReasonOut]
    method: str
    branch: str
    n: int
    k: int | None
    lower_wing: list[CalculatorBidOut]
    upper_wing: list[CalculatorBidOut]
    remaining: list[CalculatorBidOut]
    total: str | None = Field(description="S")
    mean: str | None = Field(description="M")
    mean_deviation: str | None = Field(description="SM")
    above_mean: int | None
    c1: int | None
    c2: int | None
    digit_sum: int | None = Field(description="d (methods B and C)")
    ratio: str | None = Field(description="SM/M (method A below fifteen bids)")
    adjustment: str | None = Field(description="SM × c1 × c2 / 100")
    reference_discount: str | None
    threshold: str | None = Field(description="T, rounded as the parameters say")
    excluded: list[CalculatorBidOut]
    admitted: list[CalculatorBidOut] = Field(description="Bids not excluded, highest discount first")
    winner: str | None
    tied_for_first: list[str]
    reasoning: list[str] = Field(description="Italian text for the minutes")
    caveats: list[str]


@router.post(
    "/anomaly-threshold",
    auth=None,
    response=AnomalyOut,
    summary="Anomaly threshold (art. 54 D.Lgs. 36/2023, Allegato II.2)",
)
def anomaly_threshold(request, payload: AnomalyIn):
    try:
        params = anomaly.AnomalyParameters(
            method=payload.method,
            wing_rule=payload.wing_rule,
            exclude_equal_to_threshold=payload.exclude_equal_to_threshold,
            decimals=payload.decimals,
            rounding=ROUNDING[payload.rounding],
            round_intermediates=payload.round_intermediates,
            reference_discount=payload.reference_discount if payload.method == "C" else None,
            stated_in_documents=payload.stated_in_documents,
        )
        bids = [anomaly.Bid(bid.operator, bid.discount) for bid in payload.bids]
        facts = anomaly.ApplicabilityFacts(
            criterion=payload.criterion,
            contract_kind=payload.contract_kind,
            below_eu_threshold=payload.below_eu_threshold,
            certain_cross_border_interest=payload.certain_cross_border_interest,
            admitted_bids=len(bids),
            direct_award=payload.direct_award,
        )
        result = anomaly.compute_threshold(bids, params, facts)
    except (ValueError, TypeError) as error:
        raise HttpError(400, str(error)) from error
    return calculators.anomaly_result(result)


class RouteIn(Schema):
    object_kind: Literal["works", "services", "supplies", "social_services", "engineering"]
    amount: PositiveAmount = Field(description="Euro net of VAT, options and renewals included (art. 14 c.4)")
    day: date = Field(description="When the procedure starts")
    buyer_qualification: Literal["none", "basic", "intermediate", "advanced"] = "none"
    sua_qualification: Literal["basic", "intermediate", "advanced"] | None = None
    criterion: Literal["lowest_price", "oepv"] | None = None
    labour_intensive: bool = False
    catering: bool = False
    intellectual: bool = False
    innovative: bool = False
    dialogue_or_partnership: bool = False
    cross_border_interest: bool = False


class RoutedProcedureOut(Schema):
    code: str
    label: str
    article: str
    min_operators: int | None
    anac_form: str | None


class AnswerOut(Schema):
    name: str
    label: str
    value: bool | int | str | list[RoutedProcedureOut] | None
    article: str
    explanation: str
    unverified: bool


class RouteOut(Schema):
    object_kind: str
    amount: str
    day: str
    answers: list[AnswerOut]


@router.post(
    "/route",
    auth=None,
    response=RouteOut,
    summary="Procedure router (artt. 14, 50, 62-63, 108 D.Lgs. 36/2023)",
)
def route(request, payload: RouteIn):
    flags = procurement_router.OepvFlags(
        catering=payload.catering,
        labour_intensive=payload.labour_intensive,
        intellectual=payload.intellectual,
        innovative=payload.innovative,
        dialogue_or_partnership=payload.dialogue_or_partnership,
    )
    try:
        decision = procurement_router.route(
            payload.object_kind,
            payload.amount,
            payload.day,
            buyer_qualification=payload.buyer_qualification,
            sua_qualification=payload.sua_qualification,
            criterion=payload.criterion,
            oepv_flags=flags,
            cross_border_interest=payload.cross_border_interest,
        )
    except (procurement_router.RouteError, thresholds.ThresholdError) as error:
        raise HttpError(400, calculators.translated(error.message, error.params)) from error
    return calculators.route_result(decision)


class SubCriterionIn(Schema):
    code: str = Field(min_length=1, max_length=50)
    max_points: Decimal = Field(gt=0)


class CriterionIn(Schema):
    code: str = Field(min_length=1, max_length=50)
    max_points: Decimal = Field(gt=0)
    sub_criteria: list[SubCriterionIn] = []


class BandIn(Schema):
    lower: Decimal
    coefficient: Decimal = Field(ge=0, le=1)


class OepvIn(Schema):
    criteria: list[CriterionIn] = Field(min_length=1, max_length=50)
    technical: dict[str, dict[str, list[Decimal]]] = Field(
        description="bid → part code (sub-criterion, or criterion without sub-criteria) → commissioners' coefficients in [0, 1]"
    )
    economic: dict[str, Decimal] = Field(
        description="bid → discount (linear, bilinear, tabular) or price (inverse)"
    )
    formula: Literal["linear", "inverse", "bilinear", "tabular"] = "linear"
    bilinear_x: Decimal | None = Field(None, description="0.80, 0.85 or 0.90 (bilinear only)")
    bands: list[BandIn] = Field([], description="tabular only")
    economic_max: Decimal = Field(gt=0)
    rescale: list[Literal["sub_criterion", "criterion", "total"]] = []
    minimum_technical: Decimal | None = None
    cut: Literal["before_rescaling", "after_rescaling"] | None = None
    decimals: int | None = Field(None, ge=0, le=12)
    rounding: RoundingMode = "ROUND_HALF_UP"
    round_intermediates: bool = False
    labour_intensive: bool = False
    strategic_it: bool = False


class BidScoreOut(Schema):
    bid: str
    coefficients: dict[str, str]
    raw_points: dict[str, str]
    technical_points: dict[str, str]
    technical: str
    economic_coefficient: str | None
    economic: str | None
    total: str | None
    rank: int | None
    tied: bool
    excluded: bool


class OepvOut(Schema):
    ranking: list[BidScoreOut]
    excluded: list[BidScoreOut]
    ties: list[list[str]]


def _bid_score_out(score: oepv.BidScore) -> dict:
    def text(value):
        return None if value is None else str(value)

    def texts(mapping):
        return {code: str(value) for code, value in mapping.items()}

    return {
        "bid": score.bid,
        "coefficients": texts(score.coefficients),
        "raw_points": texts(score.raw_points),
        "technical_points": texts(score.technical_points),
        "technical": str(score.technical),
        "economic_coefficient": text(score.economic_coefficient),
        "economic": text(score.economic),
        "total": text(score.total),
        "rank": score.rank,
        "tied": score.tied,
        "excluded": score.excluded,
    }


@router.post(
    "/oepv-score", auth=None, response=OepvOut, summary="OEPV scores and ranking (art. 108 D.Lgs. 36/2023)"
)
def oepv_score(request, payload: OepvIn):
    try:
        criteria = [
            oepv.Criterion(
                c.code, c.max_points, tuple(oepv.SubCriterion(s.code, s.max_points) for s in c.sub_criteria)
            )
            for c in payload.criteria
        ]
        formula = oepv.EconomicFormula(
            payload.formula,
            x=payload.bilinear_x,
            bands=tuple(oepv.Band(b.lower, b.coefficient) for b in payload.bands),
        )
        result = oepv.score_oepv(
            criteria,
            payload.technical,
            payload.economic,
            formula,
            payload.economic_max,
            rescale=payload.rescale,
            minimum_technical=payload.minimum_technical,
            cut=payload.cut,
            rounding=oepv.Rounding(payload.decimals, ROUNDING[payload.rounding], payload.round_intermediates),
            labour_intensive=payload.labour_intensive,
            strategic_it=payload.strategic_it,
        )
    except oepv.OepvError as error:
        raise HttpError(400, calculators.translated(error.message, error.params)) from error
    return {
        "ranking": [_bid_score_out(score) for score in result.ranking],
        "excluded": [_bid_score_out(score) for score in result.excluded],
        "ties": [list(group) for group in result.ties],
    }
