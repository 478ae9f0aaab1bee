"""A person's training profile: the competences gained at the highest level reached (a revoked certificate
gains nothing), the hours of each year and every course; for the training office of the territory and the
Comune's referent, and on the person's own page."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casacomuni.training import ledger
from casacomuni.training.models import Completion, Enrolment, EnrolmentState
from casacomuni.training.testing import make_edition, make_module, make_path, make_staff

pytestmark = pytest.mark.django_db


def complete(module, person, on: date, revoked=False) -> Completion:
    edition = make_edition(module, sessions=0, code=f"{on:%Y%m%d}")
    enrolment = Enrolment.objects.create(
        edition=edition, person=person, state=EnrolmentState.ENROLLED, requested_at=timezone.now()
    )
    completion = Completion.objects.create(
        enrolment=enrolment,
        person=person,
        completed_on=on,
        hours=module.hours,
        revoked_at=timezone.now() if revoked else None,
    )
    ledger.refresh_hours([person.pk], [on.year])
    return completion


@pytest.fixture
def profile(world):
    """Anna, of the home Comune, completed a base and an intermediate module both building SUA-2 (the
    intermediate one in 2025), and an advanced one whose certificate was revoked."""
    province = world.home.province_org
    base = make_module(province, title="Appalti: le basi", level="base", hours="6")
    intermediate = make_module(province, title="Appalti: la procedura negoziata", hours="10")
    advanced = make_module(province, title="Appalti: il partenariato", level="advanced", hours="8")
    (anna,) = make_staff(world.home.comune, 1, users=[world.personas["personale_comune"]])
    complete(base, anna, date(2026, 3, 2))
    complete(intermediate, anna, date(2025, 11, 20))
    complete(advanced, anna, date(2026, 4, 8), revoked=True)
    return anna


def page(client, world, persona, person):
    client.force_login(world.personas[persona])
    return client.get(reverse("training:staff_detail", args=[person.pk]))


def test_the_office_reads_the_competences_hours_and_courses_of_a_person(client, world, profile):
    response = page(client, world, "funzionario_formazione", profile)
    (gained,) = response.context["competences"]
    assert (gained.code, gained.level) == ("SUA-2", "intermediate")  # the highest reached, not the revoked
    assert gained.modules == ["Appalti: la procedura negoziata", "Appalti: le basi"]
    assert [(y.year, y.hours) for y in response.context["years"]] == [(2026, Decimal(6)), (2025, Decimal(10))]
    body = response.content.decode()
    assert "Intermedio" in body and "Revocato" in body and profile.fiscal_code in body
    assert body.count("Attestato (PDF)") == 2  # the revoked certificate is not offered


def test_the_profile_shows_how_far_the_person_is_on_each_published_path(client, world, profile):
    """Anna completed two of the three modules of a published path (the third not begun); a draft path of the
    same modules is not listed."""
    province = world.home.province_org
    taken = list(
        province.training_modules.filter(title__in=["Appalti: le basi", "Appalti: la procedura negoziata"])
    )
    last = make_module(province, title="Appalti: l'esecuzione del contratto", hours="4")
    make_path(province, "Percorso appalti", [*taken, last])
    make_path(province, "Bozza di percorso", taken, published=False)
    response = page(client, world, "referente_comune", profile)
    (standing,) = response.context["paths"]
    assert standing.title == "Percorso appalti" and (standing.progress.done, standing.progress.total) == (
        2,
        3,
    )
    assert "2 moduli su 3 completati" in response.content.decode()


def test_the_referent_reads_its_own_staff_only(client, world, profile):
    assert page(client, world, "referente_comune", profile).status_code == 200
    (foreign,) = make_staff(world.elsewhere.comune, 1)
    assert page(client, world, "referente_comune", foreign).status_code == 404
    assert page(client, world, "funzionario_formazione", foreign).status_code == 404
    (sibling,) = make_staff(world.home.sibling_comune, 1)
    assert page(client, world, "referente_comune", sibling).status_code == 404


def test_the_person_sees_the_competences_gained_on_its_own_page(client, world, profile):
    client.force_login(world.personas["personale_comune"])
    body = client.get(reverse("training:my_hours") + "?year=2026").content.decode()
    assert f'id="competences-{profile.pk}"' in body and "SUA-2" in body and "Intermedio" in body


def test_a_longer_history_costs_no_more_queries(client, world, profile):
    client.force_login(world.personas["funzionario_formazione"])
    url = reverse("training:staff_detail", args=[profile.pk])
    client.get(url)  # the session's first request reads once what later ones find in the session
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    module = make_module(world.home.province_org, title="Dati aperti", area="data", hours="4")
    for day in (date(2024, 5, 1), date(2023, 5, 1), date(2022, 5, 1)):
        complete(module, profile, day)
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    assert len(response.context["years"]) == 5
    assert len(after.captured_queries) == len(before.captured_queries)
