"""The help desk's services: the adhesion gate, the clocks in working hours through the workflow, the files,
who takes which step, the automatic closing and the notices."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casacomuni.agreements.services import AdhesionRequired
from casacomuni.helpdesk import services, tasks
from casacomuni.helpdesk.models import Entry, HelpRequest, HelpService
from casacomuni.helpdesk.rules import workflow
from casacomuni.helpdesk.testing import make_categories, open_sua_request, pdf_upload

pytestmark = pytest.mark.django_db


def rome(text: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(text))


def open_at(desk, when: str, **kwargs) -> HelpRequest:
    data = services.RequestData(
        service=HelpService.SUA,
        category=desk.categories[HelpService.SUA],  # 8 working hours to answer, 40 to resolve
        subject="Documenti per la gara della palestra",
        description="Quali allegati servono?",
    )
    return services.open_request(
        desk.actor("referente_comune"), data, kwargs.get("uploads", ()), now=rome(when)
    )


def test_a_comune_that_has_not_joined_the_service_is_refused_and_nothing_is_written(desk):
    data = services.RequestData(
        service=HelpService.EU_FUNDS,
        category=desk.categories[HelpService.EU_FUNDS],
        subject="Bando PNRR asili nido",
        description="Possiamo partecipare?",
    )
    with pytest.raises(AdhesionRequired):
        services.open_request(desk.actor("referente_comune"), data)
    assert not HelpRequest.objects.exists()


def test_training_and_other_questions_need_no_adhesion(desk):
    data = services.RequestData(
        service=HelpService.OTHER,
        category=desk.categories[HelpService.OTHER],
        subject="Accesso alla piattaforma",
        description="Come si aggiunge un collega?",
    )
    assert services.open_request(desk.actor("personale_comune"), data).state == "new"


def test_due_times_are_in_working_hours_from_the_opening(desk):
    # Friday 4 December 2026 at 16:00: one hour on Friday, then Monday 7; 8 December is a holiday.
    request = open_at(desk, "2026-12-04 16:00")
    assert request.first_answer_due_at == rome("2026-12-07 17:00")  # 1 + 7 hours
    assert request.resolution_due_at == rome("2026-12-15 13:00")  # 1 + 7 + 7×4 (9–14 Dec) + 4
    assert request.next_due_at == request.first_answer_due_at
    # At risk when 2 working hours are left (20 % of 8 would be less): Monday at 15:00.
    assert request.next_warn_at == rome("2026-12-07 15:00")


def test_the_clock_stops_while_the_office_waits_for_the_comune(desk):
    request = open_at(desk, "2026-03-02 09:00")
    assert request.resolution_due_at == rome("2026-03-09 15:00")  # 40 hours: five days and five hours
    office, comune = desk.actor("funzionario_sua"), desk.actor("referente_comune")
    request = services.take_step(
        office, request, workflow.ASK_INFO, body="Inviate il quadro economico.", now=rome("2026-03-02 11:00")
    )
    assert (request.state, request.next_due_at) == ("waiting", None)
    assert request.first_answer_working_hours == Decimal("2.00")
    request = services.take_step(
        comune, request, workflow.ANSWER, body="Allegato.", now=rome("2026-03-03 10:00")
    )
    # Paused from Monday 11:00 to Tuesday 10:00: 2 + 3 + 1 = 6 working hours, added to the resolution's due time.
    assert request.state == "in_progress"
    assert request.paused_seconds == 6 * 3600
    assert request.resolution_due_at == rome("2026-03-10 13:00")
    assert request.next_due_at == request.resolution_due_at
    request = services.take_step(
        office, request, workflow.RESOLVE, body="Ecco.", now=rome("2026-03-03 12:00")
    )
    # 7 hours on Monday and 3 on Tuesday, less the 6 paused.
    assert request.resolution_working_hours == Decimal("4.00")


def test_the_comune_reopens_then_confirms_and_rates(desk):
    request = open_at(desk, "2026-03-02 09:00")
    office, comune = desk.actor("funzionario_sua"), desk.actor("referente_comune")
    services.take_step(office, request, workflow.ASSIGN, assignee=office.user, now=rome("2026-03-02 09:30"))
    services.take_step(office, request, workflow.RESOLVE, body="Vedi art. 50.", now=rome("2026-03-02 10:00"))
    request = services.take_step(
        comune, request, workflow.REOPEN, body="Manca il modello.", now=rome("2026-03-02 11:00")
    )
    assert (request.state, request.resolution_due_at) == (
        "in_progress",
        rome("2026-03-09 16:00"),
    )  # +1 h paused
    services.take_step(
        office, request, workflow.RESOLVE, body="Allegato il modello.", now=rome("2026-03-02 12:00")
    )
    request = services.take_step(
        comune, request, workflow.CLOSE, rating=4, body="Grazie", now=rome("2026-03-02 15:00")
    )
    assert (request.state, request.rating, request.rating_comment) == ("closed", 4, "Grazie")
    kinds = list(request.entries.values_list("kind", flat=True))
    assert kinds == ["opened", "assigned", "resolved", "reopened", "resolved", "closed"]


def test_a_step_out_of_turn_or_by_the_wrong_side_is_refused(desk):
    request = open_at(desk, "2026-03-02 09:00")
    with pytest.raises(ValidationError):  # nothing to reopen yet
        services.take_step(desk.actor("referente_comune"), request, workflow.REOPEN, body="No")
    with pytest.raises(PermissionDenied):  # the Comune does not resolve its own request
        services.take_step(desk.actor("referente_comune"), request, workflow.RESOLVE, body="Fatto")
    with pytest.raises(PermissionDenied):  # the EU-funds office does not work the SUA's queue
        services.take_step(desk.actor("funzionario_europa"), request, workflow.REPLY, body="Ciao")
    with pytest.raises(ValidationError):  # an assignee from outside the office
        services.take_step(
            desk.actor("funzionario_sua"),
            request,
            workflow.ASSIGN,
            assignee=desk.personas["funzionario_dati"],
        )
    request.refresh_from_db()
    assert (request.state, request.entries.count()) == ("new", 1)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bando.pdf", b"MZ\x90\x00 an executable", "non è un file PDF, DOCX o ODT"),
        ("foto.exe", b"%PDF-1.4", "non è un file PDF, DOCX o ODT"),
        ("vuoto.pdf", b"", "è vuoto"),
    ],
)
def test_files_are_checked_by_their_bytes(desk, name, content, message):
    with pytest.raises(ValidationError, match=message):
        open_at(desk, "2026-03-02 09:00", uploads=[SimpleUploadedFile(name, content)])
    assert not HelpRequest.objects.exists()


def test_too_many_or_too_large_files_are_refused(desk, monkeypatch):
    with pytest.raises(ValidationError, match="al massimo 5 file"):
        open_at(desk, "2026-03-02 09:00", uploads=[pdf_upload(f"d{n}.pdf") for n in range(6)])
    monkeypatch.setattr(services, "MAX_ATTACHMENT_BYTES", 100)
    with pytest.raises(ValidationError, match="supera i 10 MB"):
        open_at(desk, "2026-03-02 09:00", uploads=[pdf_upload()])
    assert not HelpRequest.objects.exists()


def test_the_internal_note_is_never_read_by_the_comune(desk):
    request = open_sua_request(desk.actor("referente_comune"), desk.categories[HelpService.SUA], "Gara mensa")
    services.take_step(
        desk.actor("funzionario_sua"), request, workflow.NOTE, body="Comune in ritardo col DUP"
    )
    comune = Entry.objects.for_user(desk.acting("referente_comune")).filter(request=request)
    office = Entry.objects.for_user(desk.acting("funzionario_sua")).filter(request=request)
    assert [e.kind for e in comune] == ["opened"]
    assert [e.kind for e in office] == ["opened", "note"]


def test_resolved_requests_close_by_themselves_after_ten_days(desk):
    old, recent = (open_at(desk, "2026-03-02 09:00") for _ in range(2))
    office = desk.actor("funzionario_sua")
    now = timezone.now()
    services.take_step(office, old, workflow.RESOLVE, body="Fatto", now=now - timedelta(days=11))
    services.take_step(office, recent, workflow.RESOLVE, body="Fatto", now=now - timedelta(days=9))
    assert services.close_stale_resolved(now) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.state, recent.state) == ("closed", "resolved")
    assert old.entries.last().kind == "auto_closed"


def test_the_queue_knows_what_is_at_risk_late_and_due(desk):
    request = open_at(desk, "2026-12-04 16:00")  # first answer due Monday 7 at 17:00, at risk from 15:00
    queue = HelpRequest.objects.for_user(desk.acting("funzionario_sua"))
    assert not queue.at_risk(rome("2026-12-07 14:59")).exists()
    assert queue.at_risk(rome("2026-12-07 15:00")).get() == request
    assert queue.breached(rome("2026-12-07 17:00")).get() == request
    assert queue.due_between(rome("2026-12-07 00:00"), rome("2026-12-08 00:00")).get() == request
    assert (
        queue.due_between(rome("2026-12-15 00:00"), rome("2026-12-16 00:00")).get() == request
    )  # resolution
    assert not queue.due_between(rome("2026-12-08 00:00"), rome("2026-12-15 00:00")).exists()


def test_each_side_is_told_of_the_steps_it_must_see(
    desk, mailoutbox, django_capture_on_commit_callbacks, immediate_tasks
):
    office, comune = desk.actor("funzionario_sua"), desk.actor("referente_comune")
    with django_capture_on_commit_callbacks(execute=True):
        request = open_sua_request(comune, desk.categories[HelpService.SUA], "Gara scuolabus")
    # the SUA's people: its officer and the Province's administrator
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        desk.personas[p].email for p in ("funzionario_sua", "amministratore_provincia")
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.take_step(office, request, workflow.NOTE, body="Solo per noi")
        services.take_step(office, request, workflow.REPLY, body="Serve il CUP")
    assert [m.to for m in mailoutbox] == [[comune.user.email]]
    assert "Serve il CUP" in mailoutbox[0].body and "Solo per noi" not in mailoutbox[0].body


def test_the_assignee_is_reminded_once_of_a_request_at_risk(desk, mailoutbox, immediate_tasks):
    office = desk.actor("funzionario_sua")
    request = open_at(desk, "2026-03-02 09:00")
    services.take_step(office, request, workflow.ASSIGN, assignee=office.user, now=rome("2026-03-02 09:10"))
    HelpRequest.objects.filter(pk=request.pk).update(
        next_warn_at=timezone.now() - timedelta(hours=1), next_due_at=timezone.now() + timedelta(hours=1)
    )
    mailoutbox.clear()
    assert tasks.send_at_risk_reminders.call() == 1
    assert tasks.send_at_risk_reminders.call() == 0
    assert [m.to for m in mailoutbox] == [[office.user.email]]


def test_categories_of_another_province_cannot_be_used(desk):
    elsewhere = make_categories(desk.elsewhere.province_org)
    data = services.RequestData(
        service=HelpService.OTHER, category=elsewhere[HelpService.OTHER], subject="x", description="y"
    )
    with pytest.raises(PermissionDenied):
        services.open_request(desk.actor("referente_comune"), data)


def test_the_reminders_command_closes_stale_requests(desk, immediate_tasks):
    from django.core.management import call_command

    office = desk.actor("funzionario_sua")
    stale = open_at(desk, "2026-03-02 09:00")
    services.take_step(office, stale, workflow.RESOLVE, body="Fatto", now=timezone.now() - timedelta(days=30))
    call_command("helpdesk_reminders", stdout=None)
    stale.refresh_from_db()
    assert stale.state == "closed"


def test_a_unione_reads_its_own_requests_only(desk):
    union = services.RequestData(
        service=HelpService.OTHER,
        category=desk.categories[HelpService.OTHER],
        subject="Unione",
        description="?",
    )
    own = services.open_request(desk.actor("referente_unione"), union)
    comune = open_sua_request(desk.actor("referente_comune"), desk.categories[HelpService.SUA], "Comune")
    assert list(HelpRequest.objects.for_user(desk.acting("referente_unione"))) == [own]
    assert list(HelpRequest.objects.for_user(desk.acting("referente_comune"))) == [comune]
    assert set(HelpRequest.objects.for_user(desk.acting("amministratore_provincia"))) == {own, comune}
    assert not HelpRequest.objects.for_user(desk.acting("dirigente_upi")).exists()


def test_the_calendar_leaves_out_the_resolution_of_a_request_waiting_for_the_comune(desk):
    request = open_at(desk, "2026-12-04 16:00")  # resolution due Tuesday 15 December at 13:00
    services.take_step(
        desk.actor("funzionario_sua"),
        request,
        workflow.ASK_INFO,
        body="Il CIG?",
        now=rome("2026-12-04 16:30"),
    )
    queue = HelpRequest.objects.for_user(desk.acting("referente_comune"))
    assert not queue.due_between(rome("2026-12-15 00:00"), rome("2026-12-16 00:00")).exists()
