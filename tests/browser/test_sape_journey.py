"""The acceptance journey of the Province's EU-funds office (SAPE), one continuous run on ONE call.

The officer of the Province of Treviso imports the real SEDIA sample through the import page, annotates the
call HORIZON-CL4-2027-04-DIGITAL-EMERGING-10 with a population criterion (under 5,000, quoted), sees the
small Comune eligible in the Province's table and its card in the Comune's digest preview. The referent of
that Comune (which joined the office's EU-funds service) reads its own verdict and flags interest in the
call; the office forms the partnership with a second small Comune, enters the requested amount, records
the submission and the funding, and records the funded project with its CUP; the Comune opens a reporting
period and records an expense with its invoice; the results pages show the euros granted and one funded
application.

Every page visited must respect the strict CSP, raise no script error and pass axe (WCAG 2.1 AA). Fields
are found by name and forms by id or the URL they post to; figures are read by element id and compared
with the Italian rendering of the values (the interface is Italian).

Dates: the journey needs the call open today, and the sample's topic is open from 17 November 2026 to 18 March
2027. The file imported is the real sample with only that topic's opening and deadline moved around today
(``sample_open_today``), so that the test does not expire; everything else is as the portal answered.
"""

from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

import pytest
from django.db.models import Sum
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.accounts.testing import PASSWORD
from casacomuni.eufunds.importers import SAMPLES
from casacomuni.eufunds.models import Call, CallStatus, ImportRun
from casacomuni.projects.applications.models import ApplicationStatus
from casacomuni.projects.models import Application, Expense, FundedProject
from casacomuni.projects.rules import kpis
from casacomuni.projects.testing import CUP_PREFIX, PDF, VALID_CIG, eu_funds_adhesion
from casacomuni.territory.models import Municipality, Province

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("screen")]

TOPIC = "HORIZON-CL4-2027-04-DIGITAL-EMERGING-10"
CUP = f"{CUP_PREFIX}310042"  # letter, 2 digits, letter, 11 digits
EXCERPT = "Possono partecipare i Comuni con popolazione inferiore a 5.000 abitanti"
REQUESTED = Decimal("180000")
GRANTED = Decimal("150000")
EXPENSE = Decimal("12800")


@pytest.fixture
def sape(territory):
    """The Province of Treviso with its EU-funds officer; the two smallest-named Comuni under 5,000
    inhabitants on the platform, the first (with a referent) joined to the office's EU-funds service."""
    province = Province.objects.get(sigla="TV")
    province_org = Organization.objects.create(
        kind=OrganizationKind.PROVINCE, name="Provincia di Treviso", province=province
    )
    lead_town, partner_town = (
        Municipality.objects.current()
        .filter(province=province, population__lt=kpis.SMALL_COMUNE_POPULATION)
        .order_by("name")[:2]
    )
    lead, partner = (
        Organization.objects.create(
            kind=OrganizationKind.MUNICIPALITY,
            name=f"Comune di {town.name}",
            province=province,
            municipality=town,
        )
        for town in (lead_town, partner_town)
    )
    eu_funds_adhesion(SimpleNamespace(province=province, province_org=province_org), lead)
    referent = User.objects.create_user("referente_piccolo", password=PASSWORD, first_name="Rita")
    Membership.objects.create(user=referent, organization=lead, role=Role.MUNICIPALITY_REFERENT)
    officer = User.objects.create_user("europa_treviso", password=PASSWORD, first_name="Elena")
    Membership.objects.create(user=officer, organization=province_org, role=Role.EUFUNDS_OFFICER)
    return SimpleNamespace(province=province, officer=officer, referent=referent, lead=lead, partner=partner)


@pytest.fixture
def sample_open_today(tmp_path):
    """The SEDIA sample with the journey's topic opened 20 days ago and closing in 100 days."""
    import json
    from datetime import timedelta

    page = json.loads((SAMPLES / "sedia_search_page.json").read_text(encoding="utf-8"))
    today = timezone.now().date()
    for result in page["results"]:
        metadata = result["metadata"]
        if metadata.get("identifier") == [TOPIC]:
            metadata["startDate"] = [f"{today - timedelta(days=20)}T00:00:00.000+0000"]
            metadata["deadlineDate"] = [f"{today + timedelta(days=100)}T00:00:00.000+0000"]
            metadata["status"] = ["31094502"]  # open
    path = tmp_path / "sedia_search_page.json"
    path.write_text(json.dumps(page), encoding="utf-8")
    return path


@pytest.fixture
def invoice(tmp_path):
    path = tmp_path / "fattura-studio-fattibilita.pdf"
    path.write_bytes(PDF)
    return path


def italian(label) -> str:
    with translation.override("it"):
        return str(label)


def euros(value) -> str:
    """An amount as the pages show it: "€ 150.000,00", the sign held to the number by a non-breaking space."""
    with translation.override("it"):
        return f"€\u00a0{floatformat(Decimal(value), '2g')}"


def test_sape_acceptance_journey_from_import_to_results(
    checked_page, live_server, log_in, sape, invoice, sample_open_today
):
    page = checked_page.page

    def url(name: str, *args) -> str:
        return live_server.url + reverse(name, args=args)

    def switch_to(user) -> None:
        page.context.clear_cookies()
        log_in(user)

    def open_details(form_selector: str):
        page.locator(f"details:has({form_selector}) > summary").click()
        return page.locator(form_selector)

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

    lead_istat = sape.lead.municipality.istat_code

    # 1. The office imports the SEDIA sample through the import page.
    log_in(sape.officer)
    page.goto(url("eufunds:import_calls"))
    checked_page.assert_clean()
    form = page.locator("#import-form")
    form.locator("select[name=source]").select_option("sedia")
    form.locator("input[name=file]").set_input_files(str(sample_open_today))
    form.locator("[type=submit]").click()
    run = ImportRun.objects.get()
    expect(page).to_have_url(url("eufunds:import_run", run.pk))
    expect(page.locator("#run-created")).to_have_text("8")
    expect(page.locator("#run-duplicates")).to_have_text("1")
    expect(page.locator("#run-bad")).to_have_text("0")
    checked_page.assert_clean()

    call = Call.objects.get(source_id=TOPIC)
    assert call.status == CallStatus.OPEN

    # 2. It finds the call in the catalogue and annotates a population criterion with its excerpt.
    page.goto(url("eufunds:call_list"))
    checked_page.assert_clean()
    page.locator(f"#call-table a[href='{reverse('eufunds:call_detail', args=[call.pk])}']").click()
    expect(page).to_have_url(url("eufunds:call_detail", call.pk))
    expect(page.locator("#call-status")).to_have_text(italian(CallStatus.OPEN.label))
    checked_page.assert_clean()
    page.locator("#add-criterion").click()
    expect(page).to_have_url(url("eufunds:criterion_create", call.pk))
    checked_page.assert_clean()
    form = page.locator("#criterion-form")
    form.locator("select[name=kind]").select_option("population_max")
    form.locator("input[name=limit]").fill("5000")
    form.locator("textarea[name=excerpt]").fill(EXCERPT)
    form.locator("[type=submit]").click()
    expect(page).to_have_url(url("eufunds:call_detail", call.pk))
    expect(page.locator("#criteria blockquote")).to_have_text(f"«{EXCERPT}»")

    # 3. The eligibility table: every small comune of Treviso eligible, the journey's Comuni among them.
    towns = Municipality.objects.current().filter(province=sape.province)
    small = towns.filter(population__lt=kpis.SMALL_COMUNE_POPULATION).count()
    expect(page.locator("#count-eligible")).to_have_text(str(small))
    expect(page.locator("#count-not-eligible")).to_have_text(
        str(towns.filter(population__gte=kpis.SMALL_COMUNE_POPULATION).count())
    )
    for comune in (sape.lead, sape.partner):
        row = page.locator(f"#eligibility tr[data-istat='{comune.municipality.istat_code}']")
        expect(row).to_have_attribute("data-outcome", "eligible")
    checked_page.assert_clean()

    # 4. The digest preview of the lead Comune carries the call's card.
    page.goto(url("eufunds:digest_preview"))
    checked_page.assert_clean()
    page.locator("#digest-choose select[name=comune]").select_option(str(sape.lead.pk))
    page.locator("#digest-choose [type=submit]").click()
    expect(page.locator("#digest-for")).to_contain_text(sape.lead.name)
    card = page.locator(f"#card-{call.pk}")
    expect(card).to_have_count(1)
    expect(card.get_by_role("link", name=call.title)).to_have_attribute(
        "href", reverse("eufunds:call_detail", args=[call.pk])
    )
    checked_page.assert_clean()

    # 5. The Comune's referent reads its own verdict and flags interest in that call, then confirms it.
    switch_to(sape.referent)
    page.goto(url("eufunds:call_detail", call.pk))
    expect(page.locator(f"#eligibility tr[data-istat='{lead_istat}']")).to_have_attribute(
        "data-outcome", "eligible"
    )
    checked_page.assert_clean()
    page.goto(url("projects:application_list"))
    checked_page.assert_clean()
    page.locator("#new-application").click()
    expect(page).to_have_url(url("projects:application_create"))
    checked_page.assert_clean()
    expect(page.locator("#application-error")).to_have_count(0)  # the adhesion is in force
    form = page.locator("main form[method=post]")
    form.locator("select[name=call]").select_option(str(call.pk))
    form.locator("[type=submit]").click()
    application = Application.objects.get()
    assert (application.call_id, application.lead_id) == (call.pk, sape.lead.pk)
    expect(page).to_have_url(url("projects:application_detail", application.pk))
    status_shown(ApplicationStatus.FLAGGED)
    act(application, "confirm")
    status_shown(ApplicationStatus.INTERESTED)

    # 6. The office assesses it, forms the partnership, enters the amount, submits it and records the funding.
    switch_to(sape.officer)
    page.goto(url("projects:application_list"))
    checked_page.assert_clean()
    page.get_by_role("main").get_by_role("link", name=application.title).click()
    expect(page).to_have_url(url("projects:application_detail", application.pk))
    checked_page.assert_clean()
    act(application, "assess")
    act(application, "design")
    status_shown(ApplicationStatus.DESIGNING)
    partner_form = open_details("#partner-form")
    partner_form.locator("select[name=partner-organization]").select_option(str(sape.partner.pk))
    partner_form.locator("select[name=partner-role]").select_option("partner")
    partner_form.locator("[type=submit]").click()
    expect(page.locator("#partners tbody tr")).to_have_count(2)
    expect(page.locator("#partners")).to_contain_text(sape.partner.name)
    checked_page.assert_clean()
    edit_form = open_details("#edit-form")
    edit_form.locator("input[name=edit-requested_amount]").fill(str(REQUESTED))
    edit_form.locator("[type=submit]").click()
    expect(page.locator("#requested-amount")).to_have_text(euros(REQUESTED))
    checked_page.assert_clean()
    act(application, "submit")
    status_shown(ApplicationStatus.SUBMITTED)
    act(application, "fund", granted_amount=str(GRANTED), note="Grant Agreement n. 101234567")
    status_shown(ApplicationStatus.FUNDED)
    expect(page.locator("#granted-amount")).to_have_text(euros(GRANTED))

    # 7. The funded project, with its CUP; the granted amount is its first financing.
    page.locator("#create-project").click()
    expect(page).to_have_url(url("projects:application_project", application.pk))
    checked_page.assert_clean()
    form = page.locator("#project-form")
    form.locator("input[name=cup]").fill(CUP)
    form.locator("select[name=status]").select_option("ongoing")
    form.locator("select[name=financing_source]").select_option("eu")
    form.locator("[type=submit]").click()
    project = FundedProject.objects.get()
    assert (project.application_id, project.beneficiary_id) == (application.pk, sape.lead.pk)
    expect(page).to_have_url(url("projects:project_detail", project.pk))
    expect(page.locator("#project-cup")).to_have_text(CUP)
    expect(page.locator("#total-financing")).to_have_text(euros(GRANTED))
    checked_page.assert_clean()

    # 8. The Comune opens a reporting period and records an expense with its invoice.
    switch_to(sape.referent)
    page.goto(url("projects:project_detail", project.pk))
    expect(page.locator("#project-cup")).to_have_text(CUP)
    expect(page.locator("#total-expenses")).to_have_text(euros(0))
    checked_page.assert_clean()
    today = timezone.localdate()
    period_form = open_details("#form-period")
    period_form.locator("input[name=period-starts_on]").fill(today.replace(day=1).isoformat())
    period_form.locator("input[name=period-ends_on]").fill(today.isoformat())
    period_form.locator("[type=submit]").click()
    expect(page.locator("#expense-form")).to_have_count(1)
    checked_page.assert_clean()
    expense_form = open_details("#expense-form")
    expense_form.locator("select[name=expense-period]").select_option(index=1)
    expense_form.locator("input[name=expense-description]").fill("Studio di fattibilità")
    expense_form.locator("input[name=expense-amount]").fill(str(EXPENSE))
    expense_form.locator("input[name=expense-date]").fill(today.isoformat())
    expense_form.locator("input[name=expense-cig]").fill(VALID_CIG)
    expense_form.locator("input[name=expense-file]").set_input_files(str(invoice))
    expense_form.locator("[type=submit]").click()
    expect(page.locator("#total-expenses")).to_have_text(euros(EXPENSE))
    expect(page.get_by_role("main").get_by_role("link", name=invoice.name)).to_have_count(1)
    checked_page.assert_clean()
    expense = Expense.objects.get()
    assert (expense.period.project_id, expense.amount, expense.cig) == (project.pk, EXPENSE, VALID_CIG)
    assert expense.file.read() == PDF

    # 9. The Comune's results: its one application, funded, and the euros granted.
    page.goto(url("projects:results"))
    expect(page.locator("#kpi-funded")).to_have_text("1")
    expect(page.locator("#kpi-granted")).to_have_text(euros(GRANTED))
    # to_have_text folds every space into one: the sign must not wrap away from its number on a phone.
    assert page.locator("#kpi-granted").inner_text() == euros(GRANTED)
    checked_page.assert_clean()

    # 10. The office's results: the Province's figures and the row of the lead Comune.
    switch_to(sape.officer)
    page.goto(url("projects:results"))
    population = towns.aggregate(total=Sum("population"))["total"]
    per_inhabitant = (GRANTED / population).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    expect(page.locator("#kpi-calls")).to_have_text(str(run.created))  # the catalogue: the imported calls
    for kpi in ("interests", "applications", "submitted", "funded"):
        expect(page.locator(f"#kpi-{kpi}")).to_have_text("1")
    expect(page.locator("#kpi-success")).to_have_text("100\u00a0%")
    expect(page.locator("#kpi-requested")).to_have_text(euros(REQUESTED))
    expect(page.locator("#kpi-granted")).to_have_text(euros(GRANTED))
    expect(page.locator("#kpi-per-inhabitant")).to_have_text(euros(per_inhabitant))
    expect(page.locator("#kpi-small-share")).to_have_text("100\u00a0%")  # both Comuni served are small
    row = page.locator("#results-by-lead tbody tr").filter(has=page.locator("th", has_text=sape.lead.name))
    expect(row.locator("td")).to_have_text(["1", "1", "1", euros(REQUESTED), euros(GRANTED)])
    checked_page.assert_clean()
