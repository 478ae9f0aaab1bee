"""What the calendar shows: one ``Event`` per dated thing a user may act on, whatever app it comes from.

Each app that has dated things contributes a source: a function ``events(user, start, end)`` returning the
events between ``start`` and ``end`` (dates, inclusive) that ``user`` may open, read through its QuerySets'
``for_user``. The calendar page and the iCal feed merge the sources (``casacomuni.agenda.sources``).
"""

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Event:
    # Stable across feeds and days (RFC 5545 UID): "<app>-<kind>-<pk>@casacomuni".
    uid: str
    # The kind, for the legend and the filter (e.g. "procurement.bid_deadline").
    kind: str
    title: str
    # A date for all-day events, an aware datetime for timed ones.
    starts: date | datetime
    # The page where the user acts on it (a path; the feed makes it absolute).
    url: str
    ends: date | datetime | None = None
    description: str = ""
