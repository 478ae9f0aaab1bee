"""The personal iCal feed (RFC 5545) and the calendar page."""

import re
from datetime import date, datetime

import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Membership
from casacomuni.accounts.roles import Role
from casacomuni.accounts.testing import make_user
from casacomuni.agenda import feed, services, sources
from casacomuni.agenda.models import FeedToken
from casacomuni.agenda.sources import events_for
from casacomuni.procurement.procedures.models import Procedure


def logged_in(world, persona) -> Client:
    client = Client()
    client.force_login(world.personas[persona])
    session = client.session
    session["casacomuni_membership_id"] = world.memberships[persona].pk
    session.save()
    return client


def feed_of(client, raw) -> list:
    response = client.get(reverse("agenda:feed", args=[raw]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def elsewhere_sua(world):
    user = make_user("sua_padova")
    return Membership.objects.create(
        user=user, organization=world.elsewhere.province_org, role=Role.SUA_OFFICER
    )


@pytest.mark.parametrize("side", ["home", "elsewhere"])
@pytest.mark.parametrize("persona", ["funzionario_sua", "referente_comune"])
def test_the_feed_holds_exactly_the_events_of_the_sources(agenda_world, persona, side):
    """Two personas on two sides: the feed's UIDs are the sources' for the feed's window, no more, no less."""
    if side == "home":
        membership = agenda_world.memberships[persona]
    elif persona == "funzionario_sua":
        membership = elsewhere_sua(agenda_world)
    else:
        user = make_user("referente_padova")
        membership = Membership.objects.create(
            user=user, organization=agenda_world.elsewhere.comune, role=Role.MUNICIPALITY_REFERENT
        )
    actor = Actor.for_membership(membership)
    _token, raw = services.create_feed_token(actor)
    expected = {event.uid for event in events_for(actor.user, *feed.window(timezone.localdate()))}
    uids = {str(event["UID"]) for event in feed_of(Client(), raw)}
    assert uids == expected and expected
    assert not uids & agenda_world.objects["home" if side == "elsewhere" else "elsewhere"]["agenda"]["uids"]


def test_the_feed_writes_rfc5545_properties(agenda_world, settings):
    settings.CASACOMUNI_BASE_URL = "https://casa.example.it"
    events = {
        str(e["UID"]): e for e in feed_of(Client(), agenda_world.feed_tokens["amministratore_provincia"])
    }
    procedure = Procedure.objects.filter(province=agenda_world.home.province_org).first()
    timed = events[sources.uid(sources.BID_DEADLINE, procedure.pk)]
    assert timed["DTSTART"].dt == procedure.bid_deadline and timed["DTSTART"].dt.tzinfo is not None
    assert timed["DTSTART"].to_ical().endswith(b"Z")  # UTC, no VTIMEZONE needed
    assert str(timed["URL"]) == f"https://casa.example.it/appalti/procedure/{procedure.pk}/"
    assert "DTSTAMP" in timed and str(timed["SUMMARY"]).startswith("Scadenza offerte: ")
    all_day = next(e for e in events.values() if str(e["CATEGORIES"].cats[0]) == sources.AGREEMENT_END)
    assert type(all_day["DTSTART"].dt) is date and not isinstance(all_day["DTSTART"].dt, datetime)


def test_a_revoked_or_unknown_token_answers_an_empty_404(agenda_world):
    client = Client()
    for raw in (agenda_world.revoked_feed_token, "mai-emesso"):
        response = client.get(reverse("agenda:feed", args=[raw]))
        assert response.status_code == 404 and response.content == b""


def test_a_new_link_replaces_the_old_and_only_its_hash_is_stored(agenda_world):
    membership = agenda_world.memberships["funzionario_sua"]
    old = agenda_world.feed_tokens["funzionario_sua"]
    _token, new = services.create_feed_token(Actor.for_membership(membership))
    client = Client()
    assert client.get(reverse("agenda:feed", args=[old])).status_code == 404
    assert client.get(reverse("agenda:feed", args=[new])).status_code == 200
    assert not FeedToken.objects.filter(token_hash__in=[old, new]).exists()


def test_a_deactivated_membership_closes_its_feed(agenda_world):
    Membership.objects.filter(pk=agenda_world.memberships["referente_comune"].pk).update(is_active=False)
    response = Client().get(reverse("agenda:feed", args=[agenda_world.feed_tokens["referente_comune"]]))
    assert response.status_code == 404


def test_the_feed_ignores_who_is_logged_in(agenda_world):
    """The other side's SUA, logged in, asking for our SUA's feed gets our SUA's events, nothing of its own."""
    other = elsewhere_sua(agenda_world)
    client = Client()
    client.force_login(other.user)
    uids = {str(e["UID"]) for e in feed_of(client, agenda_world.feed_tokens["funzionario_sua"])}
    assert not uids & agenda_world.objects["elsewhere"]["agenda"]["uids"]


def test_the_month_page_shows_the_days_events_as_links_in_a_table(agenda_world):
    client = logged_in(agenda_world, "funzionario_sua")
    response = client.get(reverse("agenda:calendar"), {"tipo": sources.BID_DEADLINE})
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="month-grid"' in content and "<caption" in content and '<th scope="col">' in content
    procedure = Procedure.objects.filter(province=agenda_world.home.province_org).first()
    assert f'href="/appalti/procedure/{procedure.pk}/"' in content
    assert "Scadenza offerte: " in content


def test_a_crowded_day_shows_the_first_three_and_links_the_rest(agenda_world):
    template = Procedure.objects.filter(province=agenda_world.home.province_org).first()
    deadline = timezone.localtime(template.bid_deadline)
    for n in range(5):
        Procedure.objects.create(
            province=template.province,
            title=f"Gara affollata {n}",
            kind=template.kind,
            cpv=template.cpv,
            procedure_type=template.procedure_type,
            state="bids_open",
            bid_deadline=deadline,
        )
    client = logged_in(agenda_world, "funzionario_sua")
    content = client.get(reverse("agenda:calendar")).content.decode()
    day = deadline.date().isoformat()
    # 7 bid deadlines that day (2 of the builders, 5 here) and the desired award dates: 3 shown, the rest linked.
    more = f'href="?vista=elenco&amp;giorno={day}"'
    assert more in content and re.search(r"\+\d+ altri", content)
    listing = client.get(reverse("agenda:calendar"), {"vista": "elenco", "giorno": day}).content.decode()
    assert all(f"Gara affollata {n}" in listing for n in range(5))


def test_the_filter_shows_only_the_kinds_ticked(agenda_world):
    client = logged_in(agenda_world, "amministratore_provincia")
    content = client.get(reverse("agenda:calendar"), {"tipo": sources.AGREEMENT_END}).content.decode()
    assert "Scade la convenzione" in content and "Scadenza offerte" not in content


def test_a_wrong_month_is_refused_with_a_message(agenda_world):
    response = logged_in(agenda_world, "funzionario_sua").get(
        reverse("agenda:calendar"), {"mese": "dicembre"}
    )
    assert response.status_code == 400
    assert "Scrivi il mese come anno-mese" in response.content.decode()


def test_the_page_creates_shows_once_and_revokes_the_link(agenda_world):
    client = logged_in(agenda_world, "referente_comune")
    response = client.post(reverse("agenda:feed_create"))
    content = response.content.decode()
    assert response.status_code == 200 and 'id="new-feed-url"' in content
    raw = content.split('id="new-feed-url">')[1].split("<")[0].rsplit("/", 1)[1].removesuffix(".ics")
    assert Client().get(reverse("agenda:feed", args=[raw])).status_code == 200
    assert 'id="new-feed-url"' not in client.get(reverse("agenda:calendar")).content.decode()
    client.post(reverse("agenda:feed_revoke"))
    assert Client().get(reverse("agenda:feed", args=[raw])).status_code == 404


def test_the_page_costs_the_same_queries_with_more_procedures(agenda_world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = logged_in(agenda_world, "funzionario_sua")
    client.get(reverse("agenda:calendar"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("agenda:calendar"))
    template = Procedure.objects.filter(province=agenda_world.home.province_org).first()
    Procedure.objects.bulk_create(
        Procedure(
            province=template.province,
            title=f"Gara {n}",
            kind=template.kind,
            cpv=template.cpv,
            procedure_type=template.procedure_type,
            state="bids_open",
            bid_deadline=template.bid_deadline,
        )
        for n in range(100)
    )
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("agenda:calendar"))
