"""The personal iCal feed (RFC 5545), written with the ``icalendar`` library.

It covers a window around today (``DAYS_BACK`` before, ``DAYS_AHEAD`` after), with the same events as the
calendar page. Timed events are written in UTC (``DTSTART:…Z``, RFC 5545 §3.3.5 form 2), so no VTIMEZONE is
needed and every client shows them in its own zone; all-day events are DATE values (Europe/Rome's day, as
the platform's pages show them), ending the next day (DTEND exclusive, §3.6.1).
"""

from datetime import UTC, date, datetime, timedelta

import icalendar
from django.conf import settings
from django.utils import timezone

from casacomuni.agenda.events import Event

DAYS_BACK = 60
DAYS_AHEAD = 365
PRODID = "-//Casa dei Comuni//Calendario//IT"


def window(today: date) -> tuple[date, date]:
    return today - timedelta(days=DAYS_BACK), today + timedelta(days=DAYS_AHEAD)


def absolute(url: str) -> str:
    return settings.CASACOMUNI_BASE_URL.rstrip("/") + url


def as_ical_value(value: date | datetime) -> date | datetime:
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def vevent(event: Event, stamp: datetime) -> icalendar.Event:
    component = icalendar.Event()
    component.add("uid", event.uid)
    component.add("dtstamp", stamp)
    component.add("dtstart", as_ical_value(event.starts))
    if event.ends is not None:
        component.add("dtend", as_ical_value(event.ends))
    elif not isinstance(event.starts, datetime):
        component.add("dtend", event.starts + timedelta(days=1))
    component.add("summary", event.title)
    component.add("url", absolute(event.url))
    description = "\n".join(part for part in (event.description, absolute(event.url)) if part)
    component.add("description", description)
    component.add("categories", [event.kind])
    return component


def calendar(events: list[Event], name: str) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    stamp = timezone.now().astimezone(UTC).replace(microsecond=0)
    for event in events:
        cal.add_component(vevent(event, stamp))
    return cal.to_ical()
