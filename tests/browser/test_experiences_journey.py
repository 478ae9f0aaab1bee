"""The experiences in a real browser (issue 12, acceptance c): logged out, a visitor searches the experiences by
text, finds Padova's published one (and never Treviso's draft, which says the same words), opens it and finds
the Province on the national map; then Treviso's SUA officer submits the draft and UPI publishes it.

Every page visited must respect the strict CSP, raise no script error, fit the screen and pass axe (WCAG 2.1
AA). Links and fields are found by ids, names and the URLs forms post to, never by their text.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.accounts.testing import PASSWORD
from casacomuni.experiences.models import Experience, ExperienceState
from casacomuni.experiences.testing import make_experience
from casacomuni.territory.models import Province

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("screen")]

PUBLISHED = "Gare aggregate per la manutenzione delle strade comunali"
DRAFT = "Gare aggregate per le mense scolastiche"


def province(sigla: str) -> Organization:
    territory = Province.objects.get(sigla=sigla)
    return Organization.objects.create(
        kind=OrganizationKind.PROVINCE, name=f"Provincia di {territory.name}", province=territory
    )


@pytest.fixture
def experiences(territory):
    """Padova's published experience; Treviso's draft, about the same aggregated tenders, and its SUA officer."""
    treviso = province("TV")
    make_experience(province("PD"), PUBLISHED)
    draft = make_experience(treviso, DRAFT, state=ExperienceState.DRAFT)
    officer = User.objects.create_user("sua_treviso", password=PASSWORD, first_name="Sara")
    Membership.objects.create(user=officer, organization=treviso, role=Role.SUA_OFFICER)
    return draft, officer


def test_a_visitor_finds_a_published_experience_and_upi_publishes_a_submitted_one(
    checked_page, live_server, log_in, experiences, dirigente_upi
):
    draft, officer = experiences
    page = checked_page.page

    def url(name: str, *args) -> str:
        return live_server.url + reverse(name, args=args)

    # Logged out: the search refreshes the results as the visitor types (htmx).
    page.goto(url("experiences:list"))
    page.locator("input[name=q]").fill("gare aggregate")
    checked_page.wait_for_htmx()
    results = page.locator("#experience-table tbody")
    expect(results.locator("th a")).to_have_count(1)
    expect(results).to_contain_text(PUBLISHED)
    expect(results).not_to_contain_text(DRAFT)
    checked_page.assert_clean()
    checked_page.follow(results.locator("th a"))
    expect(page.locator("#results")).to_contain_text("42")
    checked_page.assert_clean()

    # The national map: Padova in the table beside the map, linking to its own experiences.
    page.goto(url("experiences:map"))
    expect(page.locator("[data-experiences-map] .leaflet-overlay-pane path").first).to_be_attached()
    checked_page.follow(page.locator("#experiences-by-province a[href$='?province=PD']"))
    expect(page.locator("#province-filter")).to_be_visible()
    checked_page.assert_clean()

    # Treviso's officer submits the draft.
    log_in(officer)
    page.goto(url("experiences:detail", draft.pk))
    checked_page.assert_clean()
    checked_page.follow(
        page.locator(f"form[action='{reverse('experiences:submit', args=[draft.pk])}'] button")
    )
    expect(page.locator("#experience-state")).to_be_visible()
    draft.refresh_from_db()
    assert draft.state == ExperienceState.SUBMITTED

    # UPI finds it waiting for review and publishes it.
    page.context.clear_cookies()
    log_in(dirigente_upi)
    page.goto(url("experiences:list") + "?state=submitted")
    checked_page.follow(
        page.locator(f"#experience-table a[href='{reverse('experiences:detail', args=[draft.pk])}']")
    )
    checked_page.assert_clean()
    checked_page.follow(
        page.locator(f"form[action='{reverse('experiences:publish', args=[draft.pk])}'] button")
    )
    expect(page.locator("#experience-state")).to_have_count(0)
    checked_page.assert_clean()
    assert Experience.objects.get(pk=draft.pk).state == ExperienceState.PUBLISHED
