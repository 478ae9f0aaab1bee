"""Open data in a real browser: the data officer of the Province of Treviso enters the catalogue's IPA code,
creates and publishes the agreements dataset; logged out, anybody finds it from the national index, opens
its page and the harvestable catalogue (Turtle) answers.

Every page visited must respect the strict CSP, raise no script error and pass axe (WCAG 2.1 AA). The
strings are translated after this test was written: it finds links and fields by element ids, names and
data attributes, never by their text.
"""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.accounts.testing import PASSWORD
from casacomuni.opendata.models import Dataset
from casacomuni.procurement.testing import sua_adhesion
from casacomuni.territory.models import Municipality, Province

pytestmark = pytest.mark.browser


@pytest.fixture
def data_officer(territory):
    """The Province of Treviso with a data officer; Montebelluna joined its SUA."""
    treviso = Province.objects.get(sigla="TV")
    province_org = Organization.objects.create(
        kind=OrganizationKind.PROVINCE, name="Provincia di Treviso", province=treviso
    )
    comune = Organization.objects.create(
        kind=OrganizationKind.MUNICIPALITY,
        name="Comune di Montebelluna",
        province=treviso,
        municipality=Municipality.objects.current().get(name="Montebelluna"),
    )
    sua_adhesion(SimpleNamespace(province=treviso, province_org=province_org), comune)
    officer = User.objects.create_user("dati_treviso", password=PASSWORD, first_name="Dario")
    Membership.objects.create(user=officer, organization=province_org, role=Role.DATA_OFFICER)
    return officer


def test_an_officer_publishes_a_dataset_that_anybody_then_finds_and_harvests(
    checked_page, live_server, log_in, data_officer
):
    page = checked_page.page

    def url(name: str, *args) -> str:
        return live_server.url + reverse(name, args=args)

    # The officer sets the catalogue's IPA code (title and description come filled in).
    log_in(data_officer)
    page.goto(url("opendata:manage"))
    expect(page.locator("#catalog-missing")).to_have_count(1)
    checked_page.assert_clean()
    checked_page.follow(page.locator(f"a[href='{reverse('opendata:catalog_edit')}']"))
    checked_page.assert_clean()
    form = page.locator("main form[method=post]")
    form.locator("input[name=ipa_code]").fill("p_tv")
    form.locator("[type=submit]").click()
    expect(page).to_have_url(url("opendata:manage"))
    expect(page.locator("#catalog-summary")).to_contain_text("p_tv")
    checked_page.assert_clean()

    # A dataset from the agreements, published at once.
    checked_page.follow(page.locator("a[data-generator=convenzioni]"))
    checked_page.assert_clean()
    form = page.locator("main form[method=post]")
    expect(form.locator("input[name=slug]")).to_have_value("convenzioni")
    form.locator("label[for=id_publish]").click()  # Bootstrap Italia draws the box on the label
    expect(form.locator("input[name=publish]")).to_be_checked()
    form.locator("[type=submit]").click()
    dataset = Dataset.objects.get()
    expect(page).to_have_url(url("opendata:dataset_edit", dataset.pk))
    expect(page.locator("#dataset-state")).to_have_attribute("data-published", "true")
    expect(page.locator("#dataset-identifier")).to_have_text("p_tv:convenzioni")
    checked_page.assert_clean()

    # Logged out: the national index lists Treviso; its catalogue lists the dataset.
    page.context.clear_cookies()
    page.goto(url("opendata:index"))
    checked_page.assert_clean()
    page.locator(f"#catalogs a[href='{reverse('opendata:catalog_page', args=['tv'])}']").click()
    expect(page).to_have_url(url("opendata:catalog_page", "tv"))
    checked_page.assert_clean()
    page.locator("#datasets a[data-slug=convenzioni]").click()
    expect(page).to_have_url(url("opendata:dataset_page", "tv", "convenzioni"))
    expect(page.locator("#dataset-identifier")).to_have_text("p_tv:convenzioni")
    expect(page.locator("#distributions tbody tr")).to_have_count(2)
    checked_page.assert_clean()

    # The harvestable catalogue answers, in Turtle, with the dataset in it.
    page.goto(url("opendata:catalog_page", "tv"))
    href = page.locator("#catalog-ttl").get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert "p_tv:convenzioni" in response.text()
    assert "dcatapit:Dataset" in response.text()
    csv_response = page.request.get(url("opendata:download", "tv", "convenzioni", "csv"))
    assert csv_response.status == 200
    assert "Comune di Montebelluna" in csv_response.text()
