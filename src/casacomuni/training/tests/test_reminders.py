"""The daily ``training_reminders`` command: tomorrow's sessions reminded to their enrolled participants, and
with ``--far-behind`` the staff far behind on this year's 40 hours told how many hours they still miss."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from casacomuni.training import ledger
from casacomuni.training.models import Enrolment, EnrolmentState, ExternalHours, ImportRun, Session
from casacomuni.training.testing import make_edition, make_module, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def people(world):
    """Four people of the home Comune: the first with 40 hours this year, the third without e-mail, the
    fourth no longer in service; the first two enrolled in an edition with a session tomorrow."""
    anna, bruno, carla, dario = make_staff(world.home.comune, 4)
    carla.email = ""
    carla.save()
    dario.active = False
    dario.save()
    run = ImportRun.objects.create(organization=world.home.comune, file_name="syllabus.csv")
    ExternalHours.objects.create(
        person=anna,
        provider="Syllabus",
        course="Competenze digitali",
        hours=Decimal(40),
        completed_on=timezone.localdate().replace(month=1, day=1),
        import_run=run,
    )
    ledger.refresh_hours([anna.pk], [timezone.localdate().year])
    edition = make_edition(make_module(world.home.province_org), sessions=0)
    starts = timezone.now() + timedelta(days=1)
    Session.objects.create(
        edition=edition, starts_at=starts, ends_at=starts + timedelta(hours=2), place="Aula 1"
    )
    for person in (anna, bruno):
        Enrolment.objects.create(
            edition=edition, person=person, state=EnrolmentState.ENROLLED, requested_at=timezone.now()
        )
    return anna, bruno, carla, dario


def test_the_command_reminds_tomorrows_sessions_only_by_default(people, mailoutbox):
    call_command("training_reminders")
    assert sorted(m.to[0] for m in mailoutbox) == sorted([people[0].email, people[1].email])
    assert all("Aula 1" in m.body for m in mailoutbox)


def test_the_far_behind_option_mails_those_far_behind_with_the_hours_they_miss(people, mailoutbox):
    call_command("training_reminders", "--far-behind")
    far_behind = [m for m in mailoutbox if "ore di formazione" in m.subject]
    assert [m.to for m in far_behind] == [[people[1].email]]
    assert "Hai 0" in far_behind[0].body and "ne mancano ancora 40" in far_behind[0].body
