"""The ledger's pages as their readers meet them: a person's own hours, the Comune's referent's and the
Province's training office's ledger (filters, order, pages, CSV and XLSX), the upload of hours from other
providers (a report of rows added and skipped; a bad file refused in Italian with nothing written)."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from casacomuni.training import ledger
from casacomuni.training.models import ExternalHours, ImportRun, StaffMember
from casacomuni.training.testing import FISCAL_CODES, make_staff

pytestmark = pytest.mark.django_db

YEAR = date.today().year


@pytest.fixture
def staff(world):
    """Three people of the home Comune (the first is the `personale_comune` persona) and one of the other
    Province; 41 h imported this year for the first, 2 h for the second."""
    people = make_staff(world.home.comune, 3, users=[world.personas["personale_comune"]])
    (foreign,) = make_staff(world.elsewhere.comune, 1)
    foreign.last_name = "Estranea"
    foreign.save()
    run = ImportRun.objects.create(organization=world.home.comune, file_name="syllabus.csv")
    for person, hours in ((people[0], "41"), (people[1], "2")):
        ExternalHours.objects.create(
            person=person,
            provider="Syllabus",
            course="Competenze digitali",
            hours=Decimal(hours),
            completed_on=date(YEAR, 1, 1),
            import_run=run,
        )
    ledger.refresh_hours([people[0].pk, people[1].pk], [YEAR])
    return people


@pytest.fixture
def as_persona(client, world):
    def act(persona):
        client.force_login(world.personas[persona])
        return client

    return act


def csv_upload(*rows, name="ore.csv"):
    lines = ["fiscal_code;course;hours;date;provider", *rows]
    return SimpleUploadedFile(name, "\n".join(lines).encode(), content_type="text/csv")


def test_the_person_reads_its_own_hours(as_persona, staff):
    response = as_persona("personale_comune").get(reverse("training:my_hours"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "41,0 / 40" in page
    assert "40 ore raggiunte" in page
    assert "Competenze digitali" in page


def test_a_person_without_a_staff_record_is_told_so(as_persona, staff):
    page = as_persona("referente_comune").get(reverse("training:my_hours")).content.decode()
    assert "Nessuna scheda del personale" in page


def test_the_referent_reads_its_comunes_staff_sorted_and_filtered(as_persona, staff):
    client = as_persona("referente_comune")
    page = client.get(reverse("training:ledger"), {"sort": "-hours"}).content.decode()
    assert "Estranea" not in page
    assert page.index("Cognome0") < page.index("Cognome1") < page.index("Cognome2")
    page = client.get(reverse("training:ledger"), {"sort": "hours"}).content.decode()
    assert page.index("Cognome2") < page.index("Cognome1") < page.index("Cognome0")
    page = client.get(reverse("training:ledger"), {"standing": "reached"}).content.decode()
    assert "Cognome0" in page and "Cognome1" not in page


def test_the_training_office_filters_its_territory_by_organisation(as_persona, world, staff):
    make_staff(world.home.province_org, 1)
    client = as_persona("funzionario_formazione")
    page = client.get(reverse("training:ledger")).content.decode()
    assert "Estranea" not in page and "4 persone" in page
    page = client.get(reverse("training:ledger"), {"organization": world.home.comune.pk}).content.decode()
    assert "3 persone" in page
    # Another Province's organisation is not a choice: the filter falls back to everybody of the territory.
    page = client.get(
        reverse("training:ledger"), {"organization": world.elsewhere.comune.pk}
    ).content.decode()
    assert "Estranea" not in page


def test_other_roles_have_no_ledger(as_persona, staff):
    for persona in ("personale_comune", "dirigente_upi", "funzionario_sua"):
        assert as_persona(persona).get(reverse("training:ledger")).status_code == 403


def test_the_ledger_pages_cost_the_same_queries_with_more_people(as_persona, world, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_persona("funzionario_formazione")
    client.get(reverse("training:ledger"))  # the first request of a session also stores it
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("training:ledger"))
    StaffMember.objects.bulk_create(
        StaffMember(
            organization=world.home.comune, fiscal_code=f"X{n:015d}", first_name="N", last_name=f"P{n}"
        )
        for n in range(80)
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("training:ledger"))
    assert "Pagina 1 di 2" in response.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_csv_and_xlsx_files_hold_the_filtered_people_and_no_formula(as_persona, world, staff):
    staff[2].last_name = "=HYPERLINK(1)"
    staff[2].save()
    client = as_persona("referente_comune")
    response = client.get(reverse("training:ledger_csv"), {"sort": "-hours"})
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Cognome;Nome;Ente")
    assert lines[1].startswith("Cognome0;Nome0;")
    assert "41.0" in lines[1] and "40 ore raggiunte" in lines[1]
    assert "'=HYPERLINK(1)" in text and "Estranea" not in text
    response = client.get(reverse("training:ledger_xlsx"), {"standing": "reached"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert len(rows) == 2 and rows[1][0] == "Cognome0"


def test_the_import_reports_rows_added_and_skipped(as_persona, world, staff):
    client = as_persona("referente_comune")
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    rows = [f"{FISCAL_CODES[1]};Privacy;3;{day};Syllabus", f"{FISCAL_CODES[5]};Privacy;3;{day};Syllabus"]
    response = client.post(
        reverse("training:import_hours"), {"organization": world.home.comune.pk, "file": csv_upload(*rows)}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 riga aggiunta" in page and "1 riga saltata" in page
    assert ExternalHours.objects.filter(person=staff[1], course="Privacy").count() == 1
    again = client.post(
        reverse("training:import_hours"), {"organization": world.home.comune.pk, "file": csv_upload(*rows)}
    ).content.decode()
    assert "0 righe aggiunte" in again and "già importat" in again


def test_a_bad_file_is_refused_in_italian_and_nothing_is_written(as_persona, world, staff):
    client = as_persona("referente_comune")
    before = ExternalHours.objects.count(), ImportRun.objects.count()
    bad = csv_upload(
        f"{FISCAL_CODES[1]};Privacy;3;2025-01-10;Syllabus", "RSSMRA80A01H501X;Privacy;3;2025-01-10;Syllabus"
    )
    response = client.post(
        reverse("training:import_hours"), {"organization": world.home.comune.pk, "file": bad}
    )
    assert response.status_code == 400
    assert (
        "Non è stato importato nulla" in response.content.decode()
        or "codice fiscale" in response.content.decode()
    )
    assert (ExternalHours.objects.count(), ImportRun.objects.count()) == before


def test_the_import_refuses_another_tenants_organisation(as_persona, world, staff):
    client = as_persona("referente_comune")
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        reverse("training:import_hours"),
        {"organization": world.home.sibling_comune.pk, "file": csv_upload(f"{FISCAL_CODES[1]};X;3;{day};S")},
    )
    assert response.status_code == 400
    assert not ExternalHours.objects.filter(course="X").exists()


def test_the_ledger_pages_speak_italian(as_persona, world, staff):
    """The pages are not linked from the navigation yet, so the Italian-pages walk does not reach them."""
    from casacomuni.web.testing import italian_problems

    client = as_persona("referente_comune")
    client.post(
        reverse("training:import_hours"),
        {"organization": world.home.comune.pk, "file": csv_upload(f"{FISCAL_CODES[5]};X;3;2025-01-10;S")},
    )
    pages = {
        name: client.get(reverse(name)).content.decode()
        for name in ("training:ledger", "training:import_hours")
    }
    pages["my_hours"] = as_persona("personale_comune").get(reverse("training:my_hours")).content.decode()
    for name, html in pages.items():
        assert not italian_problems(html), (name, italian_problems(html))
