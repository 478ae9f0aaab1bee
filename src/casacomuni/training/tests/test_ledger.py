"""The 40-hour ledger as its readers meet it: each person's hours of a year (completions not revoked plus hours
imported, by the day completed), the standing the pure rules give, the summaries of an organisation and of a
Province's territory, UPI's aggregates per Province, a fixed number of queries whatever the data, and each
reader seeing only its own people.

Worked examples on 2 July 2026 (day 183 of 365): the pace asks 40 × 183/365 = 20.05 → 20.1 hours by then;
20.1 hours forecast 40.1 at the end of the year (on track), 20.0 forecast 39.9 (behind); under half the
pace, 10.0 hours or less, is far behind (rules.ledger.standing, directive of 14 January 2025).
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casacomuni.training import ledger
from casacomuni.training.models import (
    Completion,
    Enrolment,
    EnrolmentState,
    ExternalHours,
    ImportRun,
    StaffMember,
)
from casacomuni.training.rules import ledger as rules
from casacomuni.training.testing import make_edition, make_module, make_staff

pytestmark = pytest.mark.django_db

TODAY = date(2026, 7, 2)


def complete(edition, person, hours, on, revoked=False):
    enrolment = Enrolment.objects.create(
        edition=edition, person=person, state=EnrolmentState.ENROLLED, requested_at=timezone.now()
    )
    completion = Completion.objects.create(
        enrolment=enrolment,
        person=person,
        hours=Decimal(hours),
        completed_on=on,
        revoked_at=timezone.now() if revoked else None,
    )
    ledger.refresh_hours([person.pk], [on.year])
    return completion


def imported(run, person, hours, on, course="Corso esterno"):
    row = ExternalHours.objects.create(
        person=person,
        provider="Syllabus",
        course=course,
        hours=Decimal(hours),
        completed_on=on,
        import_run=run,
    )
    ledger.refresh_hours([person.pk], [on.year])
    return row


@pytest.fixture
def staff(world):
    """Four people of the home Comune and one of the Province, at different points of 2026."""
    module = make_module(world.home.province_org)
    editions = [make_edition(module, code=f"E{n}") for n in range(6)]
    anna, bruno, carla, dario = make_staff(world.home.comune, 4)
    (elena,) = make_staff(world.home.province_org, 1)
    run = ImportRun.objects.create(organization=world.home.comune, file_name="syllabus.csv")
    # Anna: 12 h here + 6 h imported in 2026; 8 h revoked; 10 h imported in 2025 → 18.0 in 2026, behind.
    complete(editions[0], anna, "12", date(2026, 3, 10))
    complete(editions[1], anna, "8", date(2026, 5, 1), revoked=True)
    imported(run, anna, "6", date(2026, 2, 1))
    imported(run, anna, "10", date(2025, 12, 31))
    # Bruno: 12 + 8.1 = 20.1 → on track.  Carla: 10.0 → far behind.  Dario: 40.5 → reached.
    complete(editions[0], bruno, "12", date(2026, 1, 15))
    imported(run, bruno, "8.1", date(2026, 6, 30))
    imported(run, carla, "10", date(2026, 4, 1))
    complete(editions[2], dario, "24", date(2026, 2, 2))
    imported(run, dario, "16.5", date(2026, 3, 3))
    # Elena (the Province's): 10.1 → behind.
    imported(run, elena, "10.1", date(2026, 1, 1))
    return {"anna": anna, "bruno": bruno, "carla": carla, "dario": dario, "elena": elena}


def test_each_persons_hours_and_standing_of_the_year(world, staff):
    people = {p.pk: p for p in ledger.ledger_for(world.acting("funzionario_formazione"), 2026, TODAY)}
    assert (people[staff["anna"].pk].platform_hours, people[staff["anna"].pk].imported_hours) == (
        Decimal("12.0"),
        Decimal("6.0"),
    )
    assert (people[staff["anna"].pk].hours, people[staff["anna"].pk].standing) == (
        Decimal("18.0"),
        rules.BEHIND,
    )
    assert (people[staff["bruno"].pk].hours, people[staff["bruno"].pk].standing) == (
        Decimal("20.1"),
        rules.ON_TRACK,
    )
    assert (people[staff["carla"].pk].hours, people[staff["carla"].pk].standing) == (
        Decimal("10.0"),
        rules.FAR_BEHIND,
    )
    assert (people[staff["dario"].pk].hours, people[staff["dario"].pk].standing) == (
        Decimal("40.5"),
        rules.REACHED,
    )
    assert (people[staff["elena"].pk].hours, people[staff["elena"].pk].standing) == (
        Decimal("10.1"),
        rules.BEHIND,
    )
    assert ledger.forecast(people[staff["bruno"].pk], 2026, TODAY) == Decimal("40.1")


def test_a_closed_year_under_40_is_missed(world, staff):
    people = {p.pk: p for p in ledger.ledger_for(world.acting("funzionario_formazione"), 2025, TODAY)}
    assert (people[staff["anna"].pk].hours, people[staff["anna"].pk].standing) == (
        Decimal("10.0"),
        rules.MISSED,
    )
    assert people[staff["bruno"].pk].hours == 0


@pytest.fixture
def every_tenth(world):
    """411 people of the home Comune with 0.0, 0.1, ... 41.0 hours imported in 2026."""
    people = StaffMember.objects.bulk_create(
        StaffMember(
            organization=world.home.comune, fiscal_code=f"T{n:015d}", first_name="N", last_name=f"T{n}"
        )
        for n in range(411)
    )
    run = ImportRun.objects.create(organization=world.home.comune, file_name="decimi.csv")
    ExternalHours.objects.bulk_create(
        ExternalHours(
            person=person,
            provider="Syllabus",
            course="Corso",
            hours=Decimal(n) / 10,
            completed_on=date(2026, 1, 1),
            import_run=run,
        )
        for n, person in enumerate(people)
        if n
    )
    ledger.refresh_hours([person.pk for person in people], [2026])
    return StaffMember.objects.filter(organization=world.home.comune)


@pytest.mark.parametrize(
    "today,year",
    [(TODAY, 2026), (date(2026, 1, 1), 2026), (date(2026, 12, 31), 2026), (date(2027, 3, 1), 2026)],
)
def test_the_sql_standing_and_its_filter_agree_with_the_rules_on_every_tenth_of_an_hour(
    every_tenth, today, year
):
    """Every one-decimal amount from 0 to 41 hours gets in SQL the standing rules.ledger.standing gives, and
    the filter by standing selects exactly those people."""
    annotated = ledger.with_hours(every_tenth, year, today)
    expected = {}
    for person in annotated:
        assert person.standing == rules.standing(person.hours, today, year), person.hours
        expected.setdefault(person.standing, set()).add(person.pk)
    for standing in ledger.STANDINGS:
        chosen = set(ledger.standing_filter(annotated, standing, year, today).values_list("pk", flat=True))
        assert chosen == expected.get(standing, set()), standing
    total = ledger.summary(every_tenth, year, today)
    assert (total.people, total.reached, total.far_behind) == (
        411,
        len(expected.get(rules.REACHED, ())),
        len(expected.get(rules.FAR_BEHIND, ())),
    )


def test_the_summary_of_the_comune_and_of_the_territory(world, staff):
    comune = ledger.summary(StaffMember.objects.filter(organization=world.home.comune), 2026, TODAY)
    assert (comune.people, comune.reached, comune.far_behind, comune.hours) == (4, 1, 1, Decimal("88.6"))
    assert comune.reached_share == Decimal("25.0")
    per_org = dict(ledger.organisation_summaries(world.acting("funzionario_formazione"), 2026, TODAY))
    assert per_org[world.home.comune.pk] == comune
    assert (per_org[world.home.province_org.pk].people, per_org[world.home.province_org.pk].reached) == (1, 0)
    assert ledger.organisation_summaries(world.acting("referente_comune"), 2026, TODAY) == [
        (world.home.comune.pk, comune)
    ]


def test_upi_reads_only_the_aggregates_per_province(world, staff):
    make_staff(world.elsewhere.comune, 2)
    by_province = dict(ledger.province_summaries(world.acting("dirigente_upi"), 2026, TODAY))
    assert by_province[world.home.province.pk].people == 5
    assert by_province[world.home.province.pk].reached == 1
    assert by_province[world.elsewhere.province.pk].people == 2
    assert ledger.province_summaries(world.acting("funzionario_formazione"), 2026, TODAY) == []
    assert not ledger.ledger_for(world.acting("dirigente_upi"), 2026, TODAY).exists()


def test_each_reader_sees_only_its_own_people(world, staff):
    make_staff(world.elsewhere.comune, 2)
    make_staff(world.home.sibling_comune, 1)
    office = list(ledger.ledger_for(world.acting("funzionario_formazione"), 2026, TODAY))
    assert {p.organization_id for p in office} == {
        world.home.comune.pk,
        world.home.sibling_comune.pk,
        world.home.province_org.pk,
    }
    assert len(office) == 6
    referent = list(ledger.ledger_for(world.acting("referente_comune"), 2026, TODAY))
    assert {p.organization_id for p in referent} == {world.home.comune.pk}
    assert len(referent) == 4
    assert not ledger.ledger_for(world.acting("funzionario_formazione"), 2026, TODAY).filter(
        organization=world.elsewhere.comune
    )


def page_queries(user) -> int:
    with CaptureQueriesContext(connection) as context:
        page = list(ledger.ledger_for(user, 2026, TODAY).order_by("-hours", "pk")[:25])
        ledger.summary(StaffMember.objects.filter(organization=user.acting_as.organization), 2026, TODAY)
    assert page
    return len(context.captured_queries)


def test_a_page_of_people_costs_the_same_queries_whatever_the_data(world, staff):
    user = world.acting("funzionario_formazione")
    before = page_queries(user)
    module = make_module(world.home.province_org, title="Altro")
    edition = make_edition(module, code="X")
    run = ImportRun.objects.create(organization=world.home.comune, file_name="altro.csv")
    people = StaffMember.objects.bulk_create(
        StaffMember(
            organization=world.home.comune, fiscal_code=f"X{n:015d}", first_name="N", last_name=f"P{n}"
        )
        for n in range(40)
    )
    for number, person in enumerate(people):
        complete(edition, person, "4", date(2026, 1, 1) + timedelta(days=number))
        imported(run, person, "2", date(2026, 2, 1) + timedelta(days=number))
    assert page_queries(user) == before == 2
