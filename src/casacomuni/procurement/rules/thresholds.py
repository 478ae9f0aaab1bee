"""EU thresholds ("soglie di rilevanza europea", art. 14 D.Lgs. 36/2023) as dated data.

Art. 14 c.1 (ordinary sectors) and c.2 (special sectors) set the thresholds; c.3 says the European Commission
revises them every two years by a regulation that applies directly, so they are data with a validity period,
never constants. Art. 14 c.4: the estimated value is the total payable net of VAT, *including* options and
renewals stated in the tender documents. The threshold that counts is the one in force when the procedure
starts (the day the notice is sent or, without a notice, the day the procedure is started).

A contract is "of European relevance" when its value is *equal to or greater than* the threshold (Directive
2014/24/EU art. 4: "equal to or greater than"; Allegato I.1 art. 2 defines "sotto soglia" as "inferiore alle
soglie"), so ``is_above`` answers ``amount >= threshold``.

Pure and dependency-free. Messages are English source strings, translated by the caller (gettext).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from casacomuni.lib.i18n import gettext_noop

# Kinds of contract (art. 14 c.1 lett. a-d, c.2 lett. a-c).
WORKS = "works"  # works contracts and concessions share the threshold (c.1 lett. a)
CONCESSIONS = "concessions"
SUPPLIES_SERVICES = "supplies_services"  # includes design contests
SOCIAL = "social"  # social and other specific services (Allegato XIV Dir. 2014/24)
KINDS = (WORKS, CONCESSIONS, SUPPLIES_SERVICES, SOCIAL)

# Who buys (c.1 lett. b-c): central government authorities or every other one (Regions, Provinces, Comuni).
CENTRAL = "central"
SUB_CENTRAL = "sub_central"
AUTHORITIES = (CENTRAL, SUB_CENTRAL)

ORDINARY = "ordinary"
SPECIAL = "special"  # special sectors: water, energy, transport, postal services (c.2)
SECTORS = (ORDINARY, SPECIAL)


class ThresholdError(ValueError):
    """``message`` is an English source string; ``params`` fill its %(name)s placeholders."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class ThresholdPeriod:
    """The thresholds in force from ``start`` to ``end`` (both included), with the regulations that set them."""

    start: date
    end: date
    source: str
    works: Decimal
    supplies_services_central: Decimal
    supplies_services_sub_central: Decimal
    social: Decimal
    special_works: Decimal
    special_supplies_services: Decimal
    special_social: Decimal

    def amount(self, kind: str, authority: str, sector: str) -> Decimal:
        if kind in (WORKS, CONCESSIONS):
            return self.special_works if sector == SPECIAL else self.works
        if kind == SOCIAL:
            return self.special_social if sector == SPECIAL else self.social
        if sector == SPECIAL:
            return self.special_supplies_services
        if authority == CENTRAL:
            return self.supplies_services_central
        return self.supplies_services_sub_central


# Oldest first. Before 1 July 2023 (D.Lgs. 36/2023, art. 229 c.2) the same EU thresholds applied through
# art. 35 D.Lgs. 50/2016: the figures are the Directives', whichever Italian code transposed them.
PERIODS = (
    ThresholdPeriod(
        start=date(2020, 1, 1),
        end=date(2021, 12, 31),
        source="Reg. delegati (UE) 2019/1827, 2019/1828, 2019/1829",
        works=Decimal("5350000"),
        supplies_services_central=Decimal("139000"),
        supplies_services_sub_central=Decimal("214000"),
        social=Decimal("750000"),
        special_works=Decimal("5350000"),
        special_supplies_services=Decimal("428000"),
        special_social=Decimal("1000000"),
    ),
    ThresholdPeriod(
        start=date(2022, 1, 1),
        end=date(2023, 12, 31),
        source="Reg. delegati (UE) 2021/1951, 2021/1952, 2021/1953",
        works=Decimal("5382000"),
        supplies_services_central=Decimal("140000"),
        supplies_services_sub_central=Decimal("215000"),
        social=Decimal("750000"),
        special_works=Decimal("5382000"),
        special_supplies_services=Decimal("431000"),
        special_social=Decimal("1000000"),
    ),
    ThresholdPeriod(
        start=date(2024, 1, 1),
        end=date(2025, 12, 31),
        source="Reg. delegati (UE) 2023/2495, 2023/2496, 2023/2497",
        works=Decimal("5538000"),
        supplies_services_central=Decimal("143000"),
        supplies_services_sub_central=Decimal("221000"),
        social=Decimal("750000"),
        special_works=Decimal("5538000"),
        special_supplies_services=Decimal("443000"),
        special_social=Decimal("1000000"),
    ),
    ThresholdPeriod(
        start=date(2026, 1, 1),
        end=date(2027, 12, 31),
        source="Reg. delegati (UE) 2025/2150, 2025/2151, 2025/2152",
        works=Decimal("5404000"),
        supplies_services_central=Decimal("140000"),
        supplies_services_sub_central=Decimal("216000"),
        social=Decimal("750000"),
        special_works=Decimal("5404000"),
        special_supplies_services=Decimal("432000"),
        special_social=Decimal("1000000"),
    ),
)


def as_amount(value) -> Decimal:
    """An amount in euro as an exact Decimal; floats are refused because they are not exact."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise ThresholdError(
            gettext_noop("Amounts must be exact decimal numbers, not %(type)s."), type=type(value).__name__
        )
    try:
        amount = Decimal(value)
    except ArithmeticError:
        raise ThresholdError(gettext_noop("%(value)s is not an amount."), value=value) from None
    if not amount.is_finite() or amount < 0:
        raise ThresholdError(gettext_noop("An amount must be zero or more, not %(value)s."), value=value)
    return amount


def period_on(day: date, periods=PERIODS) -> ThresholdPeriod:
    """The threshold period in force on ``day`` (art. 14 c.3); outside the known periods, a clear error."""
    for period in periods:
        if period.start <= day <= period.end:
            return period
    raise ThresholdError(
        gettext_noop(
            "No EU threshold is recorded for %(day)s: the thresholds change every two years by EU "
            "regulation (art. 14 c.3 D.Lgs. 36/2023) and the new ones must be added to the data."
        ),
        day=day.isoformat(),
    )


def threshold_on(
    kind: str, day: date, authority: str = SUB_CENTRAL, sector: str = ORDINARY, periods=PERIODS
) -> Decimal:
    """The EU threshold for ``kind`` in force on ``day`` (art. 14 c.1 ordinary sectors, c.2 special sectors).

    ``authority`` matters only for supplies and services in the ordinary sectors (c.1 lett. b-c): Provinces
    and Comuni are sub-central. ``day`` is the day the procedure starts.
    """
    _check_choice(kind, KINDS, "kind")
    _check_choice(authority, AUTHORITIES, "authority")
    _check_choice(sector, SECTORS, "sector")
    return period_on(day, periods).amount(kind, authority, sector)


def is_above(
    amount_with_options_and_renewals,
    kind: str,
    day: date,
    authority: str = SUB_CENTRAL,
    sector: str = ORDINARY,
    periods=PERIODS,
) -> bool:
    """Whether a contract is of European relevance: value (options and renewals included, art. 14 c.4)
    equal to or greater than the threshold in force on the day the procedure starts (Dir. 2014/24 art. 4)."""
    amount = as_amount(amount_with_options_and_renewals)
    return amount >= threshold_on(kind, day, authority, sector, periods)


def estimated_value(base, options=0, renewals=0) -> Decimal:
    """Art. 14 c.4: the estimated value is the maximum payable, options and renewals included, net of VAT."""
    return as_amount(base) + as_amount(options) + as_amount(renewals)


def _check_choice(value: str, choices: tuple, name: str) -> None:
    if value not in choices:
        raise ThresholdError(
            gettext_noop("Unknown %(name)s %(value)s: expected one of %(choices)s."),
            name=name,
            value=value,
            choices=", ".join(choices),
        )
