"""The operators' register (albo) in a real browser: an operator applies to the albo of the Province of Treviso
with its categories and DURC; the SUA officer finds the application, approves it, later suspends it with
reasons; the operator reads the decision and adds a renewed DURC.

Every page visited must respect the strict CSP, raise no script error and pass axe (WCAG 2.1 AA). Fields are
found by name and forms by the action they post to; states are compared with the catalogue's translation.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.accounts.testing import PASSWORD
from casacomuni.lib.pdf import act_pdf
from casacomuni.procurement.register.models import RegisteredOperator, RegistrationState
from casacomuni.procurement.testing import REPRESENTATIVE_FISCAL_CODE
from casacomuni.territory.models import Province

pytestmark = pytest.mark.browser

COMPANY = "Costruzioni Sile S.r.l."
SUSPENSION = "DURC non regolare alla verifica del 10 novembre."


@pytest.fixture
def albo_parties(territory):
    treviso = Province.objects.get(sigla="TV")
    province_org = Organization.objects.create(
        kind=OrganizationKind.PROVINCE, name="Provincia di Treviso", province=treviso
    )
    operator = Organization.objects.create(kind=OrganizationKind.OPERATOR, name=COMPANY)
    representative = User.objects.create_user("legale_sile", password=PASSWORD, first_name="Luca")
    Membership.objects.create(user=representative, organization=operator, role=Role.OPERATOR_REPRESENTATIVE)
    officer = User.objects.create_user("sua_treviso", password=PASSWORD, first_name="Sergio")
    Membership.objects.create(user=officer, organization=province_org, role=Role.SUA_OFFICER)
    return province_org, representative, officer


def pdf_file(tmp_path, name: str):
    path = tmp_path / name
    path.write_bytes(act_pdf([COMPANY, "Documento unico di regolarità contributiva"]))
    return path


def italian(label) -> str:
    with translation.override("it"):
        return str(label)


def test_an_operator_applies_the_sua_approves_then_suspends_and_a_new_durc_is_added(
    checked_page, live_server, log_in, albo_parties, tmp_path
):
    province_org, representative, officer = albo_parties
    page = checked_page.page
    in_a_year = (timezone.localdate() + timedelta(days=365)).isoformat()

    def url(name: str, *args) -> str:
        return live_server.url + reverse(name, args=args)

    def state_shown(state) -> None:
        expect(page.locator("#entry-state")).to_have_text(italian(state.label))

    def decide(entry, action: str, reason: str = "") -> None:
        form = page.locator(
            f"form[action='{reverse('procurement:register_action', args=[entry.pk, action])}']"
        )
        if reason:
            form.locator(f"textarea[name='{action}-reason']").fill(reason)
        form.locator("[type=submit]").click()

    # The operator's representative applies with two CPV groups, an SOA category and the DURC.
    log_in(representative)
    page.goto(url("procurement:register_apply"))
    checked_page.assert_clean()
    form = page.locator("main form[method=post]")
    form.locator("select[name=province]").select_option(str(province_org.pk))
    form.locator("input[name=fiscal_code]").fill("02123450260")
    form.locator("input[name=pec]").fill("costruzionisile@pec.example.it")
    form.locator("input[name=legal_representative_name]").fill("Luca Bianchi")
    form.locator("input[name=legal_representative_fiscal_code]").fill(REPRESENTATIVE_FISCAL_CODE)
    form.locator("input[name=address]").fill("Via Noalese 12, 31100 Treviso")
    form.locator("textarea[name=cpv_codes]").fill("90911, 77310")
    form.locator("textarea[name=soa_categories]").fill("OG3 II")
    form.locator("input[name=durc_file]").set_input_files(str(pdf_file(tmp_path, "durc.pdf")))
    form.locator("input[name=durc_expires_on]").fill(in_a_year)
    form.locator("[type=submit]").click()
    entry = RegisteredOperator.objects.get()
    expect(page).to_have_url(url("procurement:register_detail", entry.pk))
    state_shown(RegistrationState.PENDING)
    checked_page.assert_clean()
    assert sorted(entry.categories.values_list("code", flat=True)) == ["77310", "90911", "OG3"]

    # The SUA officer finds the pending application in the albo and approves it, then suspends it.
    page.context.clear_cookies()
    log_in(officer)
    page.goto(url("procurement:register_list") + "?state=pending")
    checked_page.assert_clean()
    page.get_by_role("main").get_by_role("link", name=COMPANY).click()
    expect(page).to_have_url(url("procurement:register_detail", entry.pk))
    expect(page.get_by_role("main").get_by_role("link", name="durc.pdf")).to_have_count(1)
    checked_page.assert_clean()
    decide(entry, "approve")
    state_shown(RegistrationState.APPROVED)
    decide(entry, "suspend")  # without reasons: refused on the same page, nothing changes
    expect(page.locator("#entry-error")).to_be_visible()
    state_shown(RegistrationState.APPROVED)
    checked_page.assert_clean()
    decide(entry, "suspend", SUSPENSION)
    expect(page).to_have_url(url("procurement:register_detail", entry.pk))
    state_shown(RegistrationState.SUSPENDED)
    checked_page.assert_clean()

    # The operator reads the reasons and uploads a renewed DURC.
    page.context.clear_cookies()
    log_in(representative)
    page.goto(url("procurement:register_mine"))
    checked_page.assert_clean()
    page.get_by_role("main").get_by_role("link", name=province_org.name).first.click()
    expect(page).to_have_url(url("procurement:register_detail", entry.pk))
    expect(page.get_by_role("main")).to_contain_text(SUSPENSION)
    add = page.locator(f"form[action='{reverse('procurement:register_document_add', args=[entry.pk])}']")
    add.locator("select[name=kind]").select_option("durc")
    add.locator("input[name=file]").set_input_files(str(pdf_file(tmp_path, "durc-rinnovato.pdf")))
    add.locator("input[name=expires_on]").fill(in_a_year)
    add.locator("[type=submit]").click()
    expect(page.get_by_role("main").get_by_role("link", name="durc-rinnovato.pdf")).to_have_count(1)
    checked_page.assert_clean()
    entry.refresh_from_db()
    assert entry.state == RegistrationState.SUSPENDED
    assert entry.documents.count() == 2
