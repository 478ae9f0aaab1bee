"""The PNRR monthly update deadline.

Implementing bodies (soggetti attuatori, the Comuni) update their PNRR projects' data in ReGiS — progress,
commitments and payments, procurement with its CIG, indicators — every month, by the 10th of the following
month (DOMAIN.md §5: "PNRR projects (ReGiS): monthly update by the 10th"; the monitoring circulars of the
MEF's Ragioneria Generale dello Stato set this monthly cadence).

The 10th is the calendar day: holidays and weekends do not move it (the circular gives a date, not a number
of working days), so none are looked up here.
"""

from datetime import date

DEADLINE_DAY = 10


def next_update_deadline(today: date) -> date:
    """The next monthly update deadline on or after ``today``: the 10th of this month, or of the next one
    once this month's 10th has passed."""
    if today.day <= DEADLINE_DAY:
        return today.replace(day=DEADLINE_DAY)
    if today.month == 12:
        return date(today.year + 1, 1, DEADLINE_DAY)
    return date(today.year, today.month + 1, DEADLINE_DAY)


def period_due(deadline: date) -> tuple[int, int]:
    """The (year, month) whose data are due by ``deadline``: the month before the deadline's."""
    if deadline.month == 1:
        return deadline.year - 1, 12
    return deadline.year, deadline.month - 1


def days_left(today: date) -> int:
    return (next_update_deadline(today) - today).days
