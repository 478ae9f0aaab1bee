"""The indicators' dashboards in a real browser: the Province's map of its comuni coloured by an indicator
and its Vega-Lite charts drawn in Vega's CSP-safe mode (no eval under the strict CSP), then a Comune's
dashboard with its comparison and trend charts. Every page passes the CSP check and axe (WCAG 2.1 AA)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.accounts.testing import PASSWORD
from casacomuni.indicators.testing import add_values, indicator_for_tests
from casacomuni.territory.models import Municipality, Province

pytestmark = pytest.mark.browser
YEARS = (2024, 2025)


@pytest.fixture
def treviso(territory):
    """The Province of Treviso with a data officer; Montebelluna with a referent; a value of the indicator
    for every comune of the province in two years."""
    province = Province.objects.get(sigla="TV")
    province_org = Organization.objects.create(
        kind=OrganizationKind.PROVINCE, name="Provincia di Treviso", province=province
    )
    montebelluna = Municipality.objects.current().get(name="Montebelluna")
    comune = Organization.objects.create(
        kind=OrganizationKind.MUNICIPALITY,
        name="Comune di Montebelluna",
        province=province,
        municipality=montebelluna,
    )
    officer = User.objects.create_user("dati_treviso", password=PASSWORD, first_name="Dario")
    Membership.objects.create(user=officer, organization=province_org, role=Role.DATA_OFFICER)
    referent = User.objects.create_user("referente_montebelluna", password=PASSWORD, first_name="Rita")
    Membership.objects.create(user=referent, organization=comune, role=Role.MUNICIPALITY_REFERENT)
    indicator = indicator_for_tests()
    comuni = list(province.municipalities.current().order_by("istat_code"))
    for offset, year in enumerate(YEARS):
        add_values(indicator, year, {m: (index + offset) % 7 for index, m in enumerate(comuni)})
    return officer, referent, montebelluna, len(comuni)


def test_the_province_sees_its_map_and_charts_and_a_comune_its_own_dashboard(
    checked_page, live_server, log_in, treviso
):
    officer, referent, montebelluna, comuni = treviso
    page = checked_page.page
    log_in(officer)
    page.goto(live_server.url + reverse("indicators:home"))
    expect(page).to_have_url(live_server.url + reverse("indicators:province", args=["TV"]))
    # Every comune of the province is a shape of the map, besides the province's outline.
    expect(page.locator("[data-indicator-map] .leaflet-overlay-pane path")).to_have_count(comuni + 1)
    expect(page.locator("#chart-distribution[data-rendered] svg").first).to_be_visible()
    expect(page.locator("#chart-trend[data-rendered] svg").first).to_be_visible()
    expect(page.locator("#ranking-table tbody tr")).to_have_count(comuni)
    expect(page.locator("#chart-trend-table tbody tr")).to_have_count(len(YEARS))
    checked_page.assert_clean()

    page.locator("#ranking-table").get_by_role("link", name="Montebelluna", exact=True).click()
    expect(page).to_have_url(
        live_server.url
        + reverse("indicators:municipality", args=[montebelluna.istat_code])
        + f"?indicatore=services_joined&anno={YEARS[-1]}"
    )
    expect(page.locator("#chart-comparison[data-rendered] svg").first).to_be_visible()
    checked_page.assert_clean()

    page.context.clear_cookies()
    log_in(referent)
    page.goto(live_server.url + reverse("indicators:home"))
    expect(page.locator("#chart-comparison[data-rendered] svg").first).to_be_visible()
    expect(page.locator("#chart-trend[data-rendered] svg").first).to_be_visible()
    expect(
        page.locator("#overview-table tbody tr[data-indicator=services_joined] td[data-value]")
    ).to_have_text(str((comuni_index(montebelluna) + 1) % 7))
    checked_page.assert_clean()


def comuni_index(municipality) -> int:
    """The position of ``municipality`` among its province's current comuni by ISTAT code."""
    codes = list(
        municipality.province.municipalities.current()
        .order_by("istat_code")
        .values_list("istat_code", flat=True)
    )
    return codes.index(municipality.istat_code)


def test_upi_sees_the_provinces_on_the_map_of_italy(
    checked_page, live_server, log_in, treviso, dirigente_upi
):
    page = checked_page.page
    log_in(dirigente_upi)
    page.goto(live_server.url + reverse("indicators:home"))
    expect(page).to_have_url(live_server.url + reverse("indicators:national"))
    # ISTAT 2023: 107 supra-municipal units, each an outline of the map; Treviso the one with a value.
    expect(page.locator("[data-indicator-map] .leaflet-overlay-pane path")).to_have_count(107)
    expect(page.locator("#ranking-table tbody tr[data-sigla=TV]")).to_have_count(1)
    expect(page.locator("#chart-provinces[data-rendered] svg").first).to_be_visible()
    expect(page.locator("#chart-trend[data-rendered] svg").first).to_be_visible()
    checked_page.assert_clean()
