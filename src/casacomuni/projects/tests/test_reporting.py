"""Reporting periods and the cost plan: a statement once submitted is closed to new expenses; a cost plan
(budget lines) that does not add up to the financing is flagged on the page and in the API."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from casacomuni.accounts.actor import Actor
from casacomuni.projects.funded import services as project_services
from casacomuni.projects.models import BudgetLine, Expense, Financing, ProjectIndicator, ReportingPeriod
from casacomuni.projects.testing import PDF, make_project

pytestmark = pytest.mark.django_db

SUBMITTED = "La rendicontazione di questo periodo è stata presentata il"


@pytest.fixture
def project(world):
    return make_project(world.home.comune, world.home.province_org)


def periods(project):
    """A first quarter whose statement was submitted on 10 April, and an open second quarter."""
    year = timezone.localdate().year
    closed = ReportingPeriod.objects.create(
        project=project, starts_on=date(year, 1, 1), ends_on=date(year, 3, 31), submitted_on=date(year, 4, 10)
    )
    open_ = ReportingPeriod.objects.create(
        project=project, starts_on=date(year, 4, 1), ends_on=date(year, 6, 30)
    )
    return closed, open_


def expense_data(day):
    return {"description": "Fattura n. 12", "amount": "2500.00", "date": day, "cig": ""}


def expense(day) -> project_services.ExpenseData:
    return project_services.ExpenseData(**expense_data(day))


def test_an_expense_for_a_submitted_statement_is_refused_and_nothing_is_written(world, project):
    closed, open_ = periods(project)
    user = world.acting("referente_comune")
    comune = Actor(user=user, membership=user.acting_as)
    with pytest.raises(ValidationError) as refused:
        project_services.add_expense(
            comune, project, closed.pk, expense(closed.ends_on), SimpleUploadedFile("f.pdf", PDF)
        )
    (message,) = refused.value.message_dict["period"]
    assert message.startswith(SUBMITTED) and f"{closed.submitted_on:%d/%m/%Y}" in message
    assert not Expense.objects.exists()
    project_services.add_expense(
        comune, project, open_.pk, expense(open_.starts_on), SimpleUploadedFile("f.pdf", PDF)
    )
    assert Expense.objects.get().period == open_


def post_expense(client, project, period, day):
    return client.post(
        reverse("projects:project_expense_add", args=[project.pk]),
        {
            "expense-period": period.pk,
            "expense-description": "Fattura n. 12",
            "expense-amount": "2500.00",
            "expense-date": day.isoformat(),
            "expense-cig": "",
            "expense-file": SimpleUploadedFile("fattura.pdf", PDF),
        },
    )


def test_the_page_offers_only_open_periods_and_refuses_a_submitted_one(world, project, login_as):
    closed, open_ = periods(project)
    client = login_as("referente_comune")
    form = client.get(reverse("projects:project_detail", args=[project.pk])).context["expense_form"]
    assert list(form.fields["period"].queryset) == [open_]

    response = post_expense(client, project, closed, closed.ends_on)

    assert response.status_code == 400
    errors = response.context["expense_form"].errors["period"]
    assert any("Scegli un periodo di rendicontazione aperto" in error for error in errors), errors
    assert not Expense.objects.exists()


def api_post_expense(client, project, period, day):
    return client.post(
        f"/api/v1/eufunds/projects/{project.pk}/expenses",
        {**expense_data(day.isoformat()), "period": period.pk, "file": SimpleUploadedFile("f.pdf", PDF)},
    )


def test_the_api_adds_an_expense_to_an_open_period_and_refuses_a_submitted_one(world, project, client):
    closed, open_ = periods(project)
    client.force_login(world.personas["referente_comune"])

    refused = api_post_expense(client, project, closed, closed.ends_on)
    assert refused.status_code == 409
    assert refused["Content-Type"].startswith("application/problem+json")
    assert refused.json()["detail"].startswith(SUBMITTED)
    assert not Expense.objects.exists()

    created = api_post_expense(client, project, open_, open_.starts_on)
    assert created.status_code == 201, created.content
    assert created.json()["description"] == "Fattura n. 12"
    assert Expense.objects.get().period == open_


def test_the_api_refuses_a_bad_expense_with_the_field_named(world, project, client):
    _closed, open_ = periods(project)
    client.force_login(world.personas["referente_comune"])
    response = api_post_expense(client, project, open_, open_.starts_on - timedelta(days=1))
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["date"]


def test_another_tenants_project_cannot_receive_an_expense(world, client):
    foreign = make_project(world.elsewhere.comune, world.elsewhere.province_org)
    _closed, open_ = periods(foreign)
    client.force_login(world.personas["referente_comune"])
    assert api_post_expense(client, foreign, open_, open_.starts_on).status_code == 404
    assert not Expense.objects.exists()


def cost_plan(project, financing, budget):
    Financing.objects.create(project=project, source="eu", amount=Decimal(financing))
    for amount in budget:
        BudgetLine.objects.create(project=project, description="Voce", amount=Decimal(amount))


def test_a_cost_plan_that_does_not_match_the_financing_is_flagged(world, project, login_as, client):
    cost_plan(project, "200000", ["150000", "30000"])
    page = login_as("funzionario_europa").get(reverse("projects:project_detail", args=[project.pk]))
    text = page.content.decode()
    assert (
        "Il piano dei costi (€\u00a0180.000,00) non corrisponde al finanziamento (€\u00a0200.000,00)" in text
    )
    assert "mancano €\u00a020.000,00" in text

    client.force_login(world.personas["funzionario_europa"])
    body = client.get(f"/api/v1/eufunds/projects/{project.pk}").json()
    assert Decimal(body["budget_total"]) == Decimal("180000")
    assert Decimal(body["cost_plan_gap"]) == Decimal("-20000")


def test_a_cost_plan_equal_to_the_financing_or_not_yet_written_is_not_flagged(world, project, login_as):
    client = login_as("funzionario_europa")
    url = reverse("projects:project_detail", args=[project.pk])
    Financing.objects.create(project=project, source="eu", amount=Decimal("200000"))
    assert "non corrisponde al finanziamento" not in client.get(url).content.decode()
    BudgetLine.objects.create(project=project, description="Lavori", amount=Decimal("200000"))
    assert "non corrisponde al finanziamento" not in client.get(url).content.decode()


def test_the_comune_records_the_submission_and_the_period_closes(world, project, login_as):
    _closed, open_ = periods(project)
    client = login_as("referente_comune")
    url = reverse("projects:project_statement_submit", args=[project.pk, open_.pk])
    field = f"statement-{open_.pk}-submitted_on"

    future = client.post(url, {field: (timezone.localdate() + timedelta(days=1)).isoformat()})
    assert future.status_code == 400 and "non può essere nel futuro" in future.content.decode()
    assert client.post(url, {field: open_.starts_on.isoformat()}).status_code == 302

    open_.refresh_from_db()
    assert open_.submitted_on == open_.starts_on
    assert "expense_form" not in client.get(reverse("projects:project_detail", args=[project.pk])).context
    again = client.post(url, {field: open_.starts_on.isoformat()})
    assert again.status_code == 400 and "già stata presentata" in again.content.decode()


def test_only_the_projects_parties_record_a_submission(world, login_as):
    foreign = make_project(world.elsewhere.comune, world.elsewhere.province_org)
    _closed, open_ = periods(foreign)
    url = reverse("projects:project_statement_submit", args=[foreign.pk, open_.pk])
    response = login_as("referente_comune").post(url, {f"statement-{open_.pk}-submitted_on": "2026-05-01"})
    assert response.status_code == 404
    open_.refresh_from_db()
    assert open_.submitted_on is None


def test_indicator_values_read_in_the_italian_format(project, login_as):
    ProjectIndicator.objects.create(
        project=project, name="Superficie riqualificata", unit="m²", planned=Decimal("1250.50"), achieved=None
    )
    page = login_as("funzionario_europa").get(reverse("projects:project_detail", args=[project.pk])).content
    # Through the formats filter, as every page: the decimals it has, "—" for a value not yet measured.
    assert '<td class="text-end">1.250,5</td><td class="text-end">—</td>' in page.decode()
