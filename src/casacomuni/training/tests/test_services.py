"""Training's write operations as its users meet them: enrolment within the seats and a waiting list that moves
up by itself, a staff member's request decided by the referent, the register (never before a session, never
beyond its length) and the sign-in code, completion and certificates, the hours imported from other providers.
Every refusal is in Italian and writes nothing; a Comune reaches only its own staff."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casacomuni.audit.models import AuditEvent
from casacomuni.inbox.models import Notification
from casacomuni.training import ledger, services
from casacomuni.training.models import (
    Completion,
    Enrolment,
    EnrolmentState,
    ExternalHours,
    ImportRun,
    Session,
)
from casacomuni.training.testing import FISCAL_CODES, make_edition, make_module, make_staff, persona_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def course(world):
    """A published module of the home Province with an open edition of 2 seats, and 4 people of its Comune."""
    module = make_module(world.home.province_org)
    edition = make_edition(module, seats=2)
    people = make_staff(world.home.comune, 4, users=[None, None, None, world.personas["personale_comune"]])
    return edition, people


def states(edition) -> list[tuple[str, str]]:
    return list(edition.enrolments.order_by("requested_at", "pk").values_list("person__last_name", "state"))


def test_beyond_the_seats_people_wait_and_a_cancellation_moves_up_the_first_waiting(
    world, course, mailoutbox, django_capture_on_commit_callbacks, immediate_tasks
):
    edition, people = course
    referent = persona_actor(world, "referente_comune")
    enrolments = [services.enrol(referent, edition, person) for person in people[:4]]
    assert [e.state for e in enrolments] == ["enrolled", "enrolled", "waiting", "waiting"]
    with pytest.raises(ValidationError, match="già iscritto"):
        services.enrol(referent, edition, people[0])

    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.cancel_enrolment(referent, enrolments[1])
    assert promoted == [enrolments[2]]
    assert states(edition) == [
        ("Cognome0", "enrolled"),
        ("Cognome1", "cancelled"),
        ("Cognome2", "enrolled"),
        ("Cognome3", "waiting"),
    ]
    assert [m.to for m in mailoutbox] == [[people[2].email]]
    assert "posto" in mailoutbox[0].subject
    # The person has no account: the e-mail only, no inbox row.
    assert not Notification.objects.exists()
    with pytest.raises(ValidationError, match="non è più in vigore"):
        services.cancel_enrolment(referent, enrolments[1])


def test_a_staff_members_request_waits_for_its_referent(world, course):
    edition, people = course
    staff = persona_actor(world, "personale_comune")
    request = services.request_enrolment(staff, edition)
    assert request.person == people[3] and request.state == EnrolmentState.REQUESTED
    with pytest.raises(PermissionDenied):
        services.decide_request(staff, request, approve=True)
    decided = services.decide_request(persona_actor(world, "referente_comune"), request, approve=True)
    assert decided.state == EnrolmentState.ENROLLED
    with pytest.raises(ValidationError, match="già stata decisa"):
        services.decide_request(persona_actor(world, "referente_comune"), request, approve=False)
    outsider = persona_actor(world, "referente_unione")
    with pytest.raises(ValidationError, match="non è sul portale"):
        services.request_enrolment(outsider, edition)


def test_a_comune_reaches_only_its_own_staff_and_its_provinces_editions(world, course):
    edition, _people = course
    neighbours = make_staff(world.home.sibling_comune, 1)
    with pytest.raises(PermissionDenied):
        services.enrol(persona_actor(world, "referente_comune"), edition, neighbours[0])
    elsewhere = make_staff(world.elsewhere.comune, 1)
    with pytest.raises(PermissionDenied):
        services.enrol(persona_actor(world, "funzionario_formazione"), edition, elsewhere[0])
    # The Comune's own staff in another Province's edition (its catalogue is not the Comune's).
    other_edition = make_edition(make_module(world.elsewhere.province_org))
    with pytest.raises(ValidationError, match="territorio"):
        services.enrol(persona_actor(world, "referente_comune"), other_edition, _people[0])
    assert not Enrolment.objects.exists()


def test_the_register_refuses_a_session_not_held_and_minutes_beyond_its_length(world, course):
    edition, people = course
    enrolment = services.enrol(persona_actor(world, "referente_comune"), edition, people[0])
    office = persona_actor(world, "funzionario_formazione")
    future = edition.sessions.first()
    with pytest.raises(ValidationError, match="dopo l.inizio"):
        services.record_attendance(office, future, enrolment, 60)
    held = Session.objects.create(
        edition=edition,
        starts_at=timezone.now() - timedelta(hours=3),
        ends_at=timezone.now() - timedelta(hours=1),
        place="Sala",
    )
    with pytest.raises(ValidationError) as refused:
        services.record_attendance(office, held, enrolment, 121)
    assert "120 minuti" in str(refused.value)
    assert services.record_attendance(office, held, enrolment, 110).minutes == 110
    assert services.record_attendance(office, held, enrolment, 120).minutes == 120  # corrected, not doubled
    assert held.attendances.count() == 1
    with pytest.raises(PermissionDenied):
        services.record_attendance(persona_actor(world, "referente_comune"), held, enrolment, 60)


def test_a_participant_signs_in_with_the_code_only_while_the_session_is_held(world, course):
    edition, people = course
    enrolment = services.enrol(persona_actor(world, "referente_comune"), edition, people[3])
    participant = persona_actor(world, "personale_comune")
    now = timezone.now()
    running = Session.objects.create(
        edition=edition,
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(minutes=90),
        place="Sala",
    )
    with pytest.raises(ValidationError, match="codice"):
        services.sign_in(participant, running, "ZZZZZZ")
    attendance = services.sign_in(participant, running, running.sign_in_code.lower())
    assert attendance.enrolment == enrolment and 88 <= attendance.minutes <= 90  # from now to the end
    with pytest.raises(ValidationError, match="mentre la sessione"):
        services.sign_in(participant, edition.sessions.order_by("-starts_at").first(), "ABCDEF")


def ledger_hours(actor, person, year) -> Decimal:
    """The person's hours of ``year`` as the ledger shows them to ``actor``."""
    return ledger.ledger_for(actor.user, year).get(pk=person.pk).hours


def test_completion_needs_the_attendance_and_gives_the_modules_hours_with_a_certificate(world):
    module = make_module(world.home.province_org, hours="4")
    edition = make_edition(module, seats=5, sessions=2, past=True, min_attendance_percent=75)
    people = make_staff(world.home.comune, 2)
    office = persona_actor(world, "funzionario_formazione")
    present, absent = (services.enrol(office, edition, person) for person in people)
    for session in edition.sessions.all():
        services.record_attendance(office, session, present, 120)
    services.record_attendance(office, edition.sessions.first(), absent, 120)  # 50 %: short of 75 %
    completions = services.complete_edition(office, edition)
    assert [c.person for c in completions] == [people[0]]
    completion = completions[0]
    assert completion.hours == Decimal("4.0") and len(completion.code) == 12
    assert ledger_hours(office, people[0], completion.completed_on.year) == Decimal("4.0")
    with pytest.raises(ValidationError, match="già completata"):
        services.complete_edition(office, edition)
    with pytest.raises(ValidationError):
        services.revoke_certificate(office, completion, " ")
    services.revoke_certificate(office, completion, "Presenze registrate per errore.")
    assert Completion.objects.get(pk=completion.pk).revoked_at is not None
    assert ledger_hours(office, people[0], completion.completed_on.year) == 0  # a revoked one counts no more
    assert AuditEvent.objects.filter(action="training.certificate.revoke").count() == 1


def test_an_edition_is_not_completed_before_its_last_session(world, course):
    edition, _people = course
    with pytest.raises(ValidationError, match="ultima sessione"):
        services.complete_edition(persona_actor(world, "funzionario_formazione"), edition)


def csv_file(*rows: str, name="syllabus.csv") -> SimpleUploadedFile:
    content = "\n".join(["fiscal_code;course;hours;date;provider", *rows]).encode()
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_imported_hours_are_idempotent_and_a_bad_fiscal_code_refuses_the_whole_file(world):
    people = make_staff(world.home.comune, 2)
    referent = persona_actor(world, "referente_comune")
    rows = (
        f"{FISCAL_CODES[0]};Competenze digitali - Sicurezza;6;2026-03-10;Syllabus",
        f"{FISCAL_CODES[1]};Competenze digitali - Dati;4,5;2026-04-02;Syllabus",
        f"{FISCAL_CODES[4]};Corso;2;2026-04-02;Syllabus",  # not on the Comune's staff
    )
    bad = csv_file(*rows, "RSSMRA80A01H501X;Corso;2;2026-04-02;Syllabus")
    with pytest.raises(ValidationError, match="riga 5") as refused:
        services.import_external_hours(referent, world.home.comune, bad)
    assert "codice fiscale" in str(refused.value)
    assert not ExternalHours.objects.exists() and not ImportRun.objects.exists()

    first = services.import_external_hours(referent, world.home.comune, csv_file(*rows))
    assert first.added == 2 and [s["row"] for s in first.skipped] == [4]
    again = services.import_external_hours(referent, world.home.comune, csv_file(*rows))
    assert again.added == 0 and [s["row"] for s in again.skipped] == [2, 3, 4]
    assert "già importat" in again.skipped[0]["reason"]
    assert sorted(ExternalHours.objects.values_list("person", "hours")) == [
        (people[0].pk, Decimal("6.0")),
        (people[1].pk, Decimal("4.5")),
    ]
    assert [ledger_hours(referent, person, 2026) for person in people] == [Decimal("6.0"), Decimal("4.5")]
    with pytest.raises(PermissionDenied):
        services.import_external_hours(referent, world.home.sibling_comune, csv_file(*rows))
