"""The EU-funds office in a real browser: the officer imports the real SEDIA sample, annotates a population
criterion on a call, reads the eligibility of the Province's comuni, and previews a small Comune's digest.

Every page visited must respect the strict CSP, raise no script error and pass axe (WCAG 2.1 AA). Fields
are found by name and results by element ids and data values (the interface is translated afterwards).
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.accounts.testing import PASSWORD
from casacomuni.eufunds.importers import SAMPLES
from casacomuni.eufunds.models import Call, ImportRun
from casacomuni.territory.models import Municipality, Province

pytestmark = pytest.mark.browser

TOPIC = "HORIZON-MISS-2027-05-SOIL-01-two-stage"


@pytest.fixture
def office(territory):
    """The Province of Treviso with an EU-funds officer, and a small Comune (under 5,000) on the platform."""
    treviso = Province.objects.get(sigla="TV")
    province_org = Organization.objects.create(
        kind=OrganizationKind.PROVINCE, name="Provincia di Treviso", province=treviso
    )
    small = (
        Municipality.objects.current().filter(province=treviso, population__lt=5000).order_by("name").first()
    )
    comune = Organization.objects.create(
        kind=OrganizationKind.MUNICIPALITY,
        name=f"Comune di {small.name}",
        province=treviso,
        municipality=small,
    )
    officer = User.objects.create_user("europa_treviso", password=PASSWORD, first_name="Elena")
    Membership.objects.create(user=officer, organization=province_org, role=Role.EUFUNDS_OFFICER)
    return officer, comune


def test_office_imports_annotates_sees_eligibility_and_previews_a_digest(
    checked_page, live_server, log_in, office
):
    officer, comune = office
    page = checked_page.page

    def url(name: str, *args) -> str:
        return live_server.url + reverse(name, args=args)

    log_in(officer)
    page.goto(url("eufunds:import_calls"))
    checked_page.assert_clean()
    form = page.locator("#import-form")
    form.locator("select[name=source]").select_option("sedia")
    form.locator("input[name=file]").set_input_files(str(SAMPLES / "sedia_search_page.json"))
    form.locator("[type=submit]").click()
    run = ImportRun.objects.get()
    expect(page).to_have_url(url("eufunds:import_run", run.pk))
    expect(page.locator("#run-created")).to_have_text("8")
    expect(page.locator("#run-duplicates")).to_have_text("1")
    checked_page.assert_clean()

    page.goto(url("eufunds:call_list"))
    checked_page.assert_clean()
    call = Call.objects.get(source_id=TOPIC)
    page.locator(f"#call-table a[href='{reverse('eufunds:call_detail', args=[call.pk])}']").click()
    expect(page).to_have_url(url("eufunds:call_detail", call.pk))
    expect(page.locator("#call-second-deadline")).to_have_count(1)  # two-stage: both deadlines shown
    checked_page.assert_clean()

    page.locator("#add-criterion").click()
    expect(page).to_have_url(url("eufunds:criterion_create", call.pk))
    checked_page.assert_clean()
    form = page.locator("#criterion-form")
    form.locator("select[name=kind]").select_option("population_max")
    form.locator("input[name=limit]").fill("5000")
    form.locator("textarea[name=excerpt]").fill("Comuni con popolazione inferiore a 5.000 abitanti")
    form.locator("[type=submit]").click()
    expect(page).to_have_url(url("eufunds:call_detail", call.pk))
    under = Municipality.objects.current().filter(province__sigla="TV", population__lt=5000).count()
    expect(page.locator("#count-eligible")).to_have_text(str(under))
    row = page.locator(f"#eligibility tr[data-istat='{comune.municipality.istat_code}']")
    expect(row).to_have_attribute("data-outcome", "eligible")
    checked_page.assert_clean()

    page.goto(url("eufunds:digest_preview"))
    checked_page.assert_clean()
    page.locator("#digest-choose select[name=comune]").select_option(str(comune.pk))
    page.locator("#digest-choose [type=submit]").click()
    expect(page.locator(f"#card-{call.pk}")).to_have_count(1)
    checked_page.assert_clean()
