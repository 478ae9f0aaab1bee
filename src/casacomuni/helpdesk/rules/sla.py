"""Service levels in working hours: when an answer is due, how much working time has run, whether a request is
at risk or late.

Pure: the standard library and the ``holidays`` package. Instants are naive wall-clock datetimes of the office
(Europe/Rome): office hours are wall-clock hours, so a daylight-saving change moves nothing. The caller turns
aware datetimes into local ones and back (``helpdesk.models``).

Working time is the office's opening hours (``OfficeHours``; the default, Monday to Friday 9:00–13:00 and
14:00–17:00, is the usual timetable of an Italian public office's back office: 7 hours a day, 35 a week) less
Italian national public holidays as the ``holidays`` package lists them (Law 260/1949 and its amendments:
1 and 6 January, Easter Monday, 25 April, 1 May, 2 June, 15 August, 1 November, 8, 25 and 26 December). The
clock stops while the request waits for the Comune: pauses are given as intervals and their working time does
not count.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

ON_TIME = "on_time"
AT_RISK = "at_risk"
BREACHED = "breached"

# A request is flagged "at risk" when less than 20 % of its allowed working time is left, or less than two
# working hours, whichever margin is larger: two hours give an officer half a morning to act on a short level,
# 20 % warns a day ahead on a level of a week.
AT_RISK_SHARE = 0.2
AT_RISK_FLOOR = timedelta(hours=2)

# No level is longer than a year of working days; the search for a due time stops there.
_MAX_DAYS = 3660


@dataclass(frozen=True)
class OfficeHours:
    """When the office works: the same periods on each working weekday (Monday is 0)."""

    periods: tuple[tuple[time, time], ...] = ((time(9), time(13)), (time(14), time(17)))
    weekdays: frozenset[int] = field(default_factory=lambda: frozenset(range(5)))

    def periods_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working periods of ``day``: none on a weekend or a national holiday."""
        if day.weekday() not in self.weekdays or is_holiday(day):
            return []
        return [(datetime.combine(day, start), datetime.combine(day, end)) for start, end in self.periods]


DEFAULT_HOURS = OfficeHours()


def is_holiday(day: date) -> bool:
    return day in _italian_holidays(day.year)


@lru_cache(maxsize=64)
def _italian_holidays(year: int):
    return holidays.country_holidays("IT", years=year)


def _periods_from(start: datetime, hours: OfficeHours) -> Iterator[tuple[datetime, datetime]]:
    """The working periods from ``start`` on, the first one clipped to begin at ``start``."""
    day = start.date()
    for _offset in range(_MAX_DAYS):
        for begin, end in hours.periods_on(day):
            if end > start:
                yield max(begin, start), end
        day += timedelta(days=1)
    raise ValueError("No working time within ten years: check the office hours.")


def add_working_time(start: datetime, allowed: timedelta, hours: OfficeHours = DEFAULT_HOURS) -> datetime:
    """The instant at which ``allowed`` working time has run from ``start``.

    Example: a request opened on Friday at 16:00 with 4 working hours is due on Monday at 12:00 (one hour on
    Friday, three on Monday from 9:00).
    """
    if allowed <= timedelta(0):
        return start
    remaining = allowed
    for begin, end in _periods_from(start, hours):
        if remaining <= end - begin:
            return begin + remaining
        remaining -= end - begin
    raise AssertionError("unreachable: _periods_from raises first")


def working_time_between(start: datetime, end: datetime, hours: OfficeHours = DEFAULT_HOURS) -> timedelta:
    """The working time between two instants (zero when ``end`` is not after ``start``)."""
    total = timedelta(0)
    if end <= start:
        return total
    day = start.date()
    while day <= end.date():
        for begin, finish in hours.periods_on(day):
            overlap = min(finish, end) - max(begin, start)
            if overlap > timedelta(0):
                total += overlap
        day += timedelta(days=1)
    return total


def elapsed(
    start: datetime,
    now: datetime,
    pauses: Iterable[tuple[datetime, datetime | None]] = (),
    hours: OfficeHours = DEFAULT_HOURS,
) -> timedelta:
    """The working time that counts between ``start`` and ``now``: the pauses (non-overlapping intervals; one
    still open has no end) are left out."""
    total = working_time_between(start, now, hours)
    for pause_start, pause_end in pauses:
        total -= working_time_between(max(pause_start, start), min(pause_end or now, now), hours)
    return total


def at_risk_margin(allowed: timedelta) -> timedelta:
    """How long before the due time a request is flagged at risk (see AT_RISK_SHARE and AT_RISK_FLOOR)."""
    return min(allowed, max(allowed * AT_RISK_SHARE, AT_RISK_FLOOR))


def standing(allowed: timedelta, used: timedelta) -> str:
    """ON_TIME, AT_RISK (within the margin of the due time) or BREACHED (the allowed time has run out)."""
    remaining = allowed - used
    if remaining <= timedelta(0):
        return BREACHED
    if remaining <= at_risk_margin(allowed):
        return AT_RISK
    return ON_TIME


def hours(duration: timedelta) -> float:
    """A duration in hours, for pages and indicators."""
    return round(duration.total_seconds() / 3600, 2)
