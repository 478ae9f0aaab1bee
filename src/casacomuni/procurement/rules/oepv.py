"""Scoring of the most economically advantageous tender, OEPV (art. 108 D.Lgs. 36/2023, DOMAIN §4.6).

Economic coefficients C in [0, 1], score = C x maximum points (formulas of ANAC Linee guida n. 2, still the
reference practice):
- linear on the discount: C = A / A_max;
- inverse on the price: C = P_min / P;
- bilinear with X in {0.80, 0.85, 0.90}: C = X * A / A_mean for A <= A_mean,
  C = X + (1 - X) * (A - A_mean) / (A_max - A_mean) otherwise;
- tabular: the coefficient of the band the value falls in, from a table set in the tender documents.

Technical scores: the commissioners' coefficients are averaged per sub-criterion; re-scaling
("riparametrazione") gives the best bid the maximum at the sub-criterion, criterion and/or total level; the
minimum technical score ("soglia di sbarramento") cuts before or after re-scaling. The order changes the
ranking, so both are parameters fixed in the documents. The economic score is capped at 30% only for
labour-intensive contracts and 10% for strategic IT (art. 108 c.4), not in general.

Arithmetic is exact: every value is a rational number (``fractions.Fraction``) until it is given out as a
``Decimal`` with the decimals and rounding mode of the documents (ANAC delibera 243/2021: no rounding rule is
in the law). ``Rounding.intermediates`` also rounds the averaged coefficients, each sub-criterion's points
and each re-scaling step, as some documents prescribe. Ties are judged on the figures given out.

Pure and dependency-free. Messages are English source strings, translated by the caller (gettext).
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
)
from fractions import Fraction

from casacomuni.lib.i18n import gettext_noop

LINEAR = "linear"
INVERSE = "inverse"
BILINEAR = "bilinear"
TABULAR = "tabular"
FORMULAS = (LINEAR, INVERSE, BILINEAR, TABULAR)
BILINEAR_X = (Decimal("0.80"), Decimal("0.85"), Decimal("0.90"))

SUB_CRITERION = "sub_criterion"
CRITERION = "criterion"
TOTAL = "total"
RESCALE_LEVELS = (SUB_CRITERION, CRITERION, TOTAL)  # applied in this order

BEFORE_RESCALING = "before_rescaling"
AFTER_RESCALING = "after_rescaling"
CUTS = (BEFORE_RESCALING, AFTER_RESCALING)

LABOUR_INTENSIVE_CAP = Fraction(30, 100)  # art. 108 c.4
STRATEGIC_IT_CAP = Fraction(10, 100)  # art. 108 c.4, strategic IT goods and services [unverified comma]

ROUNDING_MODES = (
    ROUND_HALF_UP,
    ROUND_HALF_EVEN,
    ROUND_HALF_DOWN,
    ROUND_DOWN,
    ROUND_UP,
    ROUND_FLOOR,
    ROUND_CEILING,
)


class OepvError(ValueError):
    """``message`` is an English source string; ``params`` fill its %(name)s placeholders."""

    def __init__(self, message: str, **params):
        super().__init__(message % params)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Rounding:
    """How figures are given out: ``decimals`` None means unrounded (exact, or 28 significant digits when
    the decimal expansion does not end); ``intermediates`` rounds every step too."""

    decimals: int | None = None
    mode: str = ROUND_HALF_UP
    intermediates: bool = False

    def __post_init__(self):
        if self.decimals is not None and (not isinstance(self.decimals, int) or not 0 <= self.decimals <= 12):
            raise OepvError(gettext_noop("Decimals must be a whole number from 0 to 12."))
        if self.mode not in ROUNDING_MODES:
            raise OepvError(gettext_noop("Unknown rounding mode %(mode)s."), mode=self.mode)

    def out(self, value: Fraction) -> Decimal:
        if self.decimals is None:
            return Decimal(value.numerator) / Decimal(value.denominator)
        return _round(value, self.decimals, self.mode)

    def step(self, value: Fraction) -> Fraction:
        if not self.intermediates or self.decimals is None:
            return value
        return Fraction(_round(value, self.decimals, self.mode))


def _round(value: Fraction, decimals: int, mode: str) -> Decimal:
    """Round a rational exactly (no double rounding through a binary or a short decimal approximation)."""
    scaled = value * 10**decimals
    low = math.floor(scaled)
    rest = scaled - low
    if rest == 0:
        units = low
    elif mode in (ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_HALF_DOWN) and rest != Fraction(1, 2):
        units = low + (rest > Fraction(1, 2))
    else:
        units = low + _round_up(mode, low, negative=value < 0)
    return Decimal(units).scaleb(-decimals)


def _round_up(mode: str, low: int, negative: bool) -> bool:
    """Whether a value strictly between ``low`` and ``low + 1`` (or exactly halfway) goes up."""
    away_from_zero = not negative
    return {
        ROUND_FLOOR: False,
        ROUND_CEILING: True,
        ROUND_DOWN: not away_from_zero,
        ROUND_UP: away_from_zero,
        ROUND_HALF_UP: away_from_zero,
        ROUND_HALF_DOWN: not away_from_zero,
        ROUND_HALF_EVEN: low % 2 == 1,
    }[mode]


def _exact(value, name: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str, Fraction)):
        raise OepvError(gettext_noop("%(name)s must be an exact decimal number."), name=name)
    try:
        result = Fraction(Decimal(value)) if isinstance(value, str) else Fraction(value)
    except (ArithmeticError, ValueError):
        raise OepvError(
            gettext_noop("%(name)s is not a number: %(value)s."), name=name, value=value
        ) from None
    return result


# Economic coefficients -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """A row of a tabular formula: values from ``lower`` (included) up to the next band get ``coefficient``."""

    lower: Decimal
    coefficient: Decimal


@dataclass(frozen=True)
class EconomicFormula:
    kind: str
    x: Decimal | None = None  # bilinear only
    bands: tuple[Band, ...] = ()  # tabular only

    def __post_init__(self):
        if self.kind not in FORMULAS:
            raise OepvError(gettext_noop("Unknown economic formula %(kind)s."), kind=self.kind)
        if self.kind == BILINEAR and (self.x is None or Decimal(self.x) not in BILINEAR_X):
            raise OepvError(gettext_noop("The bilinear formula needs X equal to 0.80, 0.85 or 0.90."))
        if self.kind == TABULAR:
            if not self.bands:
                raise OepvError(gettext_noop("The tabular formula needs its table of bands."))
            for band in self.bands:
                if not 0 <= _exact(band.coefficient, "coefficient") <= 1:
                    raise OepvError(gettext_noop("A band's coefficient must be between 0 and 1."))


def linear_coefficient(discount, max_discount) -> Fraction:
    """C = A / A_max; with no discount at all (A_max = 0) nobody earns points."""
    a, a_max = _exact(discount, "discount"), _exact(max_discount, "maximum discount")
    return Fraction(0) if a_max == 0 else a / a_max


def inverse_coefficient(price, min_price) -> Fraction:
    """C = P_min / P: the lowest price gets 1."""
    return _exact(min_price, "minimum price") / _exact(price, "price")


def bilinear_coefficient(discount, mean_discount, max_discount, x) -> Fraction:
    """C = X·A/A_mean for A <= A_mean, else C = X + (1 − X)·(A − A_mean)/(A_max − A_mean)."""
    a, mean, a_max = (_exact(v, "discount") for v in (discount, mean_discount, max_discount))
    x = _exact(x, "X")
    if a <= mean:
        return Fraction(0) if mean == 0 else x * a / mean
    return x + (1 - x) * (a - mean) / (a_max - mean)


def tabular_coefficient(value, bands: Sequence[Band]) -> Fraction:
    """The coefficient of the band with the highest lower bound not above ``value``."""
    v = _exact(value, "value")
    matching = [band for band in bands if _exact(band.lower, "band") <= v]
    if not matching:
        raise OepvError(gettext_noop("%(value)s falls in no band of the table."), value=value)
    return _exact(max(matching, key=lambda band: Decimal(band.lower)).coefficient, "coefficient")


@dataclass(frozen=True)
class EconomicScore:
    bid: str
    value: Decimal  # the discount (%) or the price offered
    coefficient: Decimal
    score: Decimal


def economic_scores(
    values: Mapping[str, Decimal], formula: EconomicFormula, max_points, rounding: Rounding = Rounding()
) -> dict[str, EconomicScore]:
    """Each bid's economic coefficient and score = C × ``max_points`` (art. 108; formulas in the docstring)."""
    exact = _economic(values, formula, _exact(max_points, "maximum points"), rounding)
    return {
        bid: EconomicScore(bid, Decimal(values[bid]), rounding.out(c), rounding.out(score))
        for bid, (c, score) in exact.items()
    }


def _economic(values, formula, max_points, rounding) -> dict[str, tuple[Fraction, Fraction]]:
    numbers = {bid: _exact(value, "economic offer") for bid, value in values.items()}
    if not numbers:
        return {}
    if formula.kind == INVERSE and min(numbers.values()) <= 0:
        raise OepvError(gettext_noop("Prices must be greater than zero."))
    if formula.kind in (LINEAR, BILINEAR) and min(numbers.values()) < 0:
        raise OepvError(gettext_noop("Discounts cannot be negative."))
    top, low = max(numbers.values()), min(numbers.values())
    mean = sum(numbers.values()) / len(numbers)
    coefficient = {
        LINEAR: lambda v: linear_coefficient(v, top),
        INVERSE: lambda v: inverse_coefficient(v, low),
        BILINEAR: lambda v: bilinear_coefficient(v, mean, top, formula.x),
        TABULAR: lambda v: tabular_coefficient(v, formula.bands),
    }[formula.kind]
    result = {}
    for bid, value in numbers.items():
        c = rounding.step(coefficient(value))
        result[bid] = (c, rounding.step(c * max_points))
    return result


# Weights ------------------------------------------------------------------------------------------------


def validate_weights(technical_max, economic_max, *, labour_intensive=False, strategic_it=False) -> None:
    """Art. 108 c.4: the economic score may weigh at most 30% for labour-intensive contracts and 10% for
    strategic IT goods and services; no cap otherwise. Raises OepvError when the weights break a cap."""
    technical, economic = _exact(technical_max, "technical points"), _exact(economic_max, "economic points")
    if technical < 0 or economic < 0 or technical + economic <= 0:
        raise OepvError(gettext_noop("The maximum points must be positive."))
    share = economic / (technical + economic)
    caps = [
        (
            strategic_it,
            STRATEGIC_IT_CAP,
            gettext_noop("For strategic IT the economic score may weigh at most 10%%."),
        ),
        (
            labour_intensive,
            LABOUR_INTENSIVE_CAP,
            gettext_noop("For labour-intensive contracts the economic score may weigh at most 30%%."),
        ),
    ]
    for applies, cap, message in caps:
        if applies and share > cap:
            raise OepvError(message)


# Technical scores -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubCriterion:
    code: str
    max_points: Decimal


@dataclass(frozen=True)
class Criterion:
    """A criterion of the technical offer; without sub-criteria it is scored as its own single part."""

    code: str
    max_points: Decimal
    sub_criteria: tuple[SubCriterion, ...] = ()

    def parts(self) -> tuple[SubCriterion, ...]:
        return self.sub_criteria or (SubCriterion(self.code, self.max_points),)


@dataclass(frozen=True)
class BidScore:
    """A bid's figures as given out, for the ranking and the minutes."""

    bid: str
    coefficients: dict  # part code -> averaged commissioners' coefficient
    raw_points: dict  # part code -> coefficient × maximum points, before re-scaling
    technical_points: dict  # part code -> points after re-scaling
    technical: Decimal
    economic_coefficient: Decimal | None
    economic: Decimal | None
    total: Decimal | None
    rank: int | None
    tied: bool
    excluded: bool  # below the minimum technical score


@dataclass(frozen=True)
class OepvResult:
    ranking: tuple[BidScore, ...]  # admitted bids, best first
    excluded: tuple[BidScore, ...]  # bids below the minimum technical score
    ties: tuple[tuple[str, ...], ...]  # groups of bids with the same total, for the documents' tie-break


def score_oepv(
    criteria: Sequence[Criterion],
    technical: Mapping[str, Mapping[str, Sequence]],
    economic: Mapping[str, Decimal],
    formula: EconomicFormula,
    economic_max,
    *,
    rescale: Sequence[str] = (),
    minimum_technical=None,
    cut: str | None = None,
    rounding: Rounding = Rounding(),
    labour_intensive: bool = False,
    strategic_it: bool = False,
) -> OepvResult:
    """Score and rank bids by OEPV (art. 108).

    ``technical`` maps each bid to its commissioners' coefficients (each in [0, 1]) for every part (the
    sub-criteria, or the criterion itself when it has none); ``economic`` maps each bid to its discount or
    price. ``rescale`` lists the levels re-scaled (any of sub_criterion, criterion, total, applied in that
    order). ``minimum_technical`` bars bids whose technical score is lower, judged ``cut`` =
    before_rescaling or after_rescaling: it must be stated when a minimum is set. Barred bids take no part
    in the economic formulas (their economic offer is not opened).
    """
    parts = _check_criteria(criteria)
    technical_max = sum((_exact(c.max_points, "points") for c in criteria), Fraction(0))
    validate_weights(
        technical_max, economic_max, labour_intensive=labour_intensive, strategic_it=strategic_it
    )
    levels = _check_levels(rescale)
    minimum = _check_cut(minimum_technical, cut)
    _check_bids(technical, economic, parts)
    coefficients = {bid: _averages(technical[bid], parts, rounding) for bid in technical}
    raw = {
        bid: {code: rounding.step(c * parts[code]) for code, c in coeff.items()}
        for bid, coeff in coefficients.items()
    }
    admitted = set(raw)
    if minimum is not None and cut == BEFORE_RESCALING:
        admitted = {bid for bid in raw if sum(raw[bid].values()) >= minimum}
    pool = raw if cut != BEFORE_RESCALING else {bid: raw[bid] for bid in admitted}
    rescaled = _rescale(pool, criteria, parts, levels, technical_max, rounding)
    if minimum is not None and cut == AFTER_RESCALING:
        admitted = {bid for bid in rescaled if sum(rescaled[bid].values()) >= minimum}
    economic_exact = _economic(
        {bid: economic[bid] for bid in admitted}, formula, _exact(economic_max, "economic points"), rounding
    )
    scores = [
        _bid_score(bid, coefficients, raw, rescaled, economic_exact.get(bid), rounding, bid not in admitted)
        for bid in sorted(raw)
    ]
    return _rank(scores)


def _check_criteria(criteria) -> dict[str, Fraction]:
    parts: dict[str, Fraction] = {}
    for criterion in criteria:
        max_points = _exact(criterion.max_points, "points")
        subs = sum((_exact(s.max_points, "points") for s in criterion.sub_criteria), Fraction(0))
        if criterion.sub_criteria and subs != max_points:
            raise OepvError(
                gettext_noop("The sub-criteria of %(code)s add up to %(subs)s points instead of %(points)s."),
                code=criterion.code,
                subs=Decimal(subs.numerator) / subs.denominator,
                points=criterion.max_points,
            )
        for part in criterion.parts():
            if part.code in parts:
                raise OepvError(gettext_noop("The code %(code)s is used twice."), code=part.code)
            if _exact(part.max_points, "points") <= 0:
                raise OepvError(gettext_noop("%(code)s must have positive maximum points."), code=part.code)
            parts[part.code] = _exact(part.max_points, "points")
    if not parts:
        raise OepvError(gettext_noop("The technical offer needs at least one criterion."))
    return parts


def _check_levels(rescale) -> tuple[str, ...]:
    for level in rescale:
        if level not in RESCALE_LEVELS:
            raise OepvError(gettext_noop("Unknown re-scaling level %(level)s."), level=level)
    return tuple(level for level in RESCALE_LEVELS if level in rescale)


def _check_cut(minimum_technical, cut) -> Fraction | None:
    if minimum_technical is None:
        return None
    if cut not in CUTS:
        raise OepvError(
            gettext_noop(
                "With a minimum technical score, state whether it applies before or after re-scaling."
            )
        )
    return _exact(minimum_technical, "minimum technical score")


def _check_bids(technical, economic, parts) -> None:
    if set(technical) != set(economic):
        raise OepvError(gettext_noop("Every bid needs both a technical and an economic offer."))
    for bid, given in technical.items():
        if set(given) != set(parts):
            raise OepvError(
                gettext_noop("Bid %(bid)s must have coefficients for exactly these parts: %(codes)s."),
                bid=bid,
                codes=", ".join(parts),
            )


def _averages(given: Mapping[str, Sequence], parts, rounding) -> dict[str, Fraction]:
    """The mean of the commissioners' coefficients for each part (each coefficient in [0, 1])."""
    result = {}
    for code in parts:
        values = [_exact(v, "coefficient") for v in given[code]]
        if not values or any(not 0 <= v <= 1 for v in values):
            raise OepvError(
                gettext_noop("Coefficients for %(code)s must be given, each between 0 and 1."), code=code
            )
        result[code] = rounding.step(sum(values, Fraction(0)) / len(values))
    return result


def _rescale(points, criteria, parts, levels, technical_max, rounding) -> dict[str, dict[str, Fraction]]:
    """Give the best bid the maximum of each group at each level; a group where all score 0 stays 0."""
    points = {bid: dict(by_part) for bid, by_part in points.items()}
    groups = {
        SUB_CRITERION: [(maximum, [code]) for code, maximum in parts.items()],
        CRITERION: [(_exact(c.max_points, "points"), [p.code for p in c.parts()]) for c in criteria],
        TOTAL: [(technical_max, list(parts))],
    }
    for level in levels:
        for maximum, codes in groups[level]:
            best = max((sum(points[bid][code] for code in codes) for bid in points), default=Fraction(0))
            if best == 0:
                continue
            for bid in points:
                for code in codes:
                    points[bid][code] = rounding.step(points[bid][code] * maximum / best)
    return points


def _bid_score(bid, coefficients, raw, rescaled, economic, rounding, excluded) -> BidScore:
    parts = rescaled.get(bid, raw[bid])  # a bid barred before re-scaling keeps its raw points
    technical = sum(parts.values(), Fraction(0))
    total = None if economic is None else technical + economic[1]
    return BidScore(
        bid=bid,
        coefficients={code: rounding.out(v) for code, v in coefficients[bid].items()},
        raw_points={code: rounding.out(v) for code, v in raw[bid].items()},
        technical_points={code: rounding.out(v) for code, v in parts.items()},
        technical=rounding.out(technical),
        economic_coefficient=None if economic is None else rounding.out(economic[0]),
        economic=None if economic is None else rounding.out(economic[1]),
        total=None if total is None else rounding.out(total),
        rank=None,
        tied=False,
        excluded=excluded,
    )


def _rank(scores: list[BidScore]) -> OepvResult:
    """Highest total first; equal totals (as given out) share a rank and are flagged as tied. An admitted
    bid always has a total: only an excluded one may lack its economic score."""
    admitted = sorted((s for s in scores if not s.excluded), key=lambda s: (-_total(s), s.bid))
    counts: dict[Decimal, list[str]] = {}
    for score in admitted:
        counts.setdefault(_total(score), []).append(score.bid)
    ranking = []
    for score in admitted:
        rank = 1 + sum(1 for other in admitted if _total(other) > _total(score))
        ranking.append(replace(score, rank=rank, tied=len(counts[_total(score)]) > 1))
    ties = tuple(tuple(bids) for bids in counts.values() if len(bids) > 1)
    return OepvResult(tuple(ranking), tuple(s for s in scores if s.excluded), ties)


def _total(score: BidScore) -> Decimal:
    if score.total is None:
        raise ValueError(f"bid {score.bid} is admitted without a total score")
    return score.total
