"""The training office's files of an edition: the attendance register (people × sessions with the minutes, the
share attended, the outcome) and the certificates, as CSV and XLSX; values only, never a formula; for the
office that runs the edition only; linked from the edition's page."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from casacomuni.training.models import Attendance, Completion, EditionState, Enrolment, EnrolmentState
from casacomuni.training.testing import make_edition, make_module, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition(world):
    """An edition of two held sessions of 120 minutes, three participants: the first attended both (certified,
    the certificate revoked later), the second one session, the third's name reads as a formula."""
    edition = make_edition(make_module(world.home.province_org), seats=5, past=True)
    people = make_staff(world.home.comune, 3)
    people[2].last_name = '=HYPERLINK("http://example.org")'
    people[2].save()
    sessions = list(edition.sessions.order_by("starts_at"))
    enrolments = [
        Enrolment.objects.create(
            edition=edition, person=person, state=EnrolmentState.ENROLLED, requested_at=timezone.now()
        )
        for person in people
    ]
    for enrolment, minutes in zip(enrolments, ((120, 100), (120, None), (0, 0)), strict=True):
        for session, value in zip(sessions, minutes, strict=True):
            if value is not None:
                Attendance.objects.create(
                    session=session, enrolment=enrolment, minutes=value, method="register"
                )
    Completion.objects.create(
        enrolment=enrolments[0],
        person=people[0],
        completed_on=date(2026, 3, 2),
        hours=Decimal(12),
        code="ABCDEFGHJKLM",
        revoked_at=timezone.now() - timedelta(days=1),
        revocation_reason="+errore di registrazione",
    )
    return edition


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def xlsx_rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(response.content))
    return list(workbook.active.iter_rows(values_only=True))


def test_the_register_lists_minutes_per_session_attendance_and_outcome(client, world, edition):
    client.force_login(world.personas["funzionario_formazione"])
    rows = csv_rows(client.get(reverse("training:register_csv", args=[edition.pk])))
    assert rows[0][:3] == ["Cognome", "Nome", "Ente"]
    assert rows[0][-3:] == ["Minuti di presenza", "Frequenza (%)", "Esito"]
    assert len(rows[0]) == 8  # two sessions
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["Nome0"][3:] == [
        "120",
        "100",
        "220",
        "91,6",
        "Completato, attestato ABCDEFGHJKLM (revocato)",
    ]
    assert by_name["Nome1"][3:7] == ["120", "", "120", "50,0"]
    assert by_name["Nome1"][7] == "frequenza sotto il minimo"
    assert by_name["Nome2"][0] == '\'=HYPERLINK("http://example.org")'


def test_the_register_of_a_completed_edition_says_who_did_not_complete(client, world, edition):
    edition.state = EditionState.COMPLETED
    edition.save()
    client.force_login(world.personas["funzionario_formazione"])
    rows = csv_rows(client.get(reverse("training:register_csv", args=[edition.pk])))
    assert {row[1]: row[-1] for row in rows[1:]}["Nome1"] == "Non completato: frequenza sotto il minimo"


def test_the_register_as_a_spreadsheet_holds_values_not_formulas(client, world, edition):
    client.force_login(world.personas["funzionario_formazione"])
    rows = xlsx_rows(client.get(reverse("training:register_xlsx", args=[edition.pk])))
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["Nome0"][3:6] == (120, 100, 220)
    assert by_name["Nome2"][0] == '\'=HYPERLINK("http://example.org")'
    assert not any(isinstance(cell, str) and cell.startswith("=") for row in rows for cell in row)


def test_the_certificates_file_lists_code_person_hours_day_and_revocation(client, world, edition):
    client.force_login(world.personas["funzionario_formazione"])
    rows = csv_rows(client.get(reverse("training:completions_csv", args=[edition.pk])))
    assert rows[0] == [
        "Codice dell'attestato",
        "Cognome",
        "Nome",
        "Ente",
        "Ore",
        "Conseguito il",
        "Revocato il",
        "Motivo della revoca",
    ]
    (row,) = rows[1:]
    assert row[:6] == ["ABCDEFGHJKLM", "Cognome0", "Nome0", world.home.comune.name, "12,0", "2026-03-02"]
    assert row[6] == timezone.localdate(Completion.objects.get().revoked_at).isoformat()
    assert row[7] == "'+errore di registrazione"
    sheet = xlsx_rows(client.get(reverse("training:completions_xlsx", args=[edition.pk])))
    assert sheet[1][0] == "ABCDEFGHJKLM" and sheet[1][4] == 12
    assert sheet[1][7] == "'+errore di registrazione"


def test_only_the_office_running_the_edition_downloads_its_files(client, world, edition):
    names = ("register_csv", "register_xlsx", "completions_csv", "completions_xlsx")
    client.force_login(world.personas["referente_comune"])
    for name in names:
        assert client.get(reverse(f"training:{name}", args=[edition.pk])).status_code == 403, name
    foreign = make_edition(make_module(world.elsewhere.province_org), past=True)
    client.force_login(world.personas["funzionario_formazione"])
    for name in names:
        assert client.get(reverse(f"training:{name}", args=[foreign.pk])).status_code == 404, name


def test_the_edition_page_links_the_files_for_the_office_only(client, world, edition):
    page = reverse("training:edition_detail", args=[edition.pk])
    client.force_login(world.personas["funzionario_formazione"])
    content = client.get(page).content.decode()
    for name in ("register_csv", "register_xlsx", "completions_csv", "completions_xlsx"):
        assert reverse(f"training:{name}", args=[edition.pk]) in content
    client.force_login(world.personas["referente_comune"])
    assert reverse("training:register_csv", args=[edition.pk]) not in client.get(page).content.decode()
