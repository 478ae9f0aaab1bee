"""What a Comune pays a Province for a service in a year, by the service's cost-sharing model.

Pure and dependency-free: plain dates and Decimals in, an exact Decimal out. The models are those the
agreements between Provinces and Comuni use (DOMAIN.md §3, "cost sharing (fixed fee, per inhabitant, per
procedure or % of amount)"):

- free;
- a fixed yearly fee, prorated by the days of adhesion in the year;
- an amount per inhabitant: each day of adhesion costs the population in force that day times the rate,
  divided by the days of the year (so a population that changes mid-year is weighted by its days);
- an amount per procedure run by the Province for the Comune in the adhesion period;
- a percentage of the amount of each procedure, each share clamped to the minimum and maximum.

Rounding: intermediate values are exact; the total is rounded once, to the cent, half up (the usual rule
of Italian public accounting for amounts in euro).
"""

from calendar import isleap
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

FREE = "free"
FIXED_FEE = "fixed_fee"
PER_INHABITANT = "per_inhabitant"
PER_PROCEDURE = "per_procedure"
PERCENTAGE = "percentage"
MODELS = (FREE, FIXED_FEE, PER_INHABITANT, PER_PROCEDURE, PERCENTAGE)


@dataclass(frozen=True)
class CostModel:
    """``amount``: the yearly fee, the rate per inhabitant, the fee per procedure, or the percentage.

    ``minimum`` and ``maximum`` bound each procedure's share under the percentage model (None: no bound).
    """

    model: str
    amount: Decimal = Decimal(0)
    minimum: Decimal | None = None
    maximum: Decimal | None = None

    def __post_init__(self):
        if self.model not in MODELS:
            raise ValueError(f"Unknown cost model {self.model!r}")
        if self.amount < 0 or (self.minimum is not None and self.minimum < 0):
            raise ValueError("Cost amounts cannot be negative")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError("The minimum cannot exceed the maximum")


@dataclass(frozen=True)
class Procedure:
    day: date
    amount: Decimal


@dataclass(frozen=True)
class YearlyCost:
    total: Decimal
    days_active: int
    days_in_year: int
    procedures_counted: int


def days_in_year(year: int) -> int:
    return 366 if isleap(year) else 365


def active_days(year: int, start: date, end: date | None) -> tuple[date, date] | None:
    """The first and last day of the adhesion within ``year`` (both included), or None."""
    first = max(start, date(year, 1, 1))
    last = min(end or date(year, 12, 31), date(year, 12, 31))
    return (first, last) if first <= last else None


def population_days(period: tuple[date, date], populations: list[tuple[date, int]]) -> Decimal:
    """Σ over the days of ``period`` of the population in force that day.

    ``populations``: (from this day, population) pairs; the earliest applies before its own date too,
    since a yearly figure (1 January) is the best knowledge of the days that precede it.
    """
    if not populations:
        raise ValueError("The per-inhabitant model needs the population")
    changes = sorted(populations)
    first, last = period
    total = 0
    for index, (since, population) in enumerate(changes):
        until = changes[index + 1][0] - timedelta(days=1) if index + 1 < len(changes) else last
        segment_start = first if index == 0 else max(first, since)
        segment_end = min(last, until)
        if segment_start <= segment_end:
            total += population * ((segment_end - segment_start).days + 1)
    return Decimal(total)


def procedure_share(model: CostModel, procedure: Procedure) -> Decimal:
    share = procedure.amount * model.amount / 100
    if model.minimum is not None:
        share = max(share, model.minimum)
    if model.maximum is not None:
        share = min(share, model.maximum)
    return share


def yearly_cost(
    model: CostModel,
    year: int,
    start: date,
    end: date | None = None,
    populations: list[tuple[date, int]] | None = None,
    procedures: list[Procedure] | None = None,
) -> YearlyCost:
    """The cost of one adhesion (from ``start`` to ``end``, both included; None: open-ended) in ``year``."""
    length = days_in_year(year)
    period = active_days(year, start, end)
    if period is None:
        return YearlyCost(Decimal("0.00"), 0, length, 0)
    days = (period[1] - period[0]).days + 1
    counted = [p for p in procedures or [] if period[0] <= p.day <= period[1]]
    if model.model == FREE:
        total = Decimal(0)
    elif model.model == FIXED_FEE:
        total = model.amount * days / length
    elif model.model == PER_INHABITANT:
        total = model.amount * population_days(period, populations or []) / length
    elif model.model == PER_PROCEDURE:
        total = model.amount * len(counted)
    else:
        total = sum((procedure_share(model, p) for p in counted), Decimal(0))
    return YearlyCost(total.quantize(CENT, rounding=ROUND_HALF_UP), days, length, len(counted))
