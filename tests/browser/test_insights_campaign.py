"""A data-collection campaign in a real browser: the Province's data officer creates a campaign from the
"Maturità digitale" template and sends it to two Comuni; each Comune's referent answers (a conditional
question appears when its condition is met) and submits; the completion table shows both submitted with
their digital maturity index.

Every page visited must respect the strict CSP, raise no script error and pass axe (WCAG 2.1 AA). The
interface strings are translated after this test was written, so it finds fields by name and elements by id.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.accounts.testing import PASSWORD
from casacomuni.insights.models import Campaign, DigitalService, Questionnaire, Response
from casacomuni.insights.rules.maturity import maturity_index
from casacomuni.territory.models import Municipality, Province

pytestmark = pytest.mark.browser

# Two Comuni, two sets of answers (yes/no as the form's values) and the index the formula gives them.
MONTEBELLUNA = {
    "spid_cie_login": "yes",
    "pagopa_services": "8",
    "io_services": "6",
    "website_model": "compliant",
    "website_online_since": "2025-03-01",
    "send_act_types": "2",
    "pdnd_eservices": "1",
    "cloud_services_total": "20",
    "cloud_services_migrated": "15",
    "open_data_harvested": "yes",
    "open_datasets": "42",
    "rtd_named": "yes",
    "syllabus_percent": "62,5",
}
CASTELFRANCO = {
    "spid_cie_login": "yes",
    "pagopa_services": "3",
    "io_services": "2",
    "website_model": "partial",
    "send_act_types": "0",
    "pdnd_eservices": "0",
    "cloud_services_total": "10",
    "cloud_services_migrated": "2",
    "open_data_harvested": "no",
    "rtd_named": "no",
    "syllabus_percent": "10",
}


def expected_index(answers: dict) -> Decimal:
    cleaned = {}
    for code, value in answers.items():
        cleaned[code] = {"yes": True, "no": False}.get(value, value.replace(",", "."))
    return maturity_index(cleaned).score


@pytest.fixture
def treviso(territory):
    """The Province of Treviso with a data officer; Montebelluna and Castelfranco Veneto with a referent."""
    province = Province.objects.get(sigla="TV")
    province_org = Organization.objects.create(
        kind=OrganizationKind.PROVINCE, name="Provincia di Treviso", province=province
    )
    officer = User.objects.create_user("dati_treviso", password=PASSWORD, first_name="Daria")
    Membership.objects.create(user=officer, organization=province_org, role=Role.DATA_OFFICER)
    comuni = {}
    for name in ("Montebelluna", "Castelfranco Veneto"):
        comune = Organization.objects.create(
            kind=OrganizationKind.MUNICIPALITY,
            name=f"Comune di {name}",
            province=province,
            municipality=Municipality.objects.current().get(name=name),
        )
        referent = User.objects.create_user(f"referente_{comune.pk}", password=PASSWORD, first_name="Rita")
        Membership.objects.create(user=referent, organization=comune, role=Role.MUNICIPALITY_REFERENT)
        comuni[name] = (comune, referent)
    return officer, comuni


def test_a_maturity_campaign_is_sent_answered_by_two_comuni_and_scored(
    checked_page, live_server, log_in, treviso
):
    officer, comuni = treviso
    page = checked_page.page

    def url(name: str, *args) -> str:
        return live_server.url + reverse(name, args=args)

    def choose(name: str, value: str) -> None:
        """Tick a radio button or checkbox by clicking its label, as a person would."""
        box = page.locator(f"input[name='{name}'][value='{value}']")
        page.locator(f"label[for='{box.get_attribute('id')}']").click()
        expect(box).to_be_checked()

    # The officer starts a campaign from the built-in template and sends it to the two Comuni.
    log_in(officer)
    page.goto(url("insights:questionnaire_list"))
    checked_page.assert_clean()
    checked_page.follow(page.locator("#campaign-from-maturita_digitale"))
    checked_page.assert_clean()
    today = timezone.localdate()
    form = page.locator("#campaign-form")
    form.locator("input[name=title]").fill("Maturità digitale dei Comuni")
    form.locator("input[name=year]").fill(str(today.year))
    form.locator("input[name=opens_on]").fill(today.isoformat())
    form.locator("input[name=deadline]").fill((today + timedelta(days=30)).isoformat())
    for comune, _referent in comuni.values():
        choose("targets", str(comune.pk))
    page.locator("#create-campaign").click()
    campaign = Campaign.objects.get()
    expect(page).to_have_url(url("insights:campaign_detail", campaign.pk))
    expect(page.locator("#campaign-state")).to_have_attribute("data-state", "draft")
    checked_page.assert_clean()
    page.locator("#send-campaign").click()
    expect(page.locator("#campaign-state")).to_have_attribute("data-state", "sent")
    checked_page.assert_clean()

    # Each referent answers; the conditional questions appear only when their condition holds.
    for name, answers in (("Montebelluna", MONTEBELLUNA), ("Castelfranco Veneto", CASTELFRANCO)):
        comune, referent = comuni[name]
        page.context.clear_cookies()
        log_in(referent)
        page.goto(url("insights:campaign_list"))
        checked_page.assert_clean()
        page.get_by_role("main").get_by_role("link", name="Maturità digitale dei Comuni").click()
        expect(page).to_have_url(url("insights:response_form", campaign.pk))
        expect(page.locator("#question-website_online_since")).to_be_hidden()
        expect(page.locator("#question-open_datasets")).to_be_hidden()
        checked_page.assert_clean()
        for code, value in answers.items():
            field = page.locator(f"[name='q_{code}']")
            if field.first.get_attribute("type") in ("radio", "checkbox"):
                choose(f"q_{code}", value)
            else:
                expect(field).to_be_visible()
                field.fill(value)
        if "website_online_since" in answers:
            expect(page.locator("#question-website_online_since")).to_be_visible()
        page.locator("#submit-response").click()
        expect(page.locator("#response-state")).to_have_attribute("data-state", "submitted")
        score = expected_index(answers)
        expect(page.locator("#response-score")).to_have_text(f"{score}".replace(".", ","))
        checked_page.assert_clean()
        assert Response.objects.get(organization=comune).score == score

    # The officer's completion table: both submitted, each with its index.
    page.context.clear_cookies()
    log_in(officer)
    page.goto(url("insights:campaign_detail", campaign.pk))
    for name, answers in (("Montebelluna", MONTEBELLUNA), ("Castelfranco Veneto", CASTELFRANCO)):
        comune, _referent = comuni[name]
        row = page.locator(f"#comune-{comune.pk}")
        expect(row).to_have_attribute("data-status", "submitted")
        expect(row.locator(".score")).to_have_text(f"{expected_index(answers)}".replace(".", ","))
    checked_page.assert_clean()
    assert expected_index(MONTEBELLUNA) > expected_index(CASTELFRANCO)

    # The officer's other pages pass the same checks: a response, the editions, the builder, the catalogue.
    montebelluna = Response.objects.get(organization=comuni["Montebelluna"][0])
    page.locator(f"#comune-{montebelluna.organization_id} a").click()
    expect(page).to_have_url(url("insights:response_detail", montebelluna.pk))
    expect(page.locator("#response-state")).to_have_attribute("data-state", "submitted")
    checked_page.assert_clean()
    page.goto(url("insights:editions"))
    expect(page.locator("#editions tbody tr")).to_have_count(2)
    checked_page.assert_clean()
    page.goto(url("insights:questionnaire_detail", campaign.questionnaire_id))
    checked_page.assert_clean()
    page.locator("#copy-questionnaire").click()
    copy = Questionnaire.objects.get(province__isnull=False)
    expect(page).to_have_url(url("insights:questionnaire_detail", copy.pk))
    checked_page.assert_clean()
    page.goto(url("insights:question_create", copy.sections.first().pk))
    checked_page.assert_clean()
    page.goto(url("insights:service_list"))
    form = page.locator("#service-form")
    form.locator("input[name='service-name']").fill("Intermediazione pagoPA")
    form.locator("select[name='service-category']").select_option("pagopa")
    form.locator("[type=submit]").click()
    service = DigitalService.objects.get()
    expect(page).to_have_url(url("insights:service_detail", service.pk))
    checked_page.assert_clean()
    adoption = page.locator("#adoption-form")
    adoption.locator("select[name='adoption-organization']").select_option(str(comuni["Montebelluna"][0].pk))
    adoption.locator("select[name='adoption-status']").select_option("active")
    adoption.locator("[type=submit]").click()
    expect(page.locator("#adoptions tbody tr[data-status=active]")).to_have_count(1)
    checked_page.assert_clean()
