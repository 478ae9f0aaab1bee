"""The sources: what each persona's calendar holds, the window's edges, the computed dates, constant queries."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casacomuni.agenda import sources
from casacomuni.agenda.sources import events_for
from casacomuni.agreements.models import Agreement
from casacomuni.procurement.procedures.models import Invitation, Procedure
from casacomuni.projects.funded.models import FundedProject, Milestone, ReportingPeriod

ROME = ZoneInfo("Europe/Rome")


def today_events(world, persona, kinds=None):
    today = timezone.localdate()
    return events_for(world.acting(persona), today, today, kinds)


def year_around_today() -> tuple[date, date]:
    today = timezone.localdate()
    return today - timedelta(days=365), today + timedelta(days=365)


def kinds_of(events) -> set[str]:
    return {event.kind for event in events}


# What each persona's calendar holds today, from the objects the other apps' builders make for one Province.
EXPECTED_KINDS = {
    "funzionario_sua": {sources.BID_DEADLINE, sources.DESIRED_AWARD},
    "funzionario_europa": {sources.CALL_DEADLINE, sources.MILESTONE, sources.REPORTING},
    "funzionario_dati": {sources.CAMPAIGN_DEADLINE},
    "funzionario_formazione": {sources.TRAINING_SESSION, sources.ENROLMENT_DEADLINE},
    "referente_comune": {sources.BID_DEADLINE, sources.AGREEMENT_END, sources.CAMPAIGN_DEADLINE},
    "dirigente_upi": set(),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED_KINDS))
def test_each_persona_sees_the_deadlines_of_its_own_work(agenda_world, persona):
    found = kinds_of(today_events(agenda_world, persona))
    assert EXPECTED_KINDS[persona] <= found, f"{persona}: {sorted(found)}"


def test_the_province_administrator_sees_every_office_of_its_province(agenda_world):
    found = kinds_of(today_events(agenda_world, "amministratore_provincia"))
    assert {
        sources.BID_DEADLINE,
        sources.CALL_DEADLINE,
        sources.CAMPAIGN_DEADLINE,
        sources.AGREEMENT_END,
    } <= found
    assert {sources.TRAINING_SESSION, sources.MILESTONE} <= found


def test_nobody_sees_an_event_of_the_other_province(agenda_world):
    foreign = agenda_world.objects["elsewhere"]["agenda"]["uids"]
    for persona in agenda_world.personas:
        seen = {event.uid for event in today_events(agenda_world, persona)}
        assert not seen & foreign, persona


@pytest.mark.parametrize(
    "persona", ["funzionario_sua", "funzionario_europa", "referente_comune", "personale_comune"]
)
def test_every_event_links_to_a_page_the_persona_opens(agenda_world, persona):
    client = Client()
    client.force_login(agenda_world.personas[persona])
    session = client.session
    session["casacomuni_membership_id"] = agenda_world.memberships[persona].pk
    session.save()
    events = today_events(agenda_world, persona)
    assert events
    for event in events:
        assert client.get(event.url).status_code == 200, (persona, event.url)


def test_an_unanswered_request_for_help_is_due_for_its_comune_and_the_office_of_its_service(agenda_world):
    request = agenda_world.objects["home"]["helpdesk"]["unanswered"]
    first, resolution = (
        sources.uid(sources.HELP_DUE, which, request.pk) for which in ("first", "resolution")
    )
    for persona in ("referente_comune", "funzionario_sua", "amministratore_provincia"):
        events = {e.uid: e for e in events_for(agenda_world.acting(persona), *year_around_today())}
        assert {first, resolution} <= set(events), persona
        assert events[first].starts == request.first_answer_due_at
        assert events[first].url == reverse("helpdesk:detail", args=[request.pk])
    # Another office of the Province does not read the SUA's requests; a resolved request is due no more.
    europe = {e.uid for e in events_for(agenda_world.acting("funzionario_europa"), *year_around_today())}
    assert first not in europe
    resolved = agenda_world.objects["home"]["helpdesk"]["request"]
    comune = {e.uid for e in events_for(agenda_world.acting("referente_comune"), *year_around_today())}
    assert sources.uid(sources.HELP_DUE, "resolution", resolved.pk) not in comune


def test_an_operator_sees_the_lots_open_to_it_linked_to_its_bid(agenda_world):
    """The home procedure is awarded (no lot open); one taking bids appears, per lot, on the bid page."""
    from casacomuni.procurement.testing import make_procedure

    procedure = make_procedure(
        agenda_world.home, agenda_world, state="bids_open", title="Manutenzione strade"
    )
    lot = procedure.lots.get()
    if procedure.uses_invitations:  # the lots of a procedure by invitation are open to the invited only
        Invitation.objects.create(procedure=procedure, lot=lot, operator=agenda_world.operator, reason="Albo")
    events = [
        e
        for e in events_for(agenda_world.acting("operatore_economico"), *year_around_today())
        if e.kind == sources.BID_DEADLINE
    ]
    assert [(event.url, event.starts) for event in events] == [
        (reverse("procurement:online_bid", args=[procedure.pk, lot.pk]), procedure.bid_deadline)
    ]


def test_a_timed_deadline_belongs_to_the_day_in_rome(agenda_world):
    """23:30 UTC on 31 March 2027 is 01:30 on 1 April in Rome (CEST): the deadline is on 1 April's page."""
    procedure = Procedure.objects.filter(province=agenda_world.home.province_org).first()
    Procedure.objects.filter(pk=procedure.pk).update(
        bid_deadline=datetime(2027, 3, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    )
    sua = agenda_world.acting("funzionario_sua")
    assert not events_for(sua, date(2027, 3, 31), date(2027, 3, 31), [sources.BID_DEADLINE])
    (event,) = events_for(sua, date(2027, 4, 1), date(2027, 4, 1), [sources.BID_DEADLINE])
    assert timezone.localtime(event.starts, ROME).hour == 1


def test_the_notice_deadline_is_the_end_less_the_notice_days(agenda_world):
    """An agreement ending on 30 June 2027 with 180 days' notice: notice by 1 January 2027 (30 June − 180 days)."""
    agreement = Agreement.objects.filter(province=agenda_world.home.province_org, state="active").first()
    Agreement.objects.filter(pk=agreement.pk).update(end_date=date(2027, 6, 30), notice_days=180)
    admin = agenda_world.acting("amministratore_provincia")
    kinds = [sources.AGREEMENT_NOTICE, sources.AGREEMENT_END]
    assert [(e.kind, e.starts) for e in events_for(admin, date(2027, 1, 1), date(2027, 1, 1), kinds)] == [
        (sources.AGREEMENT_NOTICE, date(2027, 1, 1))
    ]
    assert not events_for(admin, date(2026, 12, 31), date(2026, 12, 31), kinds)
    assert [e.kind for e in events_for(admin, date(2027, 6, 30), date(2027, 6, 30), kinds)] == [
        sources.AGREEMENT_END
    ]


def test_the_pnrr_update_is_due_on_the_tenth_of_each_month(agenda_world):
    """ReGiS monthly update by the 10th (projects.rules.pnrr): two in December 2026 – January 2027."""
    FundedProject.objects.filter(province=agenda_world.home.province_org).update(
        is_pnrr=True, status="ongoing"
    )
    comune = agenda_world.acting("referente_comune")
    events = events_for(comune, date(2026, 12, 1), date(2027, 1, 31), [sources.PNRR_UPDATE])
    assert [event.starts for event in events] == [date(2026, 12, 10), date(2027, 1, 10)]
    assert events[0].uid != events[1].uid


def test_achieved_milestones_and_submitted_statements_leave_the_calendar(agenda_world):
    office = agenda_world.acting("funzionario_europa")
    kinds = [sources.MILESTONE, sources.REPORTING]
    assert kinds_of(today_events(agenda_world, "funzionario_europa", kinds)) == set(kinds)
    Milestone.objects.update(achieved=True)
    ReportingPeriod.objects.update(submitted_on=timezone.localdate())
    assert not events_for(office, timezone.localdate(), timezone.localdate(), kinds)


def test_the_internal_deadline_of_an_application_is_the_calls_less_its_lead_time(agenda_world):
    application = agenda_world.objects["home"]["projects"]["application"]
    call = application.call
    type(call).objects.filter(pk=call.pk).update(deadline=datetime(2027, 2, 20, 12, tzinfo=ROME))
    type(application).objects.filter(pk=application.pk).update(lead_time_days=15, status="designing")
    comune = agenda_world.acting("referente_comune")
    events = events_for(comune, date(2027, 2, 1), date(2027, 2, 28), [sources.APPLICATION_DEADLINE])
    assert [event.starts for event in events] == [date(2027, 2, 5)]


def test_a_source_not_asked_for_is_not_queried(agenda_world, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert today_events(agenda_world, "funzionario_sua", []) == []


def test_queries_do_not_grow_with_the_procedures(agenda_world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sua = agenda_world.acting("funzionario_sua")
    start, end = timezone.localdate() - timedelta(days=40), timezone.localdate() + timedelta(days=40)
    with CaptureQueriesContext(connection) as few:
        events_for(sua, start, end)
    template = Procedure.objects.filter(province=agenda_world.home.province_org).first()
    Procedure.objects.bulk_create(
        [
            Procedure(
                province=template.province,
                title=f"Procedura {n}",
                kind=template.kind,
                procedure_type=template.procedure_type,
                cpv=template.cpv,
                state="bids_open",
                bid_deadline=timezone.now() + timedelta(days=n % 30),
            )
            for n in range(200)
        ]
    )
    with django_assert_max_num_queries(len(few)):
        assert len(events_for(sua, start, end)) > 200
