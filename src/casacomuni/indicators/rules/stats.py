"""Descriptive statistics of the dashboards: median, quartiles, rank with ties, classes of similar size.

Pure functions on plain values (Decimal or int), no ORM, exact: Decimal arithmetic throughout, so that the
figures are the same on every database and the tests can state them to the last digit.

Quartiles use linear interpolation between closest ranks on the positions (n - 1) × p, the "inclusive"
method: Hyndman & Fan (1996), "Sample quantiles in statistical packages", definition 7; the same as
spreadsheets' QUARTILE.INC (QUARTILE in LibreOffice Calc and Excel) and numpy's default, so that anybody can
check a figure with a spreadsheet. Its median is the usual one (the mean of the two middle values when the
count is even).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

# Classes of similar size by resident population: the platform's choice (the bands of the brief of issue 6),
# lower bound included, upper bound excluded. They sit near, but not exactly on, the legal thresholds a
# reader may know: the "piccoli comuni" of L. 158/2017 art. 1 c. 2 have up to 5,000 inhabitants (5,000
# included) and the single-round mayoral election of art. 71 TUEL applies up to 15,000 (included).
SIZE_CLASSES: tuple[tuple[str, int, int | None], ...] = (
    ("lt1000", 0, 1_000),
    ("1000-4999", 1_000, 5_000),
    ("5000-14999", 5_000, 15_000),
    ("15000-59999", 15_000, 60_000),
    ("ge60000", 60_000, None),
)
SIZE_CLASS_CODES = tuple(code for code, _low, _high in SIZE_CLASSES)


def size_class(population: int | None) -> str | None:
    """The code of the class of ``population`` (see SIZE_CLASSES), or None when it is unknown."""
    if population is None or population < 0:
        return None
    for code, low, high in SIZE_CLASSES:
        if population >= low and (high is None or population < high):
            return code
    raise AssertionError("the classes cover every population")  # pragma: no cover


def _sorted(values: Iterable) -> list[Decimal]:
    return sorted(Decimal(value) for value in values)


def quantile(values: Iterable, p: Decimal | str | int) -> Decimal | None:
    """The ``p``-quantile (0 ≤ p ≤ 1) by linear interpolation at position (n - 1) × p (Hyndman-Fan 7), or
    None for no values."""
    ordered = _sorted(values)
    p = Decimal(p)
    if not Decimal(0) <= p <= Decimal(1):
        raise ValueError("p must be between 0 and 1")
    return _quantile_of_sorted(ordered, p) if ordered else None


def _quantile_of_sorted(ordered: list[Decimal], p: Decimal) -> Decimal:
    """``quantile`` of values already sorted, at least one."""
    position = (len(ordered) - 1) * p
    below = int(position)  # floor: position is not negative
    fraction = position - below
    if fraction == 0:
        return ordered[below]
    return ordered[below] + (ordered[below + 1] - ordered[below]) * fraction


def median(values: Iterable) -> Decimal | None:
    return quantile(values, Decimal("0.5"))


@dataclass(frozen=True)
class Summary:
    """What a group of values is reduced to: count, extremes, quartiles and mean."""

    count: int
    minimum: Decimal
    q1: Decimal
    median: Decimal
    q3: Decimal
    maximum: Decimal
    mean: Decimal


def summarize(values: Iterable) -> Summary | None:
    """The Summary of ``values``, or None for no values. The mean is exact to Decimal's 28 digits."""
    ordered = _sorted(values)
    if not ordered:
        return None
    return Summary(
        count=len(ordered),
        minimum=ordered[0],
        q1=_quantile_of_sorted(ordered, Decimal("0.25")),
        median=_quantile_of_sorted(ordered, Decimal("0.5")),
        q3=_quantile_of_sorted(ordered, Decimal("0.75")),
        maximum=ordered[-1],
        mean=sum(ordered, Decimal(0)) / len(ordered),
    )


def rank(values: Sequence, higher_is_better: bool = True) -> list[int]:
    """The rank of each value, in the order given, with ties sharing the best rank ("1224" or standard
    competition ranking: two values tied for second are both 2nd, the next is 4th). Rank 1 is the best:
    the highest value when ``higher_is_better``, else the lowest."""
    keyed = [Decimal(value) for value in values]
    ordered = sorted(keyed, reverse=higher_is_better)
    first_position: dict[Decimal, int] = {}
    for position, value in enumerate(ordered, start=1):
        first_position.setdefault(value, position)
    return [first_position[value] for value in keyed]


def class_breaks(values: Iterable, classes: int = 5) -> list[Decimal]:
    """The upper bounds of ``classes`` - 1 classes of equal count (quantiles at 1/k, 2/k…), for the colours
    of a map; the last class is open. Duplicated bounds are kept once; when every value is the same there
    are none (one class)."""
    ordered = _sorted(values)
    if not ordered or classes < 2 or ordered[0] == ordered[-1]:
        return []
    breaks = []
    for index in range(1, classes):
        bound = _quantile_of_sorted(ordered, Decimal(index) / Decimal(classes))
        if bound not in breaks:
            breaks.append(bound)
    return breaks


def class_of(value, breaks: Sequence[Decimal]) -> int:
    """The index of the class of ``value`` given ``class_breaks``: 0 up to the first bound (included)…"""
    value = Decimal(value)
    for index, bound in enumerate(breaks):
        if value <= bound:
            return index
    return len(breaks)


@dataclass(frozen=True)
class Bin:
    low: Decimal
    high: Decimal
    count: int


def histogram(values: Iterable, bins: int = 10) -> list[Bin]:
    """Counts of ``values`` in ``bins`` classes of equal width from the minimum to the maximum, each
    [low, high) but the last, [low, high]. Whole-number values spanning fewer than ``bins`` units get one
    class per unit ([n, n + 1)), so that a count such as "services joined" reads naturally."""
    ordered = _sorted(values)
    if not ordered:
        return []
    low, high = ordered[0], ordered[-1]
    whole = all(value == value.to_integral_value() for value in ordered)
    if whole and high - low < bins:
        edges = [low + step for step in range(int(high - low) + 2)]
    elif high == low:
        edges = [low, low + 1]
    else:
        width = (high - low) / bins
        edges = [low + width * step for step in range(bins)] + [high]
    counts = [0] * (len(edges) - 1)
    for value in ordered:
        index = len(counts) - 1
        for position in range(len(counts)):
            if value < edges[position + 1]:
                index = position
                break
        counts[index] += 1
    return [Bin(edges[i], edges[i + 1], counts[i]) for i in range(len(counts))]
