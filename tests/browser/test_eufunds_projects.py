"""From a call to a funded project in a real browser: the referent of Montebelluna flags interest in a call and
confirms it; the EU-funds officer of the Province of Treviso assesses it, forms the partnership with
Castelfranco Veneto, enters the requested amount, records the submission and the funding, records the funded
project with its CUP, opens a reporting period and records an expense with its invoice; the results page
shows the euros granted.

Every page visited must respect the strict CSP, raise no script error and pass axe (WCAG 2.1 AA). The
interface strings are translated after this test was written, so it finds fields by name and forms by the
URL they post to, and reads the figures by element id.
"""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.accounts.testing import PASSWORD
from casacomuni.projects.applications.models import ApplicationStatus
from casacomuni.projects.models import Application, Expense, FundedProject
from casacomuni.projects.testing import PDF, eu_funds_adhesion, make_call
from casacomuni.territory.models import Municipality, Province

pytestmark = pytest.mark.browser

CUP = "J41B22000120006"


@pytest.fixture
def treviso(territory):
    """The Province of Treviso with an EU-funds officer; Montebelluna (with a referent) joined its EU-funds
    office; Castelfranco Veneto exists as a Comune of the Province; one open call in the catalogue."""
    province = Province.objects.get(sigla="TV")
    province_org = Organization.objects.create(
        kind=OrganizationKind.PROVINCE, name="Provincia di Treviso", province=province
    )
    comuni = {
        name: Organization.objects.create(
            kind=OrganizationKind.MUNICIPALITY,
            name=f"Comune di {name}",
            province=province,
            municipality=Municipality.objects.current().get(name=name),
        )
        for name in ("Montebelluna", "Castelfranco Veneto")
    }
    eu_funds_adhesion(SimpleNamespace(province=province, province_org=province_org), comuni["Montebelluna"])
    referent = User.objects.create_user("referente_montebelluna", password=PASSWORD, first_name="Rita")
    Membership.objects.create(
        user=referent, organization=comuni["Montebelluna"], role=Role.MUNICIPALITY_REFERENT
    )
    officer = User.objects.create_user("europa_treviso", password=PASSWORD, first_name="Elena")
    Membership.objects.create(user=officer, organization=province_org, role=Role.EUFUNDS_OFFICER)
    call = make_call(
        title="Efficienza energetica degli edifici pubblici comunali", programme="PR FESR Veneto 2021-2027"
    )
    return referent, officer, call, comuni


@pytest.fixture
def invoice(tmp_path):
    path = tmp_path / "fattura-progettazione.pdf"
    path.write_bytes(PDF)
    return path


def italian(label) -> str:
    with translation.override("it"):
        return str(label)


def test_a_call_becomes_a_funded_project_with_its_expenses(
    checked_page, live_server, log_in, treviso, invoice
):
    referent, officer, call, comuni = treviso
    page = checked_page.page

    def url(name: str, *args) -> str:
        return live_server.url + reverse(name, args=args)

    def act(application, action: str, **fields) -> None:
        form = page.locator(
            f"form[action='{reverse('projects:application_action', args=[application.pk, action])}']"
        )
        for name, value in fields.items():
            form.locator(f"[name='{action}-{name}']").fill(value)
        form.locator("[type=submit]").click()
        expect(page).to_have_url(url("projects:application_detail", application.pk))

    def status_shown(status: ApplicationStatus) -> None:
        expect(page.locator("#application-status")).to_have_text(italian(status.label))
        checked_page.assert_clean()

    def open_details(form_selector: str):
        page.locator(f"details:has({form_selector}) > summary").click()
        return page.locator(form_selector)

    # The referent flags interest in the call and confirms it.
    log_in(referent)
    page.goto(url("projects:application_create"))
    checked_page.assert_clean()
    form = page.locator("main form[method=post]")
    form.locator("select[name=call]").select_option(str(call.pk))
    form.locator("[type=submit]").click()
    application = Application.objects.get()
    expect(page).to_have_url(url("projects:application_detail", application.pk))
    status_shown(ApplicationStatus.FLAGGED)
    act(application, "confirm")
    status_shown(ApplicationStatus.INTERESTED)

    # The officer finds it, assesses it, forms the partnership and submits it.
    page.context.clear_cookies()
    log_in(officer)
    page.goto(url("projects:application_list"))
    checked_page.assert_clean()
    page.get_by_role("main").get_by_role("link", name=application.title).click()
    expect(page).to_have_url(url("projects:application_detail", application.pk))
    checked_page.assert_clean()
    act(application, "assess")
    act(application, "design")
    status_shown(ApplicationStatus.DESIGNING)
    partner_form = open_details("#partner-form")
    partner_form.locator("select[name=partner-organization]").select_option(
        str(comuni["Castelfranco Veneto"].pk)
    )
    partner_form.locator("select[name=partner-role]").select_option("partner")
    partner_form.locator("[type=submit]").click()
    expect(page.locator("#partners")).to_contain_text("Comune di Castelfranco Veneto")
    checked_page.assert_clean()
    edit_form = open_details("#edit-form")
    edit_form.locator("input[name=edit-requested_amount]").fill("350000")
    edit_form.locator("[type=submit]").click()
    expect(page.locator("#requested-amount")).to_contain_text("350.000,00")
    act(application, "submit")
    status_shown(ApplicationStatus.SUBMITTED)
    act(application, "fund", granted_amount="320000", note="Decreto regionale n. 1234")
    status_shown(ApplicationStatus.FUNDED)
    expect(page.locator("#granted-amount")).to_contain_text("320.000,00")

    # The funded project, with its CUP.
    page.locator("#create-project").click()
    expect(page).to_have_url(url("projects:application_project", application.pk))
    checked_page.assert_clean()
    form = page.locator("#project-form")
    form.locator("input[name=cup]").fill(CUP)
    form.locator("select[name=status]").select_option("ongoing")
    form.locator("select[name=financing_source]").select_option("eu")
    form.locator("[type=submit]").click()
    project = FundedProject.objects.get()
    expect(page).to_have_url(url("projects:project_detail", project.pk))
    expect(page.locator("#project-cup")).to_have_text(CUP)
    expect(page.locator("#total-financing")).to_contain_text("320.000,00")
    checked_page.assert_clean()

    # A reporting period, then an expense with its invoice.
    today = timezone.localdate()
    period_form = open_details("#form-period")
    period_form.locator("input[name=period-starts_on]").fill(today.replace(day=1).isoformat())
    period_form.locator("input[name=period-ends_on]").fill(today.isoformat())
    period_form.locator("[type=submit]").click()
    expect(page.locator("#expense-form")).to_have_count(1)
    checked_page.assert_clean()
    expense_form = open_details("#expense-form")
    expense_form.locator("select[name=expense-period]").select_option(index=1)
    expense_form.locator("input[name=expense-description]").fill("Progettazione esecutiva")
    expense_form.locator("input[name=expense-amount]").fill("24500")
    expense_form.locator("input[name=expense-date]").fill(today.isoformat())
    expense_form.locator("input[name=expense-cig]").fill("B00012EADB")
    expense_form.locator("input[name=expense-file]").set_input_files(str(invoice))
    expense_form.locator("[type=submit]").click()
    expect(page.locator("#total-expenses")).to_contain_text("24.500,00")
    expect(page.get_by_role("main").get_by_role("link", name="fattura-progettazione.pdf")).to_have_count(1)
    checked_page.assert_clean()
    assert Expense.objects.get().file.read() == PDF

    # The results of the office show the euros granted.
    page.goto(url("projects:results"))
    expect(page.locator("#kpi-granted")).to_contain_text("320.000,00")
    expect(page.locator("#kpi-funded")).to_have_text("1")
    expect(page.locator("#results-by-lead")).to_contain_text("Comune di Montebelluna")
    checked_page.assert_clean()

    # And the referent sees the project and the PNRR-free dashboard card.
    page.context.clear_cookies()
    log_in(referent)
    page.goto(url("projects:project_detail", project.pk))
    expect(page.locator("#project-cup")).to_have_text(CUP)
    checked_page.assert_clean()
    page.goto(url("projects:results"))
    expect(page.locator("#kpi-granted")).to_contain_text("320.000,00")
    checked_page.assert_clean()
