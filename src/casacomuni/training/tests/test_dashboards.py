"""The training dashboards as their readers meet them: a Comune's referent its own organisation, a Province's
training office the Province and each organisation of its territory, UPI a row per Province; figures of a
worked example, the CSV of each table, the query count at two sizes, and who is refused.

The worked example (``training_2025``), in 2025, in the home Province (Treviso):
- edition A1 (module A, 10 h) held in March 2025: the Comune's c1, c2 and c3 and the sibling's s1 enrolled,
  the Province's p1 enrolled and then cancelled; c1 and s1 completed it (10 h each), c2 completed it too but
  the certificate was revoked, c3 did not complete it;
- edition C1 (module C, 32 h) held in October 2025: c1 enrolled and completed it (32 h);
- edition B1 (module B, 32 h) held in December 2024: c3 completed it (another year: not counted);
- c3 imported 40 h done with another provider in 2025;
- needs of 2025: the Comune two (procurement, answered by the plan; digital, not), the sibling one (not);
  a need of the Comune of 2024 answered by the plan does not count;
- in the other Province (Padova), its Comune's e1 completed a 6-hour module in 2025.

So the Comune: 10 + 32 = 42.0 h delivered (c2's revoked), 1 person trained (c1), 2 completed of 4 enrolled
in editions ended in 2025 (c1, c2, c3 in A1 and c1 in C1) = 50.0 %, 1 need covered of 2 = 50.0 %, 2 of its 3
staff at 40 hours (c1 with 42 h, c3 with 40 imported) = 66.7 %. The sibling: 10.0 h, 1 trained, 1 of 1 =
100.0 %, 0 of 1 need, 0 of 1 at 40 hours. The Province's own row: nothing delivered, p1's cancelled
enrolment not counted (no rate), 0 of 1 at 40 hours. The territory: 52.0 h, 2 trained, 3 of 5 = 60.0 %,
1 of 3 needs = 33.3 %, 2 of 5 staff = 40.0 %. The other Province: 6.0 h, 1 trained, 1 of 1, 1 of 1 staff
(e1, 6 h: none at 40 hours).
"""

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casacomuni.accounts.models import Organization
from casacomuni.training import figures, ledger
from casacomuni.training.models import (
    Completion,
    EditionState,
    Enrolment,
    EnrolmentState,
    ExternalHours,
    ImportRun,
    Need,
    Plan,
    PlanItem,
    SatisfactionResponse,
    SatisfactionSurvey,
    Session,
    StaffMember,
)
from casacomuni.training.testing import FISCAL_CODES, make_edition, make_module, make_staff

pytestmark = pytest.mark.django_db

YEAR = 2025
DASHBOARDS = {
    "referente_comune": "training:dashboard_comune",
    "funzionario_formazione": "training:dashboard_province",
    "dirigente_upi": "training:dashboard_national",
}


def held_edition(module, day: date, state=EditionState.COMPLETED):
    """An edition with one two-hour session held on ``day``."""
    edition = make_edition(module, seats=10, sessions=0, state=state, code=f"{day:%Y/%m}")
    starts = timezone.make_aware(datetime(day.year, day.month, day.day, 9))
    Session.objects.create(edition=edition, starts_at=starts, ends_at=starts + timedelta(hours=2))
    return edition


def enrol(edition, person, state=EnrolmentState.ENROLLED):
    return Enrolment.objects.create(edition=edition, person=person, state=state, requested_at=timezone.now())


def complete(edition, person, day: date, revoked=False):
    enrolment = enrol(edition, person)
    return Completion.objects.create(
        enrolment=enrolment,
        person=person,
        completed_on=day,
        hours=edition.module.hours,
        revoked_at=timezone.now() if revoked else None,
    )


def need(side, organization, year, area, plan=None):
    row = Need.objects.create(
        province=side.province_org, organization=organization, year=year, area=area, level="base", people=2
    )
    if plan is not None:
        plan.needs.add(row)
    return row


@pytest.fixture
def training_2025(world):
    home, elsewhere = world.home, world.elsewhere
    module_a = make_module(home.province_org, title="Modulo A", hours="10")
    module_b = make_module(home.province_org, title="Modulo B", hours="32")
    module_c = make_module(home.province_org, title="Modulo C", hours="32")
    c1, c2, c3 = make_staff(home.comune, 3)
    (s1,) = make_staff(home.sibling_comune, 1)
    (p1,) = make_staff(home.province_org, 1)
    a1 = held_edition(module_a, date(YEAR, 3, 10))
    complete(a1, c1, date(YEAR, 3, 10))
    complete(a1, c2, date(YEAR, 3, 10), revoked=True)
    enrol(a1, c3)
    complete(a1, s1, date(YEAR, 3, 10))
    enrol(a1, p1, EnrolmentState.CANCELLED)
    complete(held_edition(module_c, date(YEAR, 10, 6)), c1, date(YEAR, 10, 6))
    complete(held_edition(module_b, date(YEAR - 1, 12, 15)), c3, date(YEAR - 1, 12, 15))
    run = ImportRun.objects.create(organization=home.comune, file_name="syllabus.csv")
    ExternalHours.objects.create(
        person=c3, provider="Syllabus", course="Dati", hours=40, completed_on=date(YEAR, 5, 1), import_run=run
    )
    plan = Plan.objects.create(province=home.province_org, year=YEAR, title="Piano 2025")
    item = PlanItem.objects.create(plan=plan, module=module_a)
    need(home, home.comune, YEAR, "procurement", item)
    need(home, home.comune, YEAR, "digital")
    need(home, home.sibling_comune, YEAR, "data")
    need(home, home.comune, YEAR - 1, "eu_funds", item)
    module_e = make_module(elsewhere.province_org, title="Modulo E", hours="6")
    (e1,) = make_staff(elsewhere.comune, 1)
    e1.last_name = "Padovana"
    e1.save()
    complete(held_edition(module_e, date(YEAR, 4, 2)), e1, date(YEAR, 4, 2))
    ledger.rebuild_hours()  # the rows were written here, not through the services that keep the ledger
    return world


def dashboard(client, world, persona, year=YEAR):
    client.force_login(world.personas[persona])
    return client.get(reverse(DASHBOARDS[persona]), {"year": year})


def by_name(rows):
    return {row.name: row for row in rows}


def test_the_comune_referent_reads_its_own_figures(client, training_2025):
    response = dashboard(client, training_2025, "referente_comune")
    assert response.status_code == 200
    (row,) = response.context["rows"]
    assert row.name == training_2025.home.comune.name
    assert (row.hours, row.trained, row.completed, row.enrolled) == (Decimal("42.0"), 1, 2, 4)
    assert (row.completion_rate, row.needs_covered_share, row.reached_share) == (
        Decimal("50.0"),
        Decimal("50.0"),
        Decimal("66.7"),
    )
    content = response.content.decode()
    assert "Cruscotto della formazione" in content
    assert training_2025.home.sibling_comune.name not in content
    assert "<caption>" in content and 'scope="row"' in content


def test_the_province_dashboard_has_the_province_and_each_organisation_of_its_territory(
    client, training_2025
):
    home = training_2025.home
    response = dashboard(client, training_2025, "funzionario_formazione")
    rows = response.context["rows"]
    assert [row.name for row in rows] == [
        home.province_org.name,
        *sorted(o.name for o in (home.comune, home.sibling_comune, home.union)),
    ]
    named = by_name(rows)
    sibling, province = named[home.sibling_comune.name], named[home.province_org.name]
    assert (sibling.hours, sibling.trained, sibling.completion_rate) == (Decimal("10.0"), 1, Decimal("100.0"))
    assert (sibling.needs_covered_share, sibling.reached_share) == (Decimal("0.0"), Decimal("0.0"))
    assert (province.hours, province.enrolled, province.completion_rate) == (Decimal("0.0"), 0, None)
    total = response.context["total"]
    assert (total.hours, total.trained, total.completed, total.enrolled) == (Decimal("52.0"), 2, 3, 5)
    assert (total.completion_rate, total.needs_covered_share, total.reached_share) == (
        Decimal("60.0"),
        Decimal("33.3"),
        Decimal("40.0"),
    )
    content = response.content.decode()
    assert "52,0" in content  # the hours, as Italians write them
    assert training_2025.elsewhere.comune.name not in content and "Padovana" not in content


def test_upi_reads_one_row_per_province(client, training_2025):
    home, elsewhere = training_2025.home, training_2025.elsewhere
    response = dashboard(client, training_2025, "dirigente_upi")
    named = by_name(response.context["rows"])
    assert set(named) == {home.province_org.name, elsewhere.province_org.name}
    treviso, padova = named[home.province_org.name], named[elsewhere.province_org.name]
    assert (treviso.hours, treviso.trained, treviso.completion_rate) == (Decimal("52.0"), 2, Decimal("60.0"))
    assert (treviso.staff.people, treviso.staff.reached) == (5, 2)
    assert (treviso.needs, treviso.needs_covered, padova.needs) == (3, 1, 0)
    assert (padova.hours, padova.trained, padova.completed, padova.enrolled) == (Decimal("6.0"), 1, 1, 1)
    assert (padova.staff.people, padova.reached_share) == (1, Decimal("0.0"))
    assert response.context["total"].hours == Decimal("58.0")
    content = response.content.decode()
    assert "Cognome0" not in content and "Padovana" not in content  # counts only, never a person


def test_a_year_not_offered_falls_back_to_this_year(client, training_2025):
    response = dashboard(client, training_2025, "referente_comune", year="1999")
    assert response.status_code == 200 and response.context["year"] == date.today().year


def read_csv(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_each_table_downloads_as_csv(client, training_2025):
    client.force_login(training_2025.personas["funzionario_formazione"])
    response = client.get(reverse("training:dashboard_province_csv"), {"year": YEAR})
    header, *lines = read_csv(response)
    assert header[:3] == ["Ente", "Ore erogate", "Persone formate"]
    assert lines[-1][0] == "Totale"
    assert lines[-1][1:6] == ["52.0", "2", "5", "3", "60.0"]
    province = next(line for line in lines if line[0] == training_2025.home.province_org.name)
    assert province[5] == ""  # no enrolment: no rate, rather than 0
    client.force_login(training_2025.personas["dirigente_upi"])
    header, *lines = read_csv(client.get(reverse("training:dashboard_national_csv"), {"year": YEAR}))
    assert header[0] == "Provincia" and len(lines) == 3
    client.force_login(training_2025.personas["referente_comune"])
    header, *lines = read_csv(client.get(reverse("training:dashboard_comune_csv"), {"year": YEAR}))
    assert [line[0] for line in lines] == [training_2025.home.comune.name]
    assert lines[0][11:14] == ["3", "2", "66.7"]


def test_satisfaction_shows_when_there_are_answers(client, training_2025):
    """The overall ratings of the satisfaction questionnaire of the year's editions: the Comune's three
    answers (4, 4 and 4: 4.00) and the sibling Comune's one (5); the total weighs them, (12 + 5) / 4 = 4.25.
    Before any answer the column is not shown."""
    home = training_2025.home
    response = dashboard(client, training_2025, "funzionario_formazione")
    assert "Soddisfazione" not in response.content.decode()
    for completion in Completion.objects.filter(enrolment__edition__module__province=home.province_org):
        edition = completion.enrolment.edition
        if edition.sessions.order_by("-ends_at").first().ends_at.year != YEAR:
            continue  # an edition of the year before
        survey, _created = SatisfactionSurvey.objects.get_or_create(edition=edition, defaults={"version": 1})
        overall = 5 if completion.person.organization == home.sibling_comune else 4
        SatisfactionResponse.objects.create(survey=survey, enrolment=completion.enrolment, overall=overall)
    response = dashboard(client, training_2025, "funzionario_formazione")
    rows = by_name(response.context["rows"])
    assert rows[home.comune.name].satisfaction == figures.Satisfaction(Decimal("4.00"), 3)
    assert rows[home.sibling_comune.name].satisfaction == figures.Satisfaction(Decimal("5.00"), 1)
    assert response.context["total"].satisfaction == figures.Satisfaction(Decimal("4.25"), 4)
    assert "Soddisfazione" in response.content.decode()


@pytest.mark.parametrize(
    "persona, url",
    [
        ("personale_comune", "training:dashboard_comune"),
        ("funzionario_formazione", "training:dashboard_comune"),
        ("referente_comune", "training:dashboard_province"),
        ("dirigente_upi", "training:dashboard_province"),
        ("funzionario_formazione", "training:dashboard_national"),
        ("referente_comune", "training:dashboard_national_csv"),
        ("funzionario_sua", "training:dashboard_province_csv"),
    ],
)
def test_other_readers_are_refused(client, world, persona, url):
    client.force_login(world.personas[persona])
    assert client.get(reverse(url)).status_code == 403


def test_each_reader_finds_its_dashboard_in_the_menu(client, world):
    for persona, url in DASHBOARDS.items():
        client.force_login(world.personas[persona])
        assert f'href="{reverse(url)}"' in client.get(reverse("training:plans")).content.decode()


def grow(world, step: int):
    """More of everything in both Provinces: organisations, people, editions, completions, needs."""
    for side in (world.home, world.elsewhere):
        module = make_module(side.province_org, title=f"Modulo {side.province.sigla} {step}", hours="8")
        edition = held_edition(module, date(YEAR, 6, step))
        plan, _created = Plan.objects.get_or_create(province=side.province_org, year=YEAR, title="Piano")
        item = PlanItem.objects.create(plan=plan, module=module)
        for number in range(3):
            organization = Organization.objects.create(
                kind="municipality", name=f"Comune nuovo {step}-{number}", province=side.province
            )
            for person in make_staff(organization, 2):
                complete(edition, person, date(YEAR, 6, step))
            need(side, organization, YEAR, "digital", item)
    ledger.rebuild_hours()
    return StaffMember.objects.count()


@pytest.mark.parametrize("persona", sorted(DASHBOARDS))
def test_the_queries_do_not_grow_with_the_data(client, world, django_assert_num_queries, persona):
    """The page at two sizes (12 people, then 36), and the figures alone: six queries (satisfaction included)."""
    grow(world, 1)
    client.force_login(world.personas[persona])
    url = reverse(DASHBOARDS[persona])
    client.get(url)  # the session's first request reads what later ones have cached
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, {"year": YEAR}).status_code == 200
    assert grow(world, 2) == 24 and grow(world, 3) == 36
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url, {"year": YEAR}).status_code == 200
    office = world.personas["funzionario_formazione"]
    office.acting_as = world.memberships["funzionario_formazione"]
    scope = figures.province_scope(office)
    with django_assert_num_queries(6):
        figures.figures(scope, YEAR)


def test_fiscal_codes_never_reach_the_dashboards(client, training_2025):
    for persona in DASHBOARDS:
        content = dashboard(client, training_2025, persona).content.decode()
        assert not any(code in content for code in FISCAL_CODES)
