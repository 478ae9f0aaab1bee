"""The audit trail pages: administrators only, each within their own territory."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casacomuni.accounts.actor import Actor
from casacomuni.audit.models import AuditEvent
from casacomuni.audit.services import record_event


def record(actor, action, changes=None, times=1):
    with transaction.atomic():
        return [record_event(actor, action, None, changes) for _ in range(times)][-1]


@pytest.fixture
def events(people):
    """An event in Fiesole (Firenze), one in Pisa, one of the platform."""
    return {
        "fiesole": record(people.actor("referente_fiesole"), "adhesion.create", {"service": [None, "SUA"]}),
        "pisa": record(people.actor("amministratore_pisa"), "membership.create"),
        "platform": record(Actor.system("demo"), "demo.load"),
    }


def page_as(client, people, name, url=None, **params):
    client.force_login(people.users[name])
    return client.get(url or reverse("audit:events"), params)


def shown(response) -> set[int]:
    return {event.pk for event in response.context["page"]}


def test_events_page_is_forbidden_to_a_comune_referent(client, people, events):
    assert page_as(client, people, "referente_fiesole").status_code == 403


def test_events_page_asks_anonymous_visitors_to_log_in(client, events):
    response = client.get(reverse("audit:events"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_province_administrator_sees_only_its_territory(client, people, events):
    response = page_as(client, people, "amministratore_firenze")

    assert response.status_code == 200
    assert events["fiesole"].pk in shown(response)
    assert events["pisa"].pk not in shown(response)
    assert events["platform"].pk not in shown(response)
    assert "Comune di Fiesole" in response.text
    assert "SUA" in response.text  # the changed field is shown


def test_upi_administrator_sees_the_provinces_and_the_platform_but_no_comune(client, people, events):
    response = page_as(client, people, "dirigente_upi")
    assert {events["pisa"].pk, events["platform"].pk} <= shown(response)
    assert events["fiesole"].pk not in shown(response)
    detail = reverse("audit:event", args=[events["fiesole"].pk])
    assert page_as(client, people, "dirigente_upi", detail).status_code == 404


def test_event_outside_the_territory_is_not_found(client, people, events):
    url = reverse("audit:event", args=[events["pisa"].pk])
    assert page_as(client, people, "amministratore_firenze", url).status_code == 404


def test_event_detail_shows_its_place_in_the_chain(client, people, events):
    url = reverse("audit:event", args=[events["fiesole"].pk])
    response = page_as(client, people, "amministratore_firenze", url)
    assert response.status_code == 200
    assert events["fiesole"].hash in response.text


def test_events_are_filtered_by_action_prefix(client, people, events):
    response = page_as(client, people, "amministratore_firenze", action="adhesion")
    assert shown(response) == {events["fiesole"].pk}


def test_events_are_filtered_by_day(client, people, events):
    today = events["pisa"].created_at.astimezone().date()
    yesterday = today.fromordinal(today.toordinal() - 1)
    before = page_as(client, people, "dirigente_upi", until=yesterday.isoformat())
    assert before.context["page"].paginator.count == 0
    assert events["pisa"].pk in shown(page_as(client, people, "dirigente_upi", since=today.isoformat()))


def test_reversed_date_range_is_a_clear_error(client, people, events):
    response = page_as(client, people, "dirigente_upi", since="2026-02-02", until="2026-02-01")
    assert response.status_code == 400
    assert "La data di inizio non può essere successiva alla data di fine." in response.text
    assert response.context["page"].paginator.count == 0


def test_events_page_query_count_does_not_grow_with_the_events(client, people, events):
    client.force_login(people.users["dirigente_upi"])
    client.get(reverse("audit:events"))  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("audit:events"))
    for name in ("amministratore_firenze", "amministratore_pisa", "referente_fiesole"):
        record(people.actor(name), "membership.update", {"role": ["a", "b"]}, times=10)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("audit:events"))
    assert response.context["page"].paginator.count >= 2 + 20  # Pisa, the platform and 20 of the Provinces
    assert len(many) == len(few)


def test_pages_hold_fifty_events(client, people):
    record(people.actor("amministratore_firenze"), "membership.update", times=60)
    response = page_as(client, people, "amministratore_firenze", page=2)
    assert AuditEvent.objects.count() == 61  # the 60 and the administrator's login
    assert len(response.context["page"]) == 11
