"""The acceptance journey of the training pillar (issue 11), one continuous run in a real browser.

The referent of Castelfranco Veneto answers the Province of Treviso's training-needs campaign (public
procurement, base level); the Province's training officer reads the needs from the answers, draws up the
plan of the year, writes a module on the public contracts code, publishes it, puts it in the plan against the
Comune's need, creates an edition with two sessions and opens enrolment; the referent adds an employee to the
Comune's staff and enrols her; the officer fills the register of both sessions and completes the edition; the
employee finds the certificate on her page, downloads the PDF and answers the satisfaction questionnaire;
logged out, the public verification page says the certificate is valid (and a forged code is refused); the
officer's ledger shows her 4 hours, and the Province's dashboard the Comune's hours, person trained and
satisfaction; UPI's national dashboard counts the Province's hours.

The sessions are held in the past weeks: the register only takes sessions already held, and the journey must
reach the certificate in one run. Every page visited must respect the strict CSP, raise no script error, fit
the screen and pass axe (WCAG 2.1 AA). Fields are found by name and elements by id or the URL a form posts to.
"""

import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.accounts.testing import PASSWORD
from casacomuni.insights.services import campaigns, questionnaires
from casacomuni.territory.models import Municipality, Province
from casacomuni.training import framework
from casacomuni.training.models import Competence, Completion, Enrolment, Need, StaffMember
from casacomuni.training.testing import FISCAL_CODES

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("screen")]

MODULE = "Il codice dei contratti pubblici per i Comuni"
EMPLOYEE_CODE = FISCAL_CODES[2]  # VRDNNA90E55F205I: Anna Verdi


def member(username: str, organization, role: str, **fields) -> User:
    user = User.objects.create_user(username, password=PASSWORD, **fields)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


@pytest.fixture
def treviso(territory):
    """The Province of Treviso with its training officer and its data officer, whose training-needs campaign
    is sent to Castelfranco Veneto; the Comune's referent and an employee (her account carries her fiscal
    code)."""
    if (
        not Competence.objects.exists()
    ):  # the previous live-server test emptied the tables migration 0002 filled
        framework.load(Competence)
    province = Province.objects.get(sigla="TV")
    province_org = Organization.objects.create(
        kind=OrganizationKind.PROVINCE, name="Provincia di Treviso", province=province
    )
    comune = Organization.objects.create(
        kind=OrganizationKind.MUNICIPALITY,
        name="Comune di Castelfranco Veneto",
        province=province,
        municipality=Municipality.objects.current().get(name="Castelfranco Veneto"),
    )
    data_officer = member("dati_treviso", province_org, Role.DATA_OFFICER, first_name="Daria")
    today = timezone.localdate()
    actor = Actor.for_membership(data_officer.memberships.get(), "test")
    campaign = campaigns.create_campaign(
        actor,
        campaigns.CampaignData(
            title="Fabbisogni formativi del personale",
            questionnaire=questionnaires.builtin_template("fabbisogni_formativi"),
            year=today.year,
            opens_on=today - timedelta(days=1),
            deadline=today + timedelta(days=20),
            targets=[comune.pk],
        ),
    )
    campaigns.send_campaign(actor, campaign)
    upi = Organization.objects.create(kind=OrganizationKind.UPI, name="Unione delle Province d'Italia")
    return SimpleNamespace(
        upi=member("dirigente_upi", upi, Role.UPI_ADMIN, first_name="Ugo"),
        province=province,
        campaign=campaign,
        comune=comune,
        officer=member("formazione_treviso", province_org, Role.TRAINING_OFFICER, first_name="Franca"),
        referent=member("referente_castelfranco", comune, Role.MUNICIPALITY_REFERENT, first_name="Rita"),
        employee=member(
            "anna_verdi", comune, Role.MUNICIPALITY_STAFF, first_name="Anna", fiscal_code=EMPLOYEE_CODE
        ),
    )


def test_from_the_needs_to_a_verified_certificate_and_the_ledger(checked_page, live_server, log_in, treviso):
    page = checked_page.page

    def url(name: str, *args) -> str:
        return live_server.url + reverse(name, args=args)

    def visit(name: str, *args) -> None:
        page.goto(url(name, *args))
        checked_page.assert_clean()

    def choose(name: str, value: str) -> None:
        """Tick a radio button or checkbox by clicking its label, as a person would."""
        box = page.locator(f"[name='{name}'][value='{value}']")
        page.locator(f"label[for='{box.get_attribute('id')}']").click()

    def submit(form) -> None:
        checked_page.follow(form.locator("[type=submit]").last)
        checked_page.assert_clean()

    # The Comune's referent answers the training-needs campaign.
    log_in(treviso.referent)
    visit("insights:response_form", treviso.campaign.pk)
    page.locator("[name=q_staff_total]").fill("30")
    page.locator("[name=q_staff_to_train]").fill("6")
    choose("q_areas", "procurement")
    choose("q_level", "base")
    choose("q_format", "blended")
    choose("q_budget_available", "no")
    page.locator("#submit-response").click()
    expect(page.locator("#response-state")).to_have_attribute("data-state", "submitted")
    checked_page.assert_clean()

    # The training officer reads the needs, draws up the plan, writes and publishes the module, plans it.
    page.context.clear_cookies()
    log_in(treviso.officer)
    visit("training:needs")
    submit(page.locator(f"form[action='{reverse('training:derive_needs', args=[treviso.campaign.pk])}']"))
    need = Need.objects.get(organization=treviso.comune)
    assert (need.area, need.level, need.people) == ("procurement", "base", 6)
    visit("training:plans")
    plan_form = page.locator("#plan-create")
    plan_form.locator("[name=year]").fill(str(treviso.campaign.year))  # the form offers next year's
    plan_form.locator("[name=title]").fill("Piano della formazione")
    submit(plan_form)
    plan_url = page.url

    visit("training:module_create")
    page.locator("[name=title]").fill(MODULE)
    page.locator("[name=area]").select_option("procurement")
    page.locator("[name=level]").select_option("base")
    page.locator("[name=mode]").select_option("in_person")
    page.locator("[name=hours]").fill("4")
    page.locator("[name=objectives]").fill("Gestire un affidamento diretto e una procedura negoziata.")
    page.locator("[name='competenze-0-competence']").select_option("SUA-2")
    page.locator("[name='competenze-0-level']").select_option("base")
    submit(page.locator("main form[method=post]"))
    module_url = page.url
    submit(page.locator("form[action$='/pubblica/']"))

    page.goto(plan_url)
    plan_add = page.locator("#plan-add")
    plan_add.locator("[name=module]").select_option(label=f"{MODULE} (Appalti pubblici (SUA))")
    choose("needs", str(need.pk))
    submit(plan_add)
    expect(page.get_by_role("main")).to_contain_text(MODULE)

    # An edition with two sessions already held, its enrolment open.
    page.goto(module_url)
    checked_page.follow(page.locator("a[href$='/edizioni/nuova/']"))
    page.locator("[name=code]").fill("2026/01")
    page.locator("[name=seats]").fill("20")
    page.locator("[name=signatory]").fill("Dott.ssa Franca Formazione, dirigente del Servizio formazione")
    submit(page.locator("main form[method=post]"))
    edition_url = page.url
    for weeks_ago in (2, 1):
        day = timezone.localtime() - timedelta(weeks=weeks_ago)
        session_form = page.locator("form[action$='/sessioni/']")
        session_form.locator("[name=starts_at]").fill(day.strftime("%Y-%m-%dT09:00"))
        session_form.locator("[name=ends_at]").fill(day.strftime("%Y-%m-%dT11:00"))
        session_form.locator("[name=place]").fill("Sala del consiglio provinciale")
        submit(session_form)
    expect(page.locator("#sessions li")).to_have_count(2)
    submit(page.locator("form[action$='/azioni/apri/']"))
    expect(page.locator("#edition-state")).to_have_text("Iscrizioni aperte")

    # The referent adds the employee to the Comune's staff and enrols her.
    page.context.clear_cookies()
    log_in(treviso.referent)
    visit("training:staff_add")
    page.locator("[name=fiscal_code]").fill(EMPLOYEE_CODE)
    page.locator("[name=first_name]").fill("Anna")
    page.locator("[name=last_name]").fill("Verdi")
    submit(page.locator("main form[method=post]"))
    person = StaffMember.objects.get(fiscal_code=EMPLOYEE_CODE)
    assert person.user == treviso.employee
    page.goto(edition_url)
    choose("people", str(person.pk))
    submit(page.locator("form[action$='/iscrivi/']"))
    expect(page.locator("#seats-left")).to_have_text("19")
    enrolment = Enrolment.objects.get(person=person)

    # The officer fills the register of both sessions and completes the edition.
    page.context.clear_cookies()
    log_in(treviso.officer)
    for session in enrolment.edition.sessions.order_by("starts_at"):
        visit("training:register", session.pk)
        page.locator(f"[name=minuti_{enrolment.pk}]").fill("120")
        submit(page.locator("main form[method=post]"))
    page.goto(edition_url)
    expect(page.locator("#outcomes")).to_contain_text("Verdi Anna")
    submit(page.locator("form[action$='/azioni/completa/']"))
    expect(page.locator("#edition-state")).to_have_text("Completata")
    completion = Completion.objects.get(person=person)

    # The employee finds her hours and her certificate, and downloads the PDF.
    page.context.clear_cookies()
    log_in(treviso.employee)
    visit("training:my_hours")
    expect(page.locator(f"#hours-{person.pk}")).to_have_text("4,0 / 40")
    with page.expect_download() as download:
        page.locator(f"#certificate-{completion.code}").click()
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    printed = " ".join(page_.extract_text() for page_ in pdf.pages)
    for expected in ("Anna Verdi", MODULE, completion.code, "Provincia di Treviso"):
        assert expected in printed, f"{expected!r} is not on the certificate"
    checked_page.follow(
        page.locator(f"a[href='{reverse('training:satisfaction', args=[enrolment.edition_id])}']")
    )
    checked_page.assert_clean()
    for code in ("overall", "contents", "teachers", "organisation", "usefulness"):
        choose(f"q_{code}", "5")
    page.locator("[name=q_comment]").fill("Esempi pratici utilissimi per gli affidamenti diretti.")
    submit(page.locator("#satisfaction-form"))
    assert enrolment.satisfaction.overall == 5

    # Logged out, anybody reads the verification page; a forged code is refused.
    page.context.clear_cookies()
    visit("training:certificate_verify", completion.code)
    expect(page.locator("#certificate-status")).to_have_attribute("data-status", "valid")
    expect(page.get_by_role("main")).to_contain_text("Anna Verdi")
    expect(page.locator("#certificate-hours")).to_have_text("4")
    forged = completion.code[:-1] + ("A" if completion.code[-1] != "A" else "B")
    response = page.goto(url("training:certificate_verify", forged))
    assert response.status == 404
    expect(page.locator("#certificate-unknown")).to_be_visible()
    checked_page.assert_clean()

    # The officer's ledger shows her hours of the year.
    log_in(treviso.officer)
    visit("training:ledger")
    expect(page.locator("#people")).to_contain_text("Verdi")
    expect(page.locator("#people")).to_contain_text("4,0")
    visit("training:dashboard_province")
    row = page.locator(f"#row-{treviso.comune.pk}")
    expect(row.locator("td").nth(0)).to_have_text("4,0")  # hours delivered
    expect(row.locator("td").nth(1)).to_have_text("1")  # people trained
    expect(row).to_contain_text("5,00")  # satisfaction

    # UPI reads the Province's figures among the others, counts only.
    page.context.clear_cookies()
    log_in(treviso.upi)
    visit("training:dashboard_national")
    row = page.locator(f"#row-{treviso.province.pk}")
    expect(row.locator("th")).to_have_text("Provincia di Treviso")
    expect(row.locator("td").nth(0)).to_have_text("4,0")
    expect(page.get_by_role("main")).not_to_contain_text("Verdi")
