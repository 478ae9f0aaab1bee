"""When reminders are due (insights.rules.reminders): 7 and 2 days before, the day after, then weekly."""

from datetime import date, timedelta

import pytest

from casacomuni.insights.rules.reminders import BEFORE, OVERDUE, reminder_due

OPENS = date(2026, 3, 1)
DEADLINE = date(2026, 3, 31)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (DEADLINE - timedelta(days=8), None),
        (DEADLINE - timedelta(days=7), BEFORE),
        (DEADLINE - timedelta(days=3), None),
        (DEADLINE - timedelta(days=2), BEFORE),
        (DEADLINE, None),
        (DEADLINE + timedelta(days=1), OVERDUE),
        (DEADLINE + timedelta(days=2), None),
        (DEADLINE + timedelta(days=8), OVERDUE),
        (DEADLINE + timedelta(days=15), OVERDUE),
        (DEADLINE + timedelta(days=14), None),
    ],
)
def test_reminder_days(today, expected):
    assert reminder_due(today, OPENS, DEADLINE, None) == expected


def test_never_twice_a_day_nor_before_opening():
    day = DEADLINE - timedelta(days=7)
    assert reminder_due(day, OPENS, DEADLINE, day) is None
    assert reminder_due(day, day + timedelta(days=1), DEADLINE, None) is None
