"""Automatic exclusion of anomalous bids: art. 54 D.Lgs. 36/2023 (as amended by D.Lgs. 209/2024), Allegato II.2.

Below the EU thresholds, when works or services are awarded at the lowest price, the tender documents provide
for the automatic exclusion of the bids whose discount reaches an "anomaly threshold" T computed from the
admitted bids by one of the methods of Allegato II.2 (art. 54 c.1-2). This module holds:

- ``AnomalyParameters``: the settings stored with each procedure (method, wing rule, bids equal to T,
  decimals, rounding mode, rounding of intermediates, reference discount for method C);
- ``check_applicability``: the conditions of art. 54 c.1-2, each failure a ``Reason``;
- ``compute_threshold``: every intermediate value, the excluded bids, the ranking, the winner (or the bids
  tied for first, left to a recorded fair draw) and the reasoning for the minutes.

Pure and dependency-free. Discounts are ``Decimal`` percentages (``Decimal("12.345")`` is 12,345 %). The
arithmetic is exact: values are carried as ``fractions.Fraction`` so that no division is ever rounded except
where the tender documents say so (no rounding rule is in the law; ANAC delibera 243/2021 leaves decimals,
rounding mode and rounding of intermediates to the documents, and they change the result).

Two kinds of text: ``Reason.message`` and ``AnomalyResult.caveats`` are English source strings marked with
``gettext_noop`` for the Django layer to translate; ``AnomalyResult.reasoning`` is Italian text produced here
directly, because it is the wording of a legal act (the "verbale" of the evaluation session).
"""

import math
from dataclasses import dataclass, field, replace
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
from typing import Any

from casacomuni.lib.i18n import gettext_noop

METHOD_A = "A"
METHOD_B = "B"
METHOD_C = "C"
METHODS = (METHOD_A, METHOD_B, METHOD_C)

WINGS_ALLEGATO = "allegato"
WINGS_BLOCK = "block"
WING_RULES = (WINGS_ALLEGATO, WINGS_BLOCK)

ROUNDING_MODES = (
    ROUND_HALF_UP,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_DOWN,
    ROUND_UP,
    ROUND_FLOOR,
    ROUND_CEILING,
)

LOWEST_PRICE = "lowest_price"
BEST_QUALITY_PRICE = "best_quality_price"
WORKS = "works"
SERVICES = "services"
SUPPLIES = "supplies"

MINIMUM_BIDS = 5  # art. 54 c.1: "qualora il numero delle offerte ammesse sia pari o superiore a cinque"
LARGE_FIELD = 15  # Allegato II.2, method A: point 1 from fifteen admitted bids, point 2 below
RATIO_LIMIT = Fraction(15, 100)  # Allegato II.2, method A point 2: rho <= 0,15
MEAN_UPLIFT = Fraction(120, 100)  # Allegato II.2, method A point 2: mean increased by 20 %

ART_54_1 = "art. 54 c. 1 D.Lgs. 36/2023"
ART_54_2 = "art. 54 c. 2 D.Lgs. 36/2023; Allegato II.2"


@dataclass(frozen=True)
class AnomalyParameters:
    """The anomaly settings fixed in the tender documents and stored with the procedure.

    ``method``: "A", "B" or "C" of Allegato II.2 (art. 54 c.2).

    ``wing_rule`` — how the 10 % wings ("taglio delle ali") are set aside; k = ceil(10 % of n), n the number
    of admitted bids, is the same under both rules:

    - ``"allegato"`` (Allegato II.2, method A letter a: equal discounts are "prese in considerazione
      distintamente nei loro singoli valori", and offers equal to those to be set aside "sono altresì da
      accantonare"): sort the discounts; the k lowest and the k highest bids are set aside, each bid counted
      singly, and so is every other bid whose discount equals the k-th lowest (lower wing) or the k-th
      highest (upper wing). A wing may thus hold more than k bids.
    - ``"block"`` (older reading, Cons. Stato Ad. Plen. n. 5/2017 on art. 121 d.P.R. 207/2010): equal
      discounts form one block that counts as a single offer, both inside the wings and across their
      boundary: the wings are the k lowest and the k highest *distinct* discount values, with every bid at
      those values.

    ``exclude_equal_to_threshold``: whether a bid exactly equal to T is excluded. ``None`` (default) means
    the most common reading per method: excluded under method A (its text assesses bids "pari o superiore"
    to the threshold; Cons. Stato V n. 5780/2024, TAR Piemonte I n. 514/2024, TAR Catania n. 3010/2024),
    kept under methods B and C (their text excludes only discounts "superiori" to the threshold; TAR
    Piemonte n. 514/2024: method A is the only one giving weight to bids equal to T). ``True``/``False``
    force either treatment.

    ``decimals`` and ``rounding``: T is always rounded to ``decimals`` places with ``rounding`` (a
    ``decimal`` module constant such as ``ROUND_HALF_UP`` or ``ROUND_DOWN``) and bids are compared with
    that rounded T, the value printed in the minutes. ``round_intermediates``: when true, S, M, SM, rho and
    V are rounded the same way as soon as computed and the rounded value is used from then on; when false
    they are exact and shown rounded only for display.

    ``reference_discount``: R_ref of method C, chosen in the documents from the Allegato's table of
    historical percentiles by SOA category and amount band (``rules.reference_discounts``); required for C
    only.

    ``stated_in_documents``: the documents provide for the automatic exclusion (art. 54 c.1).
    ``method_drawn``: the method was drawn at the evaluation among the compatible ones (art. 54 c.2) rather
    than stated in the documents.
    """

    method: str = METHOD_A
    wing_rule: str = WINGS_ALLEGATO
    exclude_equal_to_threshold: bool | None = None
    decimals: int = 3
    rounding: str = ROUND_HALF_UP
    round_intermediates: bool = False
    reference_discount: Decimal | None = None
    stated_in_documents: bool = True
    method_drawn: bool = False

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f"Unknown anomaly method {self.method!r}: expected one of {METHODS}.")
        if self.wing_rule not in WING_RULES:
            raise ValueError(f"Unknown wing rule {self.wing_rule!r}: expected one of {WING_RULES}.")
        if self.rounding not in ROUNDING_MODES:
            raise ValueError(
                f"Unsupported rounding mode {self.rounding!r}: expected one of {ROUNDING_MODES}."
            )
        if (
            isinstance(self.decimals, bool)
            or not isinstance(self.decimals, int)
            or not 0 <= self.decimals <= 10
        ):
            raise ValueError("Decimals must be an integer from 0 to 10.")
        if self.method == METHOD_C:
            if self.reference_discount is None:
                raise ValueError("Method C needs the reference discount fixed in the tender documents.")
            object.__setattr__(self, "reference_discount", _as_discount(self.reference_discount))
        elif self.reference_discount is not None:
            raise ValueError("A reference discount belongs to method C only.")

    @property
    def excludes_equal(self) -> bool:
        """The treatment of bids equal to T in force: the explicit setting, else the method's default."""
        if self.exclude_equal_to_threshold is not None:
            return self.exclude_equal_to_threshold
        return self.method == METHOD_A


@dataclass(frozen=True)
class Bid:
    """An admitted bid: the operator and its discount, a percentage from 0 (included) to 100 (excluded)."""

    operator_id: str
    discount: Decimal

    def __post_init__(self):
        object.__setattr__(self, "discount", _as_discount(self.discount))


@dataclass(frozen=True)
class ApplicabilityFacts:
    """What art. 54 c.1 asks of the procedure, besides the settings in ``AnomalyParameters``.

    ``criterion``: "lowest_price" or "best_quality_price"; ``contract_kind``: "works", "services" or
    "supplies"; ``below_eu_threshold``: the value (options and renewals included) is below the art. 14
    threshold in force when the procedure starts (computed by the thresholds rule); ``direct_award``: an
    award under art. 50 c.1 letters a) or b).
    """

    criterion: str
    contract_kind: str
    below_eu_threshold: bool
    certain_cross_border_interest: bool
    admitted_bids: int
    direct_award: bool = False

    def __post_init__(self):
        if self.criterion not in (LOWEST_PRICE, BEST_QUALITY_PRICE):
            raise ValueError(f"Unknown award criterion {self.criterion!r}.")
        if self.contract_kind not in (WORKS, SERVICES, SUPPLIES):
            raise ValueError(f"Unknown contract kind {self.contract_kind!r}.")


@dataclass(frozen=True)
class Reason:
    """Why the automatic exclusion does not apply: ``message`` is an English source string (translate it
    with gettext; fill its %(name)s placeholders from ``params``), ``article`` the provision it rests on."""

    code: str
    message: str
    article: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class AnomalyResult:
    """The outcome of ``compute_threshold``, every value as used in the computation.

    Values are ``Decimal`` percentages. When ``round_intermediates`` is false, mean, mean_deviation, ratio
    and adjustment are the exact values rounded to the chosen decimals for display only; ``total`` (S) is
    shown exact because its digits feed c1, c2 and d. ``threshold`` is the value the bids were compared with.
    Computed values are ``None`` when the exclusion does not apply or no bid remains after the wings.
    """

    applicable: bool
    reasons: tuple[Reason, ...]
    method: str
    branch: str
    n: int
    k: int | None
    lower_wing: tuple[Bid, ...]
    upper_wing: tuple[Bid, ...]
    remaining: tuple[Bid, ...]
    total: Decimal | None  # S
    mean: Decimal | None  # M
    mean_deviation: Decimal | None  # SM
    above_mean: int | None  # how many r in R exceed the mean M
    c1: int | None
    c2: int | None
    digit_sum: int | None  # d, methods B and C
    ratio: Decimal | None  # rho = SM / M, method A below fifteen bids
    adjustment: Decimal | None  # SM * c1 * c2 / 100
    reference_discount: Decimal | None
    threshold: Decimal | None  # T
    excluded: tuple[Bid, ...]
    admitted: tuple[Bid, ...]  # the bids not excluded, highest discount first
    winner: str | None
    tied_for_first: tuple[str, ...]  # operators sharing the highest admitted discount: a fair draw decides
    reasoning: tuple[str, ...]  # Italian paragraphs for the minutes
    caveats: tuple[str, ...]  # English source strings the UI shows next to the result

    @property
    def reasoning_text(self) -> str:
        return "\n".join(self.reasoning)


# Branches of the computation, as reported in ``AnomalyResult.branch``.
NOT_APPLICABLE = "not_applicable"
NO_REMAINING = "no_remaining_bids"
A_LARGE = "A_15_or_more"
A_SMALL_LOW_RATIO = "A_under_15_ratio_at_most_0.15"
A_SMALL_HIGH_RATIO = "A_under_15_ratio_above_0.15"
EVEN = "even"
ODD = "odd"


def check_applicability(facts: ApplicabilityFacts, params: AnomalyParameters) -> list[Reason]:
    """The reasons why automatic exclusion does NOT apply; an empty list means it applies.

    Art. 54 c.1 D.Lgs. 36/2023: lowest-price award of works or services below the EU thresholds without a
    certain cross-border interest, at least five admitted bids, never for the direct awards of art. 50 c.1
    letters a) and b), and provided for in the tender documents. Art. 54 c.2: the method is stated in the
    documents or drawn at the evaluation among the compatible methods of Allegato II.2; method C cannot be
    drawn because its reference discount must be fixed in the documents beforehand.
    """
    reasons = []
    if facts.criterion != LOWEST_PRICE:
        reasons.append(
            Reason("criterion", gettext_noop("The award criterion is not the lowest price."), ART_54_1)
        )
    if facts.contract_kind == SUPPLIES:
        reasons.append(
            Reason(
                "supplies",
                gettext_noop("The contract is for supplies: only works and services qualify."),
                ART_54_1,
            )
        )
    if not facts.below_eu_threshold:
        reasons.append(
            Reason("above_threshold", gettext_noop("The amount is not below the EU threshold."), ART_54_1)
        )
    if facts.certain_cross_border_interest:
        reasons.append(
            Reason(
                "cross_border", gettext_noop("The contract has a certain cross-border interest."), ART_54_1
            )
        )
    if facts.direct_award:
        reasons.append(
            Reason(
                "direct_award",
                gettext_noop("A direct award under art. 50 c.1 letters a) or b) is excluded."),
                ART_54_1,
            )
        )
    return reasons + _reasons_from_bids_and_settings(facts.admitted_bids, params)


def _reasons_from_bids_and_settings(n: int, params: AnomalyParameters) -> list[Reason]:
    """The conditions ``compute_threshold`` can check by itself: art. 54 c.1 (five bids, stated in the
    documents) and c.2 (method C is never drawn)."""
    reasons = []
    if n < MINIMUM_BIDS:
        reasons.append(
            Reason(
                "too_few_bids",
                gettext_noop("Only %(count)s admitted bids: at least %(minimum)s are needed."),
                ART_54_1,
                {"count": n, "minimum": MINIMUM_BIDS},
            )
        )
    if not params.stated_in_documents:
        reasons.append(
            Reason(
                "not_in_documents",
                gettext_noop("The tender documents do not provide for the automatic exclusion."),
                ART_54_1,
            )
        )
    if params.method_drawn and params.method == METHOD_C:
        reasons.append(
            Reason(
                "method_c_drawn",
                gettext_noop(
                    "Method C cannot be drawn at the evaluation: its reference discount must be fixed in the tender documents."
                ),
                ART_54_2,
            )
        )
    return reasons


def compute_threshold(
    bids: list[Bid], params: AnomalyParameters, facts: ApplicabilityFacts | None = None
) -> AnomalyResult:
    """The anomaly threshold of Allegato II.2 for the admitted ``bids``, with every intermediate value.

    Art. 54 c.1-2 and Allegato II.2 D.Lgs. 36/2023. With n admitted bids and k = ceil(10 % of n):

    1. wings: the lower and upper wings are set aside per ``params.wing_rule``; R is the rest;
    2. S = sum of R, M = S / |R|; SM = mean of (r - M) over the r in R with r > M (0 if there is none);
       c1, c2 = the first two digits after the decimal point of S;
    3. method A, n >= 15: T = M + SM - SM * (c1 * c2) / 100;
       method A, 5 <= n < 15: rho = SM / M; T = 1,20 * M if rho <= 0,15, else T = M + SM
       (when M = 0, rho is undefined and T = M + SM = 0);
    4. method B: V = SM * (c1 * c2) / 100; d = sum of the digits of S up to its second decimal;
       T = M + SM - V if d is even, T = M + SM + V if d is odd;
    5. method C: S, M, SM, c1, c2, V and d exactly as in B (SM is the mean excess over M, not over R_ref);
       T = R_ref - V if d is even, T = R_ref + V if d is odd: T is centred on the reference discount R_ref
       fixed in the documents (``rules.reference_discounts``) and M + SM plays no part in it (DOMAIN.md §4.5,
       as TuttoGare PA computes it);
    6. the bids (wings included) above T are excluded, those equal to T per ``params.excludes_equal``; wing
       bids are set aside only to compute T. Among the rest the highest discount wins; equal highest
       discounts are returned in ``tied_for_first`` for a recorded fair draw (never drawn here).

    With fewer than five bids (or when ``facts``, if given, or ``params`` fail art. 54) nothing is computed
    or excluded and ``reasons`` says why. When the wings leave no bid in R, T cannot be computed: nothing is
    excluded. Results do not depend on the order of ``bids``: ties are listed by operator id.
    """
    bids = sorted(bids, key=lambda bid: (bid.discount, bid.operator_id))
    _check_distinct_operators(bids)
    n = len(bids)
    if facts is not None:
        reasons = check_applicability(replace(facts, admitted_bids=n), params)
    else:
        reasons = _reasons_from_bids_and_settings(n, params)
    if reasons:
        return _outcome(params, n, bids, reasons=tuple(reasons), branch=NOT_APPLICABLE)
    k = -(-n // 10)
    lower, upper, remaining = _set_aside_wings(bids, k, params.wing_rule)
    wings: dict[str, Any] = {"k": k, "lower_wing": lower, "upper_wing": upper, "remaining": remaining}
    if not remaining:
        return _outcome(params, n, bids, branch=NO_REMAINING, **wings)
    values = _Calculator(params).threshold(remaining, n)
    return _outcome(params, n, bids, **wings, **values)


def _check_distinct_operators(bids: list[Bid]) -> None:
    operators = [bid.operator_id for bid in bids]
    if len(set(operators)) != len(operators):
        raise ValueError("Each operator may appear once among the admitted bids.")


def _set_aside_wings(
    bids: list[Bid], k: int, rule: str
) -> tuple[tuple[Bid, ...], tuple[Bid, ...], tuple[Bid, ...]]:
    """The lower wing, the upper wing and R, from bids sorted by ascending discount (Allegato II.2 letter a)."""
    if rule == WINGS_ALLEGATO:
        low_boundary, high_boundary = bids[k - 1].discount, bids[-k].discount
    else:
        distinct = sorted({bid.discount for bid in bids})
        low_boundary, high_boundary = distinct[min(k, len(distinct)) - 1], distinct[-min(k, len(distinct))]
    lower = tuple(bid for bid in bids if bid.discount <= low_boundary)
    upper = tuple(bid for bid in bids if bid.discount >= high_boundary and bid.discount > low_boundary)
    remaining = tuple(bid for bid in bids if low_boundary < bid.discount < high_boundary)
    return lower, upper, remaining


class _Calculator:
    """Steps 2-5 of ``compute_threshold`` on R, in exact fractions, rounding where the settings say."""

    def __init__(self, params: AnomalyParameters):
        self.params = params

    def rounded(self, value: Fraction) -> Decimal:
        return round_fraction(value, self.params.decimals, self.params.rounding)

    def step(self, value: Fraction) -> Fraction:
        """An intermediate value as used from now on: rounded only if the documents say so."""
        return Fraction(self.rounded(value)) if self.params.round_intermediates else value

    def beside_limit(self, ratio: Fraction) -> Decimal:
        """rho for display: with the chosen decimals, or more when needed to show on which side of 0,15 the
        exact value lies (0,1504 must not be printed as 0,150 next to "superiore a 0,15")."""
        for places in range(self.params.decimals, self.params.decimals + 20):
            shown = round_fraction(ratio, places, self.params.rounding)
            if (shown > RATIO_LIMIT, shown == RATIO_LIMIT) == (ratio > RATIO_LIMIT, ratio == RATIO_LIMIT):
                return shown
        return shown

    def threshold(self, remaining: tuple[Bid, ...], n: int) -> dict:
        exact_total = sum((bid.discount for bid in remaining), Decimal(0))
        total = self.rounded(Fraction(exact_total)) if self.params.round_intermediates else exact_total
        mean = self.step(Fraction(total) / len(remaining))
        c1, c2 = _first_two_decimals(total)
        method = self.params.method
        # SM is the mean excess over M for every method, C included (Allegato II.2, DOMAIN §4.5).
        above = [Fraction(bid.discount) - mean for bid in remaining if bid.discount > mean]
        deviation = self.step(sum(above, Fraction(0)) / len(above)) if above else Fraction(0)
        values = {
            "total": total,
            "mean": mean,
            "deviation": deviation,
            "above": len(above),
            "c1": c1,
            "c2": c2,
        }
        if method == METHOD_A and n >= LARGE_FIELD:
            adjustment = self.step(deviation * c1 * c2 / 100)
            return self._report(values, A_LARGE, mean + deviation - adjustment, adjustment=adjustment)
        if method == METHOD_A:
            ratio = self.step(deviation / mean) if mean else None
            if ratio is not None and ratio <= RATIO_LIMIT:
                return self._report(values, A_SMALL_LOW_RATIO, self.step(MEAN_UPLIFT * mean), ratio=ratio)
            return self._report(values, A_SMALL_HIGH_RATIO, mean + deviation, ratio=ratio)
        adjustment = self.step(deviation * c1 * c2 / 100)
        digit_sum = _digit_sum_to_second_decimal(total)
        sign = -1 if digit_sum % 2 == 0 else 1
        branch = f"{method}_{EVEN if sign < 0 else ODD}"
        # Method B: T = M + SM -/+ V. Method C: T = R_ref -/+ V, centred on the reference discount alone.
        centre = Fraction(self._reference_discount()) if method == METHOD_C else mean + deviation
        threshold = centre + sign * adjustment
        return self._report(values, branch, threshold, adjustment=adjustment, digit_sum=digit_sum)

    def _reference_discount(self) -> Decimal:
        # Checked with the other parameters (method C cannot be chosen without it); said again for the reader.
        if self.params.reference_discount is None:
            raise ValueError("method C needs the reference discount R_ref")
        return self.params.reference_discount

    def _report(
        self, values: dict, branch: str, threshold: Fraction, *, ratio=None, adjustment=None, digit_sum=None
    ):
        show = self.rounded
        return {
            "branch": branch,
            "total": values["total"],
            "mean": show(values["mean"]),
            "mean_deviation": show(values["deviation"]),
            "above_mean": values["above"],
            "c1": values["c1"],
            "c2": values["c2"],
            "digit_sum": digit_sum,
            "ratio": None if ratio is None else self.beside_limit(ratio),
            "adjustment": None if adjustment is None else show(adjustment),
            "threshold": show(threshold),
        }


def _outcome(
    params: AnomalyParameters, n: int, bids: list[Bid], *, reasons=(), branch: str, **values
) -> AnomalyResult:
    """Applies T to the bids, ranks the survivors and writes the minutes' reasoning."""
    threshold = values.get("threshold")
    excluded = tuple(bid for bid in bids if threshold is not None and _is_excluded(bid, threshold, params))
    dropped = set(excluded)
    admitted = tuple(
        sorted((bid for bid in bids if bid not in dropped), key=lambda bid: (-bid.discount, bid.operator_id))
    )
    top = [bid.operator_id for bid in admitted if bid.discount == admitted[0].discount] if admitted else []
    fields = {
        "k": None,
        "lower_wing": (),
        "upper_wing": (),
        "remaining": (),
        "total": None,
        "mean": None,
        "mean_deviation": None,
        "above_mean": None,
        "c1": None,
        "c2": None,
        "digit_sum": None,
        "ratio": None,
        "adjustment": None,
        "threshold": None,
    } | values
    result = AnomalyResult(
        applicable=not reasons,
        reasons=tuple(reasons),
        method=params.method,
        branch=branch,
        n=n,
        reference_discount=params.reference_discount,
        excluded=excluded,
        admitted=admitted,
        winner=top[0] if len(top) == 1 else None,
        tied_for_first=tuple(top) if len(top) > 1 else (),
        reasoning=(),
        caveats=_caveats(params, branch),
        **fields,
    )
    return replace(result, reasoning=tuple(_minutes(result, params)))


def _is_excluded(bid: Bid, threshold: Decimal, params: AnomalyParameters) -> bool:
    return bid.discount > threshold or (params.excludes_equal and bid.discount == threshold)


def _caveats(params: AnomalyParameters, branch: str) -> tuple[str, ...]:
    caveats = []
    if branch != NOT_APPLICABLE and params.method == METHOD_C:
        caveats.append(
            gettext_noop(
                "The reference discount comes from a copy of the table of Allegato II.2: compare its cell with the text in the Gazzetta Ufficiale before relying on it."
            )
        )
    if branch != NOT_APPLICABLE and params.method == METHOD_B:
        caveats.append(
            gettext_noop(
                "The winner is awarded at its own discount; check whether the tender documents provide otherwise for method B."
            )
        )
    if branch == NO_REMAINING:
        caveats.append(gettext_noop("The wings set aside every bid: the threshold cannot be computed."))
    return tuple(caveats)


def round_fraction(value: Fraction, places: int, rounding: str) -> Decimal:
    """``value`` rounded to ``places`` decimals with a ``decimal`` rounding mode, exactly.

    The rounding of any mode depends only on the sign, on the digits kept and on whether the dropped part
    is zero, below, at or above one half: a proxy with the same dropped-part class (0,25 / 0,5 / 0,75) is
    rounded by ``Decimal`` itself, so no binary or truncated division ever enters the result.
    """
    scaled = value * 10**places
    kept = math.floor(scaled)
    dropped = scaled - kept
    if dropped == 0:
        proxy = Decimal(kept)
    else:
        half = Fraction(1, 2)
        proxy = Decimal(kept) + (
            Decimal("0.25") if dropped < half else Decimal("0.5") if dropped == half else Decimal("0.75")
        )
    return proxy.quantize(Decimal(1), rounding=rounding).scaleb(-places)


def _first_two_decimals(value: Decimal) -> tuple[int, int]:
    """c1 and c2 of Allegato II.2: the first two digits after the decimal point, as written (not rounded)."""
    hundredths = int(value.copy_abs().scaleb(2).to_integral_value(rounding=ROUND_DOWN))
    return hundredths // 10 % 10, hundredths % 10


def _digit_sum_to_second_decimal(value: Decimal) -> int:
    """d of method B: the sum of the digits of S up to its second decimal (integer part included)."""
    hundredths = int(value.copy_abs().scaleb(2).to_integral_value(rounding=ROUND_DOWN))
    return sum(int(digit) for digit in str(hundredths))


def _as_discount(value) -> Decimal:
    """A discount as an exact Decimal; floats are refused because they are not the number the bidder wrote."""
    if isinstance(value, float | bool):
        raise TypeError("Discounts must be Decimal, int or str, never float.")
    discount = Decimal(value)
    if not discount.is_finite() or not 0 <= discount < 100:
        raise ValueError(f"A discount must be a percentage from 0 to less than 100, not {value!r}.")
    return discount


# --- The minutes (Italian: the text of a legal act) ---------------------------------------------------

ROUNDING_WORDS = {
    ROUND_HALF_UP: "per eccesso se la cifra successiva è pari o superiore a cinque, per difetto altrimenti",
    ROUND_HALF_DOWN: "per eccesso se la cifra successiva è superiore a cinque, per difetto altrimenti",
    ROUND_HALF_EVEN: "alla cifra pari più vicina quando la parte da eliminare è esattamente la metà",
    ROUND_DOWN: "per troncamento",
    ROUND_UP: "sempre per eccesso",
    ROUND_FLOOR: "per difetto",
    ROUND_CEILING: "per eccesso verso l'alto",
}
NUMBER_WORDS = ("zero", "una", "due", "tre", "quattro", "cinque", "sei", "sette", "otto", "nove", "dieci")

REASONS_IT = {
    "criterion": "il criterio di aggiudicazione non è quello del prezzo più basso",
    "supplies": "l'appalto ha per oggetto forniture, mentre l'esclusione automatica riguarda solo lavori e servizi",
    "above_threshold": "l'importo non è inferiore alla soglia di rilevanza europea",
    "cross_border": "l'appalto presenta un interesse transfrontaliero certo",
    "direct_award": "si tratta di un affidamento diretto di cui all'art. 50, comma 1, lettere a) e b)",
    "too_few_bids": "il numero delle offerte ammesse ({count}) è inferiore a cinque",
    "not_in_documents": "gli atti di gara non prevedono l'esclusione automatica",
    "method_c_drawn": "il metodo C non può essere sorteggiato: il ribasso di riferimento va fissato negli atti di gara",
}


def decimals_in_words(decimals: int) -> str:
    """ "tre cifre decimali", "una cifra decimale", "nessuna cifra decimale": as a tender document says it."""
    if decimals == 0:
        return "nessuna cifra decimale"
    if decimals == 1:
        return "una cifra decimale"
    return f"{NUMBER_WORDS[decimals]} cifre decimali"


def italian_number(value: Decimal, places: int) -> str:
    """``value`` with ``places`` decimals (never fewer than it has), decimal comma and thousands dot."""
    # A finite Decimal's exponent is an int ("n", "N" or "F" mark NaN and infinity).
    places = max(places, -int(value.as_tuple().exponent)) if value.is_finite() else places
    text = f"{value:,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _minutes(result: AnomalyResult, params: AnomalyParameters) -> list[str]:
    def num(value):
        return italian_number(value, params.decimals)

    def listing(bids):
        return "; ".join(f"{bid.operator_id} ({num(bid.discount)} %)" for bid in bids) or "nessuna"

    if not result.applicable:
        why = "; ".join(REASONS_IT[reason.code].format(**reason.params) for reason in result.reasons)
        lines = [
            f"L'esclusione automatica delle offerte anomale non si applica (art. 54, commi 1 e 2, D.Lgs. 36/2023): {why}.",
            "Nessuna offerta è esclusa automaticamente; resta ferma la verifica delle offerte anormalmente basse ai sensi dell'art. 110 D.Lgs. 36/2023.",
        ]
        return lines + _ranking_lines(result, listing, num)
    lines = _settings_lines(result, params) + [
        f"Offerte ammesse: n = {result.n}. Taglio delle ali: il 10 % di {result.n}, arrotondato all'unità superiore, dà k = {result.k}.",
        f"Offerte accantonate di minor ribasso: {listing(result.lower_wing)}.",
        f"Offerte accantonate di maggior ribasso: {listing(result.upper_wing)}.",
    ]
    if result.branch == NO_REMAINING:
        lines.append(
            "Il taglio delle ali accantona tutte le offerte: la soglia di anomalia non può essere calcolata e nessuna offerta è esclusa."
        )
        return lines + _ranking_lines(result, listing, num)
    return lines + _computation_lines(result, params, num) + _ranking_lines(result, listing, num)


def _settings_lines(result: AnomalyResult, params: AnomalyParameters) -> list[str]:
    chosen = (
        "sorteggiato in sede di valutazione delle offerte"
        if params.method_drawn
        else "indicato negli atti di gara"
    )
    wings = (
        "le offerte di ribasso uguale sono considerate distintamente e quelle uguali all'ultima offerta da accantonare sono altresì accantonate (Allegato II.2)"
        if params.wing_rule == WINGS_ALLEGATO
        else "le offerte di ribasso uguale sono considerate come un'unica offerta (blocco unitario)"
    )
    intermediates = (
        "i valori intermedi sono arrotondati a ogni passaggio"
        if params.round_intermediates
        else "i valori intermedi sono calcolati senza arrotondamento ed esposti arrotondati"
    )
    equal = "escluse" if params.excludes_equal else "non escluse"
    return [
        f"Metodo di calcolo della soglia di anomalia: metodo {result.method} dell'Allegato II.2 al D.Lgs. 36/2023, {chosen} (art. 54, comma 2).",
        f"Calcoli con {decimals_in_words(params.decimals)}, arrotondamento {ROUNDING_WORDS[params.rounding]}; {intermediates}; "
        f"taglio delle ali: {wings}; offerte con ribasso pari alla soglia: {equal}.",
    ]


def _computation_lines(result: AnomalyResult, params: AnomalyParameters, num) -> list[str]:
    size = len(result.remaining)
    lines = [
        f"Offerte rimaste dopo il taglio delle ali: {size}. Somma dei ribassi S = {num(result.total)}; media aritmetica M = S / {size} = {num(result.mean)}.",
    ]
    if result.method == METHOD_C:
        lines.append(
            f"Ribasso di riferimento fissato negli atti di gara: R_rif = {num(result.reference_discount)}."
        )
    lines.append(
        f"Scarto medio aritmetico dei ribassi superiori alla media M ({result.above_mean} {'offerta' if result.above_mean == 1 else 'offerte'}): SM = {num(result.mean_deviation)}."
    )
    if result.branch in (A_SMALL_LOW_RATIO, A_SMALL_HIGH_RATIO):
        ratio = "non calcolabile (M = 0)" if result.ratio is None else num(result.ratio)
        if result.branch == A_SMALL_LOW_RATIO:
            lines.append(
                f"Offerte ammesse inferiori a 15: rapporto SM / M = {ratio}, pari o inferiore a 0,15; soglia T = M × 1,20."
            )
        else:
            lines.append(
                f"Offerte ammesse inferiori a 15: rapporto SM / M = {ratio}, superiore a 0,15; soglia T = M + SM."
            )
    else:
        if result.c1 is None or result.c2 is None:
            raise ValueError("methods B and C state c1 and c2")
        product = result.c1 * result.c2
        lines.append(
            f"Prime due cifre dopo la virgola di S: c1 = {result.c1}, c2 = {result.c2}; prodotto c1 × c2 = {product}; "
            f"V = SM × {product} / 100 = {num(result.adjustment)}."
        )
        if result.branch == A_LARGE:
            lines.append("Offerte ammesse pari o superiori a 15: soglia T = M + SM − V.")
        else:
            parity = "pari" if result.branch.endswith(EVEN) else "dispari"
            sign = "−" if parity == "pari" else "+"
            centre = "R_rif" if result.method == METHOD_C else "M + SM"
            lines.append(
                f"Somma delle cifre di S fino alla seconda cifra decimale: d = {result.digit_sum}, {parity}; soglia T = {centre} {sign} V."
            )
    lines.append(f"Soglia di anomalia T = {num(result.threshold)} %.")
    return lines


def _ranking_lines(result: AnomalyResult, listing, num) -> list[str]:
    lines = []
    if result.threshold is not None:
        lines.append(f"Offerte escluse automaticamente: {listing(result.excluded)}.")
    ranking = "; ".join(
        f"{place}. {bid.operator_id} ({num(bid.discount)} %)" for place, bid in enumerate(result.admitted, 1)
    )
    lines.append(f"Graduatoria delle offerte non escluse: {ranking or 'nessuna'}.")
    if result.winner:
        lines.append(
            f"Prima classificata: {result.winner}, con un ribasso pari a {num(result.admitted[0].discount)} %."
        )
    elif result.tied_for_first:
        tied = ", ".join(result.tied_for_first)
        lines.append(
            f"Le offerte di {tied} presentano lo stesso ribasso massimo ({num(result.admitted[0].discount)} %): "
            "la prima classificata è individuata mediante sorteggio, da verbalizzare."
        )
    else:
        lines.append("Nessuna offerta resta in graduatoria.")
    return lines
