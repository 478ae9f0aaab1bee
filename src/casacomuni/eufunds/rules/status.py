"""The status of a call, derived from its dates (never trusted from the source).

Sources disagree or lag: the EU portal still marked 2024 topics "forthcoming" (31094501) after their
deadline had passed, and incentivi.gov.it has no status at all (DOMAIN §5). So:

- forthcoming: the opening date is after today;
- closed: the (first) deadline has passed — a two-stage call takes new applicants only until the first
  stage's deadline; the second stage is for those admitted;
- open otherwise, including calls with no deadline ("a sportello", until the funds run out).
"""

from datetime import date, datetime

FORTHCOMING = "forthcoming"
OPEN = "open"
CLOSED = "closed"


def derive_status(opens_on: date | None, deadline: datetime | None, now: datetime) -> str:
    """``now`` and ``deadline`` are aware datetimes; ``opens_on`` is compared with ``now``'s date in the
    time zone ``now`` carries (give it in Europe/Rome)."""
    if opens_on is not None and opens_on > now.date():
        return FORTHCOMING
    if deadline is not None and deadline < now:
        return CLOSED
    return OPEN
