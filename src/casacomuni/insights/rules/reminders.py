"""When a Comune that has not submitted its response gets a reminder of a campaign.

The platform's own rule (no law sets it): a reminder 7 days and 2 days before the deadline, on the day after
it, then once a week while the campaign stays open. Never twice on the same day, and never before the
campaign opens. Pure and dependency-free: ``reminder_due(today, opens_on, deadline, last_reminded_on)``.
"""

from datetime import date

BEFORE_DEADLINE_DAYS = (7, 2)
OVERDUE_EVERY_DAYS = 7

BEFORE = "before"
OVERDUE = "overdue"


def reminder_due(today: date, opens_on: date, deadline: date, last_reminded_on: date | None) -> str | None:
    """``"before"`` or ``"overdue"`` when a reminder is due today, else None."""
    if today < opens_on or last_reminded_on == today:
        return None
    days_left = (deadline - today).days
    if days_left in BEFORE_DEADLINE_DAYS:
        return BEFORE
    if days_left < 0:
        overdue = -days_left
        if overdue == 1 or (overdue - 1) % OVERDUE_EVERY_DAYS == 0:
            return OVERDUE
    return None
