"""The calendar's journey (issue 12, item 4), at a desktop's size and a phone's.

A SUA officer opens the calendar (the month, then the list), shows only the bid deadlines and follows one to
its procedure; a Comune's referent creates its iCal link, which answers with the calendar. Every page must
respect the strict CSP, raise no script error, fit the screen and pass axe (WCAG 2.1 AA).
"""

import icalendar
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from casacomuni.accounts.testing import make_world
from casacomuni.agenda import sources
from casacomuni.agenda.testing import move_to_today
from casacomuni.procurement.procedures.models import Procedure
from casacomuni.procurement.testing import add_procedures

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("screen")]


@pytest.fixture
def world(live_server):
    world = make_world()
    add_procedures(world.home, world)
    move_to_today(world.home)
    return world


def test_an_officer_follows_a_deadline_and_a_referent_subscribes(
    world, live_server, checked_page, log_in, screen
):
    page = checked_page.page
    log_in(world.personas["funzionario_sua"])
    page.goto(live_server.url + reverse("agenda:calendar"))
    checked_page.assert_clean()
    shown = page.locator("#month-grid" if screen == "desktop" else "#month-list")
    expect(shown.locator("a.agenda-event").first).to_be_visible()

    checked_page.follow(page.locator("#view-list"))
    checked_page.assert_clean()
    # Bootstrap Italia draws the checkbox on its label, which takes the click.
    box = page.locator(f"input[name=tipo][value='{sources.BID_DEADLINE}']")
    page.locator(f"label[for='{box.get_attribute('id')}']").click()
    expect(box).to_be_checked()
    checked_page.follow(page.locator("#filter-submit"))
    checked_page.assert_clean()
    events = page.locator("#event-list a.agenda-event")
    expect(events.first).to_contain_text("Scadenza offerte")
    expect(page.locator("#event-list")).not_to_contain_text("Aggiudicazione richiesta")
    procedure = Procedure.objects.filter(province=world.home.province_org).order_by("pk").first()
    checked_page.follow(page.locator(f"#event-list a[href='/appalti/procedure/{procedure.pk}/']"))
    expect(page.locator("h1")).to_contain_text(procedure.title)

    page.context.clear_cookies()
    log_in(world.personas["referente_comune"])
    page.goto(live_server.url + reverse("agenda:calendar"))
    checked_page.follow(page.locator("#feed-create"))
    checked_page.assert_clean()
    url = page.locator("#new-feed-url").inner_text()
    response = page.request.get(url.replace("http://127.0.0.1:8000", live_server.url))
    assert response.status == 200
    calendar = icalendar.Calendar.from_ical(response.body())
    assert any(str(event["SUMMARY"]).startswith("Scadenza offerte") for event in calendar.walk("VEVENT"))
