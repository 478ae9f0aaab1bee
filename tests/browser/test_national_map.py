"""UPI's national map of the Provinces' services: all of Italy drawn from one outlines file, the Provinces on
the platform filled by the Comuni that joined, the table beside it as the text alternative."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.territory.models import Province

pytestmark = pytest.mark.browser


def test_upi_sees_the_map_of_italy_with_the_provinces_on_the_platform(
    checked_page, live_server, log_in, territory, dirigente_upi
):
    for sigla in ("TV", "PG"):
        province = Province.objects.get(sigla=sigla)
        Organization.objects.create(
            kind=OrganizationKind.PROVINCE, name=f"Provincia di {province.name}", province=province
        )
    page = checked_page.page
    log_in(dirigente_upi)
    page.goto(live_server.url + reverse("agreements:national"))
    # ISTAT 2023: 107 supra-municipal units, each an outline of the map.
    expect(page.locator("[data-coverage-map] .leaflet-overlay-pane path")).to_have_count(107)
    expect(page.get_by_role("main").get_by_role("table").first).to_contain_text("Treviso (TV)")
    checked_page.assert_clean()
