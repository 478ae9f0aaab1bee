"""Service levels in working hours (rules.sla), on worked examples.

Office hours: the documented default, Monday to Friday 9:00–13:00 and 14:00–17:00. Holidays: the national ones
of Law 260/1949 as amended (25 April, 1 May, Easter Monday, Christmas and Santo Stefano...), read from the
``holidays`` package; the 2025 and 2026 calendars were checked by hand.
"""

from datetime import datetime, time, timedelta

import pytest

from casacomuni.helpdesk.rules import sla

H = timedelta(hours=1)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("start", "hours", "due", "why"),
    [
        ("2026-03-02 09:00", 4, "2026-03-02 13:00", "a morning, due right at the lunch break"),
        ("2026-03-02 12:00", 2, "2026-03-02 15:00", "across the lunch break"),
        ("2026-03-02 13:30", 1, "2026-03-02 15:00", "opened during the lunch break"),
        ("2026-03-02 07:30", 1, "2026-03-02 10:00", "opened before the office opens"),
        ("2026-12-04 16:00", 4, "2026-12-07 12:00", "across a weekend: 1 h on Friday, 3 on Monday"),
        ("2026-12-04 17:30", 2, "2026-12-07 11:00", "opened on Friday after closing"),
        ("2026-12-07 16:00", 2, "2026-12-09 10:00", "8 December (Immacolata) is a holiday"),
        ("2025-04-24 16:00", 4, "2025-04-28 12:00", "25 April 2025 is a Friday: a four-day bridge"),
        ("2025-04-30 15:00", 7, "2025-05-02 15:00", "1 May 2025, a Thursday"),
        ("2026-12-24 16:00", 8, "2026-12-28 17:00", "Christmas Eve works; 25 and 26 December do not"),
        ("2026-04-03 16:00", 2, "2026-04-07 10:00", "Easter Monday 2026 is 6 April"),
        ("2026-03-02 10:00", 35, "2026-03-09 10:00", "35 hours are one working week"),
    ],
)
def test_due_time_is_start_plus_working_hours(start, hours, due, why):
    assert sla.add_working_time(at(start), hours * H) == at(due), why


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        ("2026-12-04 16:00", "2026-12-07 12:00", 4),
        ("2026-03-02 12:30", "2026-03-02 14:30", 1),  # half an hour each side of the lunch break
        ("2026-03-07 10:00", "2026-03-08 18:00", 0),  # a weekend
        ("2025-04-24 09:00", "2025-04-28 09:00", 7),  # Thursday only: 25 April, then the weekend
        ("2026-12-24 09:00", "2026-12-29 00:00", 14),  # 24 and 28 December
        ("2026-03-02 15:00", "2026-03-02 11:00", 0),  # the end before the start
    ],
)
def test_working_time_between_two_instants(start, end, hours):
    assert sla.working_time_between(at(start), at(end)) == hours * H


@pytest.mark.parametrize("hours", [1, 3, 7, 8, 13, 40])
def test_working_time_between_undoes_the_due_time(hours):
    start = at("2026-12-23 11:20")
    assert sla.working_time_between(start, sla.add_working_time(start, hours * H)) == hours * H


def test_the_clock_stops_while_the_request_waits_for_the_comune():
    # Opened Monday 9:00; waiting for the Comune from Monday 11:00 to Tuesday 10:00; now Tuesday 12:00.
    # Working time: 7 h on Monday + 3 h on Tuesday = 10 h; paused: 2 + 3 on Monday, 1 on Tuesday = 6 h.
    pauses = [(at("2026-03-02 11:00"), at("2026-03-03 10:00"))]
    assert sla.elapsed(at("2026-03-02 09:00"), at("2026-03-03 12:00"), pauses) == 4 * H


def test_a_pause_still_running_counts_until_now():
    pauses = [(at("2026-03-02 11:00"), None)]
    assert sla.elapsed(at("2026-03-02 09:00"), at("2026-03-03 12:00"), pauses) == 2 * H


@pytest.mark.parametrize(
    ("allowed", "used", "expected"),
    [
        (8, 5, sla.ON_TIME),  # 3 h left; the margin is 2 h (20 % would be 1.6 h)
        (8, 6, sla.AT_RISK),  # exactly 2 h left
        (8, 8, sla.BREACHED),
        (8, 9, sla.BREACHED),
        (40, 31, sla.ON_TIME),  # 9 h left; the margin is 20 % = 8 h
        (40, 32, sla.AT_RISK),
        (1, 0, sla.AT_RISK),  # a one-hour level is at risk from the start: the margin is the whole hour
    ],
)
def test_at_risk_before_the_breach(allowed, used, expected):
    assert sla.standing(allowed * H, used * H) == expected


def test_an_office_with_other_hours():
    mornings = sla.OfficeHours(periods=((time(8), time(14)),), weekdays=frozenset(range(6)))
    # Saturday morning works for this office: Friday 13:00 + 3 h is Saturday 10:00.
    assert sla.add_working_time(at("2026-03-06 13:00"), 3 * H, mornings) == at("2026-03-07 10:00")
