"""The main journey in a real browser: log in, switch organisation, browse the territory.

Every page visited must respect the strict CSP, raise no script error and pass axe (WCAG 2.1 AA).
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from casacomuni.accounts.roles import OrganizationKind
from casacomuni.territory.models import Municipality

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("screen")]


def test_officer_switches_organisation_and_browses_the_territory(
    checked_page, live_server, log_in, funzionario_sua
):
    def url(name: str, *args) -> str:
        return live_server.url + reverse(name, args=args)

    page = checked_page.page
    log_in(funzionario_sua)

    # A user acts first through the oldest of their roles: here the Province's.
    expect(page).to_have_url(url("web:dashboard"))
    expect(page.locator("h1")).to_have_text("Provincia di Treviso")
    checked_page.assert_clean()

    # The switcher in the header is a menu (Bootstrap's dropdown, so its script must run under the CSP)
    # of one button per organisation.
    page.locator("#organization-switcher").click()
    page.get_by_role("button", name="Comune di Castelfranco Veneto").click()
    expect(page).to_have_url(url("web:dashboard"))
    expect(page.locator("h1")).to_have_text("Comune di Castelfranco Veneto")
    comune = funzionario_sua.memberships.get(organization__kind=OrganizationKind.MUNICIPALITY)
    expect(page.locator(f"button[name=membership][value='{comune.pk}']")).to_have_attribute(
        "aria-current", "true"
    )
    checked_page.assert_clean()

    page.goto(url("territory:regions"))
    main = page.get_by_role("main")
    # Italy's 20 regions (ISTAT, Elenco dei codici e delle denominazioni delle unità territoriali).
    expect(main.get_by_role("table").locator("tbody tr")).to_have_count(20)
    checked_page.assert_clean()

    main.get_by_role("link", name="Veneto", exact=True).click()
    expect(page).to_have_url(url("territory:region", "05"))
    expect(page.locator("h1")).to_have_text("Veneto")
    checked_page.assert_clean()

    main.get_by_role("link", name="Treviso", exact=True).click()
    expect(page).to_have_url(url("territory:province", "TV"))
    expect(main.get_by_role("table")).to_contain_text("Castelfranco Veneto")
    # The map is drawn by Leaflet from the GeoJSON the page fetches: its outlines are SVG paths.
    expect(page.locator(".leaflet-overlay-pane path").first).to_be_visible()
    checked_page.assert_clean()

    main.get_by_role("table").get_by_role("link", name="Castelfranco Veneto", exact=True).click()
    castelfranco = Municipality.objects.current().get(name="Castelfranco Veneto")
    expect(page).to_have_url(url("territory:municipality", castelfranco.istat_code))
    expect(page.locator("h1")).to_contain_text("Castelfranco Veneto")
    checked_page.assert_clean()

    # Search ignores accents and case: "citta di ca" finds Città di Castello (PG).
    page.goto(url("territory:search"))
    page.get_by_role("searchbox").fill("citta di ca")
    page.get_by_role("search").get_by_role("button").click()
    results = main.get_by_role("table")
    expect(results.get_by_role("link", name="Città di Castello", exact=True)).to_be_visible()
    checked_page.assert_clean()
