"""Funded projects: created from a funded application or directly, CUP checked, parts added by the office and
the beneficiary, expenses with document and CIG, totals as annotations, the procurement request carrying the
CUP, the OpenCoesione CSV, the dashboard card with the PNRR deadline."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casacomuni.accounts.actor import Actor
from casacomuni.agreements.services import AdhesionRequired
from casacomuni.audit.models import AuditEvent
from casacomuni.procurement.requests.models import ProcurementRequest
from casacomuni.procurement.testing import sua_adhesion
from casacomuni.projects.cards import projects_card
from casacomuni.projects.funded import exports
from casacomuni.projects.funded import services as project_services
from casacomuni.projects.models import Expense, FundedProject
from casacomuni.projects.rules import pipeline, pnrr
from casacomuni.projects.testing import PDF, VALID_CIG, add_projects, make_application, make_project

pytestmark = pytest.mark.django_db

CUP = "G59F19000090007"


def actor(world, persona):
    user = world.acting(persona)
    return Actor(user=user, membership=user.acting_as)


@pytest.fixture
def funded(world):
    return make_application(
        world.home.comune,
        world.home.province_org,
        status=pipeline.FUNDED,
        requested_amount=Decimal("300000"),
        granted_amount=Decimal("280000.00"),
    )


def project_data(**fields) -> project_services.ProjectData:
    data = {"cup": CUP, "title": "Scuola", "programme": "PR FESR", "status": "ongoing"} | fields
    return project_services.ProjectData(**data)


def test_a_funded_application_becomes_a_project_with_its_financing(world, funded):
    project = project_services.create_project(
        actor(world, "funzionario_europa"),
        project_services.ProjectData(cup=CUP.lower(), financing_source="region"),
        funded,
    )
    assert project.cup == CUP
    assert project.beneficiary == world.home.comune and project.province == world.home.province_org
    assert project.title == funded.title and project.programme == funded.call.programme
    assert [(f.source, f.amount) for f in project.financing.all()] == [("region", Decimal("280000.00"))]
    assert AuditEvent.objects.filter(action="funded_project.create", organization=world.home.comune).exists()
    with pytest.raises(ValidationError):
        project_services.create_project(
            actor(world, "funzionario_europa"), project_services.ProjectData(cup="G59F19000090008"), funded
        )


def test_only_a_funded_application_becomes_a_project(world):
    application = make_application(world.home.comune, world.home.province_org, status=pipeline.SUBMITTED)
    with pytest.raises(ValidationError):
        project_services.create_project(actor(world, "funzionario_europa"), project_data(), application)
    assert not FundedProject.objects.exists()


@pytest.mark.parametrize("cup", ["", "000000000000000", "G59F1900009000", "159F19000090007"])
def test_a_bad_cup_is_refused(world, cup):
    with pytest.raises(ValidationError) as refused:
        project_services.create_project(
            actor(world, "funzionario_europa"), project_data(cup=cup, beneficiary=world.home.comune.pk)
        )
    assert "cup" in refused.value.message_dict
    assert not FundedProject.objects.exists()


def test_the_office_enters_a_project_for_its_comuni_only(world):
    office = actor(world, "funzionario_europa")
    project = project_services.create_project(office, project_data(beneficiary=world.home.union.pk))
    assert project.beneficiary == world.home.union
    with pytest.raises(ValidationError):
        project_services.create_project(
            office, project_data(cup="G59F19000090009", beneficiary=world.elsewhere.comune.pk)
        )
    with pytest.raises(PermissionDenied):
        project_services.create_project(
            actor(world, "referente_comune"), project_data(beneficiary=world.home.comune.pk)
        )


def test_a_change_keeps_the_fields_it_leaves_out_and_clears_those_it_sets_to_none(world):
    project = make_project(world.home.comune, world.home.province_org, actual_end_date=date(2026, 5, 1))
    office = actor(world, "funzionario_europa")
    project_services.update_project(office, project, project_services.ProjectData(status="completed"))
    project.refresh_from_db()
    assert (project.status, project.measure) == ("completed", "M2C4I2.2")
    assert project.title.startswith("Progetto finanziato di") and project.actual_end_date == date(2026, 5, 1)
    project_services.update_project(office, project, project_services.ProjectData(actual_end_date=None))
    project.refresh_from_db()
    assert project.actual_end_date is None and project.status == "completed"


def test_parts_and_totals(world):
    project = make_project(world.home.comune, world.home.province_org, is_pnrr=True)
    office, comune = actor(world, "funzionario_europa"), actor(world, "referente_comune")
    today = timezone.localdate()
    project_services.add_item(office, project, "financing", {"source": "eu", "amount": "200000"})
    project_services.add_item(office, project, "financing", {"source": "comune", "amount": "50000"})
    project_services.add_item(office, project, "financing", {"source": "private", "amount": "10000"})
    with pytest.raises(PermissionDenied):
        project_services.add_item(comune, project, "financing", {"source": "eu", "amount": "1"})
    project_services.add_item(
        comune,
        project,
        "movement",
        {"kind": "commitment", "amount": "150000", "date": today, "document": "Det. 1"},
    )
    project_services.add_item(
        comune,
        project,
        "movement",
        {"kind": "payment", "amount": "40000", "date": today, "document": "Mandato 7"},
    )
    project_services.add_item(
        comune, project, "milestone", {"kind": "target", "description": "Lavori aggiudicati", "due_on": today}
    )
    project_services.add_item(
        comune,
        project,
        "check",
        {"kind": "dnsh", "passed": True, "checked_on": today, "checked_by": "Ing. Rossi"},
    )
    project_services.add_item(
        comune,
        project,
        "check",
        {"kind": "dnsh", "passed": False, "checked_on": today, "checked_by": "Ing. Bianchi"},
    )
    assert project.checks.get().checked_by == "Ing. Bianchi"
    with pytest.raises(ValidationError) as refused:
        project_services.add_item(
            comune, project, "movement", {"kind": "payment", "amount": "-5", "date": today, "document": "x"}
        )
    assert "amount" in refused.value.message_dict
    with pytest.raises(ValidationError):
        project_services.add_item(
            comune, project, "period", {"starts_on": today, "ends_on": today - timedelta(days=1)}
        )
    period = project_services.add_item(
        comune, project, "period", {"starts_on": today.replace(day=1), "ends_on": today}
    )
    expense = project_services.add_expense(
        comune,
        project,
        period.pk,
        project_services.ExpenseData(
            description="SAL 1", amount="30000.00", date=today, cig=VALID_CIG.lower()
        ),
        SimpleUploadedFile("sal.pdf", PDF),
    )
    assert expense.cig == VALID_CIG and expense.file.read() == PDF
    with pytest.raises(ValidationError) as refused:
        project_services.add_expense(
            comune,
            project,
            period.pk,
            project_services.ExpenseData(description="x", amount="1", date=today, cig="B00012EADA"),
            SimpleUploadedFile("a.pdf", PDF),
        )
    assert "cig" in refused.value.message_dict
    with pytest.raises(ValidationError):
        project_services.add_expense(
            comune,
            project,
            period.pk,
            project_services.ExpenseData(description="x", amount="1", date=today - timedelta(days=40)),
            SimpleUploadedFile("a.pdf", PDF),
        )
    assert Expense.objects.count() == 1
    totals = FundedProject.objects.with_totals().get(pk=project.pk)
    assert totals.fin_total == Decimal("260000.00")
    assert totals.fin_public == Decimal("250000.00")
    assert totals.fin_eu == Decimal("200000.00") and totals.fin_state == 0
    assert totals.commitments == Decimal("150000.00") and totals.payments == Decimal("40000.00")
    assert totals.expenses_total == Decimal("30000.00")


def test_milestones_belong_to_pnrr_projects(world):
    project = make_project(world.home.comune, world.home.province_org, is_pnrr=False)
    with pytest.raises(ValidationError):
        project_services.add_item(
            actor(world, "funzionario_europa"),
            project,
            "milestone",
            {"kind": "target", "description": "x", "due_on": date(2026, 6, 30)},
        )


def test_another_provinces_office_cannot_write(world):
    project = make_project(world.elsewhere.comune, world.elsewhere.province_org)
    with pytest.raises(PermissionDenied):
        project_services.add_item(
            actor(world, "funzionario_europa"), project, "budget_line", {"description": "x", "amount": "1"}
        )


def test_one_click_sends_a_procurement_request_with_the_cup(world, login_as):
    project = make_project(world.home.comune, world.home.province_org, cup=CUP, is_pnrr=True)
    data = {
        "procurement-contract_kind": "works",
        "procurement-cpv_code": "45214210",
        "procurement-base_amount": "150000",
        "procurement-rup_name": "Ing. Paolo Ferrari",
        "procurement-description": "",
    }
    client = login_as("referente_comune")
    url = reverse("projects:project_procurement", args=[project.pk])
    assert client.post(url, data).status_code == 403  # no SUA adhesion yet
    assert not ProcurementRequest.objects.exists()
    sua_adhesion(world.home, world.home.comune)
    response = client.post(url, data)
    request = ProcurementRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("procurement:request_detail", args=[request.pk])
    assert (request.cup, request.pnrr, request.funding_source, request.title) == (
        CUP,
        True,
        "pnrr",
        project.title,
    )
    assert request.municipality == world.home.comune
    assert login_as("funzionario_europa").post(url, data).status_code == 403


def test_one_click_needs_the_beneficiary(world):
    project = make_project(world.home.comune, world.home.province_org)
    with pytest.raises(PermissionDenied):
        project_services.request_procurement(actor(world, "referente_unione"), project, works())
    with pytest.raises(AdhesionRequired):
        project_services.request_procurement(actor(world, "referente_comune"), project, works())


def works() -> project_services.ProcurementData:
    return project_services.ProcurementData(
        contract_kind="works", cpv_code="45214210", base_amount="1000", rup_name="R"
    )


def test_the_project_page_adds_an_expense(world, login_as):
    objects = add_projects(world.home)
    project, period = objects["project"], objects["period"]
    client = login_as("referente_comune")
    response = client.post(
        reverse("projects:project_expense_add", args=[project.pk]),
        {
            "expense-period": period.pk,
            "expense-description": "Fattura lavori",
            "expense-amount": "1000.50",
            "expense-date": timezone.localdate().isoformat(),
            "expense-cig": "",
            "expense-file": SimpleUploadedFile("fattura.pdf", PDF),
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("projects:project_detail", args=[project.pk]))
    assert page.status_code == 200
    assert page.context["project"].expenses_total == Decimal("13000.50")
    expense = Expense.objects.get(description="Fattura lavori")
    url = reverse("projects:project_expense_document", args=[project.pk, expense.pk])
    assert login_as("funzionario_europa").get(url).status_code == 200
    assert login_as("referente_unione").get(url).status_code == 404


def test_an_expense_refused_for_its_date_keeps_its_document_for_the_next_try(world, login_as):
    objects = add_projects(world.home)
    project, period = objects["project"], objects["period"]
    client = login_as("referente_comune")
    url = reverse("projects:project_expense_add", args=[project.pk])
    data = {
        "expense-period": period.pk,
        "expense-description": "Fattura lavori",
        "expense-amount": "1000.50",
        "expense-date": (period.ends_on + timedelta(days=1)).isoformat(),
    }
    response = client.post(url, data | {"expense-file": SimpleUploadedFile("fattura.pdf", PDF)})
    assert response.status_code == 400
    kept = response.context["expense_form"].kept_uploads["file"]
    assert "Già caricato: <strong>fattura.pdf</strong>" in response.content.decode()

    data |= {"expense-date": period.ends_on.isoformat(), "expense-file-kept": str(kept.pk)}
    assert client.post(url, data).status_code == 302
    assert Expense.objects.get(description="Fattura lavori").file.read() == PDF


def test_project_pages_of_other_tenants_are_not_found(world, login_as):
    foreign = add_projects(world.elsewhere)["project"]
    for persona in ("referente_comune", "funzionario_europa", "referente_unione"):
        client = login_as(persona)
        assert client.get(reverse("projects:project_detail", args=[foreign.pk])).status_code == 404
    assert (
        login_as("dirigente_upi").get(reverse("projects:project_detail", args=[foreign.pk])).status_code
        == 403
    )


def test_the_list_costs_the_same_with_one_or_many_projects(world, login_as):
    client = login_as("funzionario_europa")
    url = reverse("projects:project_list")
    add_projects(world.home)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for number in range(2, 8):
        project = make_project(world.home.sibling_comune, world.home.province_org, number=number)
        project.financing.create(source="eu", amount=Decimal("1000"))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(one)


def test_the_csv_has_opencoesione_columns(world, login_as):
    objects = add_projects(world.home)
    add_projects(world.elsewhere)
    response = login_as("funzionario_europa").get(reverse("projects:projects_csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode()), delimiter=";"))
    assert list(rows[0]) == exports.COLUMNS
    assert len(rows) == 1
    row = rows[0]
    assert row["CUP"] == objects["project"].cup
    assert row["OC_STATO_PROGETTO"] == "In corso"
    assert row["FINANZ_UE"] == "200000,00" and row["FINANZ_TOTALE_PUBBLICO"] == "200000,00"
    assert row["IMPEGNI"] == "150000,00" and row["TOT_PAGAMENTI"] == "0,00"
    assert row["COD_COMUNE"] == world.home.comune.municipality.istat_code
    assert login_as("dirigente_upi").get(reverse("projects:projects_csv")).status_code == 403


def test_formulas_are_neutralised_in_the_csv(world):
    project = make_project(world.home.comune, world.home.province_org, title='=HYPERLINK("x")')
    row = exports.project_row(
        FundedProject.objects.with_totals()
        .select_related("beneficiary__municipality", "province__province")
        .get(pk=project.pk)
    )
    assert row[exports.COLUMNS.index("OC_TITOLO_PROGETTO")].startswith("'=")


def test_the_dashboard_card_shows_the_pnrr_deadline(world, login_as):
    add_projects(world.home)
    card = projects_card(world.acting("referente_comune"), world.memberships["referente_comune"])
    assert card["pnrr_deadline"] == pnrr.next_update_deadline(timezone.localdate())
    assert card["projects"] == 1 and card["applications"] == 1
    assert projects_card(world.acting("dirigente_upi"), world.memberships["dirigente_upi"]) is None
    page = login_as("referente_comune").get(reverse("web:dashboard"))
    assert 'id="pnrr-deadline"' in page.content.decode()
