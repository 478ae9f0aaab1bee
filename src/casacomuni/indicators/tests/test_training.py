"""The training indicators: "staff trained" and "training hours per employee" per Comune, with worked
numbers, computed by the service the nightly task uses and published in the Province's open data (counts and
averages only).

The example, in 2025:
- the home Comune has four people in service: a completed a 10-hour and a 32-hour course, b a 10-hour one
  whose certificate was then revoked, c imported 40 hours done elsewhere, d did nothing; e, no longer in
  service, completed a 6-hour course. Staff trained: a and e = 2. Hours per employee: the ledger of the four
  in service, (42 + 0 + 40 + 0) / 4 = 20.5;
- the other Province's Comune has three people: one completed a 7-hour course in 2025 and a 12-hour one in
  2024. Staff trained: 1. Hours per employee: 7 / 3 = 2.33… → 2.3;
- the sibling Comune has two people, both with a completion: under the minimum of three, no figure;
- the home Unione has three people with completions: a Unione's figures are not split among its comuni.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from casacomuni.indicators import definitions, services
from casacomuni.indicators.models import Observation
from casacomuni.opendata.platform_generators import build_indicators
from casacomuni.training import ledger
from casacomuni.training.models import Completion, Enrolment, ExternalHours, ImportRun, Session
from casacomuni.training.testing import FISCAL_CODES, make_edition, make_module, make_staff

pytestmark = pytest.mark.django_db
YEAR = 2025
CODES = ["staff_trained", "training_hours_per_employee"]


def complete(province, person, hours, day, revoked=False):
    """``person`` completed a course of ``hours`` of ``province`` (a Province organisation) on ``day``."""
    module = make_module(province, title=f"Corso {hours} {day}", hours=str(hours))
    edition = make_edition(module, sessions=0, code=f"{day:%Y%m%d}-{person.pk}")
    starts = timezone.make_aware(datetime(day.year, day.month, day.day, 9))
    Session.objects.create(edition=edition, starts_at=starts, ends_at=starts + timedelta(hours=2))
    enrolment = Enrolment.objects.create(
        edition=edition, person=person, state="enrolled", requested_at=timezone.now()
    )
    Completion.objects.create(
        enrolment=enrolment,
        person=person,
        completed_on=day,
        hours=module.hours,
        revoked_at=timezone.now() if revoked else None,
    )


@pytest.fixture
def example(world):
    home, elsewhere = world.home, world.elsewhere
    treviso, padova = home.province_org, elsewhere.province_org
    a, b, c, d, e = make_staff(home.comune, 5)
    e.active = False
    e.save()
    complete(treviso, a, 10, date(YEAR, 3, 1))
    complete(treviso, a, 32, date(YEAR, 10, 1))
    complete(treviso, b, 10, date(YEAR, 3, 1), revoked=True)
    complete(treviso, e, 6, date(YEAR, 2, 1))
    run = ImportRun.objects.create(organization=home.comune, file_name="syllabus.csv")
    ExternalHours.objects.create(
        person=c, provider="Syllabus", course="Dati", hours=40, completed_on=date(YEAR, 5, 1), import_run=run
    )
    (x, _y, _z) = make_staff(elsewhere.comune, 3)
    complete(padova, x, 7, date(YEAR, 4, 1))
    complete(padova, x, 12, date(YEAR - 1, 4, 1))
    for person in make_staff(home.sibling_comune, 2) + make_staff(home.union, 3):
        complete(treviso, person, 8, date(YEAR, 6, 1))
    ledger.rebuild_hours()  # the rows were written here, not through the services that keep the ledger
    return world


def test_staff_trained_per_comune(example):
    home, elsewhere = example.home.comune.municipality_id, example.elsewhere.comune.municipality_id
    assert dict(definitions.staff_trained(YEAR)) == {home: D(2), elsewhere: D(1)}


def test_training_hours_per_employee(example):
    home, elsewhere = example.home.comune.municipality_id, example.elsewhere.comune.municipality_id
    assert dict(definitions.training_hours_per_employee(YEAR)) == {home: D("20.5"), elsewhere: D("2.3")}


def test_a_year_without_training_gives_zero_to_the_comuni_with_staff(example):
    """2026: nobody completed anything; the two comuni with three people or more get 0, not nothing."""
    home, elsewhere = example.home.comune.municipality_id, example.elsewhere.comune.municipality_id
    assert dict(definitions.staff_trained(YEAR + 1)) == {home: D(0), elsewhere: D(0)}
    assert dict(definitions.training_hours_per_employee(YEAR + 1)) == {home: D("0.0"), elsewhere: D("0.0")}


def test_the_indicators_reach_the_open_data_without_personal_data(example):
    counts = services.compute_indicators(YEAR, CODES)
    assert counts == {"staff_trained": 2, "training_hours_per_employee": 2}
    home = example.home
    observation = Observation.objects.get(
        indicator__code="training_hours_per_employee", province=home.province
    )
    assert observation.value == D("20.5") and observation.municipality == home.comune.municipality
    table = build_indicators(home.province_org)
    rows = {(row[0], row[4]): row for row in table.rows}
    istat = home.comune.municipality.istat_code
    assert rows[("staff_trained", istat)][-1] == 2
    assert rows[("training_hours_per_employee", istat)][2] == "ore per dipendente"
    assert rows[("training_hours_per_employee", istat)][-1] == D("20.5")
    text = repr(table.rows)
    assert not any(code in text for code in FISCAL_CODES) and "Cognome" not in text


def test_the_comune_reads_its_training_indicators_with_the_others(client, example):
    services.compute_indicators(YEAR)
    client.force_login(example.personas["referente_comune"])
    comune = example.home.comune.municipality
    response = client.get(reverse("indicators:municipality", args=[comune.istat_code]), {"anno": YEAR})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Personale formato" in content and "Ore di formazione per dipendente" in content
    assert "20,5" in content and "Adesioni ai servizi della Provincia" in content
