"""The life of a convenzione in a real browser: the Province publishes a service, sends an agreement to two
Comuni and records its acts up to activation; the Comune then finds the agreement and the service.

Every page visited must respect the strict CSP, raise no script error and pass axe (WCAG 2.1 AA). The new
interface strings are translated after this test was written, so it finds fields by name and forms by the
act they record, and compares labels with the catalogue's translation of the model's own labels.
"""

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.accounts.testing import PASSWORD
from casacomuni.agreements.models import Agreement, AgreementState, Service
from casacomuni.lib.pdf import act_pdf
from casacomuni.territory.models import Municipality, Province

pytestmark = pytest.mark.browser

COMUNI = ("Castelfranco Veneto", "Montebelluna")


@pytest.fixture
def treviso(territory):
    """The Province of Treviso with its administrator, and two of its Comuni with a referent each."""
    province = Province.objects.get(sigla="TV")
    province_org = Organization.objects.create(
        kind=OrganizationKind.PROVINCE, name="Provincia di Treviso", province=province
    )
    admin = User.objects.create_user("admin_treviso", password=PASSWORD, first_name="Anna")
    Membership.objects.create(user=admin, organization=province_org, role=Role.PROVINCE_ADMIN)
    referents = {}
    for name in COMUNI:
        comune = Organization.objects.create(
            kind=OrganizationKind.MUNICIPALITY,
            name=f"Comune di {name}",
            province=province,
            municipality=Municipality.objects.current().get(name=name),
        )
        referent = User.objects.create_user(f"referente_{comune.municipality.istat_code}", password=PASSWORD)
        Membership.objects.create(user=referent, organization=comune, role=Role.MUNICIPALITY_REFERENT)
        referents[name] = referent
    return admin, referents


@pytest.fixture
def pdf_files(tmp_path):
    """A council resolution and a signed agreement, as small PDF files on disk."""
    resolution = tmp_path / "delibera-consiglio-18.pdf"
    resolution.write_bytes(act_pdf(["Comune di Castelfranco Veneto", "Deliberazione del Consiglio n. 18"]))
    signed = tmp_path / "convenzione-firmata.pdf"
    signed.write_bytes(act_pdf(["Convenzione firmata digitalmente dalle parti"]))
    return resolution, signed


def tick(page, box) -> None:
    """Tick a checkbox as a person does, on its label: Bootstrap Italia draws the box over the input."""
    page.locator(f"label[for='{box.get_attribute('id')}']").click()
    expect(box).to_be_checked()


def italian(label) -> str:
    with translation.override("it"):
        return str(label)


def test_a_province_takes_an_agreement_from_draft_to_active_and_the_comune_sees_it(
    checked_page, live_server, log_in, treviso, pdf_files
):
    admin, referents = treviso
    resolution, signed = pdf_files
    page = checked_page.page

    def url(name: str, *args) -> str:
        return live_server.url + reverse(name, args=args)

    log_in(admin)
    expect(page).to_have_url(url("web:dashboard"))

    # The Province publishes its SUA in the catalogue.
    page.goto(url("agreements:service_create"))
    checked_page.assert_clean()
    form = page.locator("main form[method=post]")
    form.locator("select[name=kind]").select_option("sua")
    form.locator("input[name=name]").fill("Stazione Unica Appaltante della Provincia di Treviso")
    form.locator("textarea[name=description]").fill("Gare di lavori, servizi e forniture per i Comuni.")
    tick(page, form.locator("input[name=delegated_functions][value='1']"))
    tick(page, form.locator("input[name=delegated_functions][value='2']"))
    form.locator("select[name=cost_model]").select_option("percentage")
    form.locator("input[name=cost_amount]").fill("0.5")
    form.locator("input[name=cost_minimum]").fill("500")
    form.locator("input[name=cost_maximum]").fill("12000")
    tick(page, form.locator("input[name=is_published]"))
    form.locator("[type=submit]").click()
    expect(page).to_have_url(url("agreements:services"))
    expect(page.get_by_role("main")).to_contain_text("Stazione Unica Appaltante della Provincia di Treviso")
    checked_page.assert_clean()
    service = Service.objects.get()
    assert service.delegated_functions == [1, 2] and service.is_published

    # One draft, sent to two Comuni: one agreement each.
    page.goto(url("agreements:create"))
    checked_page.assert_clean()
    form = page.locator("main form[method=post]")
    form.locator("input[name=title]").fill("Convenzione per la Stazione Unica Appaltante")
    for name in COMUNI:
        comune = Organization.objects.get(name=f"Comune di {name}")
        tick(page, form.locator(f"input[name=municipalities][value='{comune.pk}']"))
    tick(page, form.locator(f"input[name=services][value='{service.pk}']"))
    form.locator("[type=submit]").click()
    expect(page).to_have_url(url("agreements:list"))
    for name in COMUNI:
        expect(page.get_by_role("table")).to_contain_text(f"Comune di {name}")
    checked_page.assert_clean()
    assert Agreement.objects.filter(state=AgreementState.DRAFT).count() == 2

    # The acts of Castelfranco's agreement, each recorded on its page with today's date.
    agreement = Agreement.objects.get(municipality__name="Comune di Castelfranco Veneto")
    page.goto(url("agreements:detail", agreement.pk))
    checked_page.assert_clean()

    def record(transition: str, number: str = "", file=None) -> None:
        act = page.locator(f"form[action$='/atti/{transition}/']")
        if number:
            act.locator(f"input[name='{transition}-number']").fill(number)
        if file is not None:
            act.locator(f"input[name='{transition}-file']").set_input_files(str(file))
        act.locator("[type=submit]").click()
        expect(page).to_have_url(url("agreements:detail", agreement.pk))
        checked_page.assert_clean()

    record("approve_province", number="112")
    record("approve_municipality", number="18", file=resolution)
    record("sign", file=signed)
    record("activate")

    expect(page.locator(".lead .badge")).to_have_text(italian(AgreementState.ACTIVE.label))
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.ACTIVE
    assert agreement.province_resolution_number == "112" and agreement.municipality_resolution_number == "18"
    assert agreement.municipality_resolution_file.read() == resolution.read_bytes()
    assert agreement.signed_file.read() == signed.read_bytes()

    # The Comune's referent finds its agreement, and the service it may use today.
    page.context.clear_cookies()
    log_in(referents["Castelfranco Veneto"])
    page.goto(url("agreements:list"))
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="Convenzione per la Stazione Unica Appaltante")).to_have_count(1)
    expect(main.locator("section#in-use, section[aria-labelledby=in-use]")).to_contain_text(service.name)
    checked_page.assert_clean()

    main.get_by_role("link", name="Convenzione per la Stazione Unica Appaltante").click()
    expect(page).to_have_url(url("agreements:detail", agreement.pk))
    expect(page.locator(".lead .badge")).to_have_text(italian(AgreementState.ACTIVE.label))
    expect(page.get_by_role("main")).to_contain_text(service.name)
    checked_page.assert_clean()
