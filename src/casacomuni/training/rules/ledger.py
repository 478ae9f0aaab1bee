"""Each person's training hours of a year, against the 40 hours a year every public employee must receive.

Source: directive of the Minister for Public Administration of 14 January 2025 on training ("Valorizzazione
delle persone e produzione di valore pubblico attraverso la formazione"): from 2025 at least 40 hours a year
per employee, planned in the PIAO (the directive of 28 November 2023 asked 24). DOMAIN.md section 7.

The ledger counts the hours of the completions on the platform and those imported from other providers, by
calendar year (the day each was completed). The forecast extends the pace of the year so far to its end.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

TARGET_HOURS = Decimal(40)
FIRST_YEAR = 2025  # the first year of the 40 hours

REACHED = "reached"  # 40 hours done
ON_TRACK = "on_track"  # at this pace, 40 by the end of the year
BEHIND = "behind"  # short of the pace, at least half of it
FAR_BEHIND = "far_behind"  # less than half the hours the pace asks by now: the reminders go to these
MISSED = "missed"  # a past year closed under 40

ONE_DECIMAL = Decimal("0.1")


def days_in(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


def elapsed_share(today: date, year: int) -> Decimal:
    """The share of ``year`` gone by at the end of ``today``: 0 before it, 1 after it."""
    if today.year < year:
        return Decimal(0)
    if today.year > year:
        return Decimal(1)
    elapsed = (today - date(year, 1, 1)).days + 1
    return Decimal(elapsed) / Decimal(days_in(year))


def expected_by(today: date, year: int) -> Decimal:
    """The hours a person keeping an even pace to 40 has done by ``today`` (one decimal)."""
    return (TARGET_HOURS * elapsed_share(today, year)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def forecast(hours: Decimal, today: date, year: int) -> Decimal:
    """The hours at the end of ``year`` if the pace so far goes on (one decimal); a closed year keeps its
    hours, a year not begun has none."""
    share = elapsed_share(today, year)
    if share == 0:
        return Decimal(0)
    return (Decimal(hours) / share).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def standing(hours: Decimal, today: date, year: int) -> str:
    """Where a person stands on ``year``'s 40 hours on ``today``."""
    hours = Decimal(hours)
    if hours >= TARGET_HOURS:
        return REACHED
    if today.year > year:
        return MISSED
    if forecast(hours, today, year) >= TARGET_HOURS:
        return ON_TRACK
    if hours * 2 < expected_by(today, year):
        return FAR_BEHIND
    return BEHIND


def missing(hours: Decimal) -> Decimal:
    """The hours still to do for the year's 40 (never negative)."""
    return max(TARGET_HOURS - Decimal(hours), Decimal(0))
