"""The calendar page (month and list), the management of the personal feed link, and the feed itself.

Thin views: the events come from ``sources.events_for`` (each source reads through its models' ``for_user``);
the feed link is written by ``services``. The feed is reached by its secret alone (no session): a stale or
revoked token answers an empty 404, which tells nothing about why.
"""

import calendar as month_calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.agenda import feed, services
from casacomuni.agenda.events import Event
from casacomuni.agenda.forms import LIST, MONTH, CalendarFilter
from casacomuni.agenda.models import FeedToken
from casacomuni.agenda.sources import KINDS, event_day, events_for

# A day of the month grid shows this many events, then "+N altri" linking to the list of that day.
MAX_PER_DAY = 3
# The list view's reach from its first day, and the events it shows of each day before "+N altri" (a SUA with
# 50,000 procedures has dozens of deadlines a day: the page stays readable and fast; the day's own list has all).
LIST_DAYS = 14
LIST_PER_DAY = 8


@login_required
def calendar_page(request, new_feed_url: str = "", status: int = 200):
    form = CalendarFilter(request.GET)
    form.is_valid()
    data = form.cleaned_data
    today = timezone.localdate()
    kinds = data.get("tipo") or list(KINDS)
    view = data.get("vista") or MONTH
    month = data.get("mese") or (data.get("giorno") or today).replace(day=1)
    context = {
        "form": form,
        "view": view,
        "today": today,
        "kinds": [(kind, label, kind in kinds, css_class(kind)) for kind, label in KINDS.items()],
        "all_kinds": len(kinds) == len(KINDS),
        "month": month,
        "previous_month": (month - timedelta(days=1)).replace(day=1),
        "next_month": (month + timedelta(days=32)).replace(day=1),
        "feed_token": feed_token_of(request.user),
        "new_feed_url": new_feed_url,
    }
    if view == LIST:
        context.update(
            list_context(request.user, data.get("giorno"), data.get("mese"), today, kinds, request.GET)
        )
    else:
        context.update(month_context(request.user, month, today, kinds, request.GET))
    return render(request, "agenda/calendar.html", context, status=400 if form.errors else status)


def css_class(kind: str) -> str:
    """The legend's colour, one per app ("procurement.bid_deadline" -> "agenda-procurement")."""
    return f"agenda-{kind.split('.')[0]}"


@dataclass(frozen=True)
class Shown:
    """An event as the page shows it: its local time (none for an all-day event) and its legend's class."""

    event: Event
    time: str
    label: str
    css: str


def by_day(events) -> dict[date, list[Shown]]:
    grouped: dict[date, list[Shown]] = defaultdict(list)
    for event in events:
        when = (
            timezone.localtime(event.starts).strftime("%H:%M") if isinstance(event.starts, datetime) else ""
        )
        grouped[event_day(event)].append(Shown(event, when, KINDS.get(event.kind, ""), css_class(event.kind)))
    return grouped


def day_list_url(query, day: date) -> str:
    """The list of one day, with the page's other filters (its "+N altri" link)."""
    params = query.copy()
    params["vista"] = LIST
    params["giorno"] = day.isoformat()
    params.pop("mese", None)
    return "?" + params.urlencode()


def month_context(user, month: date, today: date, kinds, query) -> dict:
    weeks = month_calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    grouped = by_day(events_for(user, weeks[0][0], weeks[-1][-1], kinds))
    rows = [
        [
            {
                "day": day,
                "in_month": day.month == month.month,
                "is_today": day == today,
                "events": grouped.get(day, [])[:MAX_PER_DAY],
                "more": max(0, len(grouped.get(day, [])) - MAX_PER_DAY),
                "more_url": day_list_url(query, day) if len(grouped.get(day, [])) > MAX_PER_DAY else "",
            }
            for day in week
        ]
        for week in weeks
    ]
    in_month = {day: items for day, items in grouped.items() if day.month == month.month}
    days = capped_days(in_month, MAX_PER_DAY, query)
    return {"weeks": rows, "days": days, "weekdays": weeks[0]}


def list_context(user, day: date | None, month: date | None, today: date, kinds, query) -> dict:
    """One day (from a "+N altri" link), a month from its first day, or the coming weeks from today."""
    if day is not None:
        start, end = day, day
    else:
        start = month or today
        end = start + timedelta(days=LIST_DAYS - 1)
    grouped = by_day(events_for(user, start, end, kinds))
    days = capped_days(grouped, None if day else LIST_PER_DAY, query)
    return {"days": days, "list_start": start, "list_end": end, "single_day": day}


def capped_days(grouped: dict[date, list[Shown]], cap: int | None, query) -> list[tuple]:
    """Each day in order with its first ``cap`` events (all with None), how many more it holds and the link
    to all of them."""
    days = []
    for day, items in sorted(grouped.items()):
        more = max(0, len(items) - cap) if cap else 0
        days.append((day, items[:cap] if cap else items, more, day_list_url(query, day) if more else ""))
    return days


def feed_token_of(user):
    membership = tenancy.acting_membership(user)
    if membership is None:
        return None
    return FeedToken.objects.for_user(user).live().filter(membership=membership).first()


@require_POST
@login_required
def feed_create(request):
    _token, raw = services.create_feed_token(Actor.from_request(request))
    url = feed.absolute(reverse("agenda:feed", args=[raw]))
    return calendar_page(request, new_feed_url=url)


@require_POST
@login_required
def feed_revoke(request):
    if services.revoke_feed_token(Actor.from_request(request)):
        messages.success(request, _("The calendar link was revoked: it no longer works anywhere."))
    return redirect("agenda:calendar")


@require_GET
def feed_ics(request, token: str):
    found = FeedToken.objects.find(token)
    if found is None:
        return HttpResponseNotFound(b"", content_type="text/plain")
    user = found.membership.user
    user.acting_as = found.membership
    start, end = feed.window(timezone.localdate())
    name = _("Casa dei Comuni — %(organization)s") % {"organization": found.membership.organization.name}
    response = HttpResponse(
        feed.calendar(events_for(user, start, end), name), content_type="text/calendar; charset=utf-8"
    )
    # The link is a secret: no cache on the way may keep it, no search engine may list it.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
