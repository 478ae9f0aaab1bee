"""Controls a person can use with a mouse: every checkbox of the main forms gets ticked by a click on the box
drawn for it, as a person would click it. Bootstrap Italia draws the box with its label, so the click lands on
the label's box; a field's label that covers it (the next field's label, lifted over it) takes the click
instead, and the box stays empty — as "Risposta obbligatoria" and "Finanziato dal PNRR" did.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from casacomuni.accounts.testing import make_world
from casacomuni.eufunds.testing import add_eufunds
from casacomuni.insights.testing import make_questionnaire
from casacomuni.procurement.testing import sua_adhesion

pytestmark = pytest.mark.browser

# (persona or None for anyone, URL name, its arguments from the world) of the forms with checkboxes.
FORMS = (
    ("referente_comune", "procurement:request_create", None),
    ("funzionario_dati", "insights:question_create", lambda world: [world.section.pk]),
    ("funzionario_dati", "insights:campaign_create", None),
    ("funzionario_dati", "opendata:dataset_create", None),
    ("funzionario_sua", "procurement:register_list", None),
    ("funzionario_europa", "eufunds:criterion_create", lambda world: [world.call.pk]),
    ("amministratore_provincia", "agreements:service_create", None),
    (None, "procurement:anomaly_calculator", None),
    (None, "procurement:route_calculator", None),
)


@pytest.fixture
def world(live_server, transactional_db):
    """The personas' world, the home Comune joined to its Province's SUA, a questionnaire being built and a
    call entered by the EU-funds office."""
    world = make_world()
    sua_adhesion(world.home, world.home.comune)
    world.section = make_questionnaire(world.home)[1]
    world.call = add_eufunds(world.home, world)["call"]
    return world


def tick_by_mouse(page, checkbox) -> None:
    """Click where the box is drawn: the left end of the checkbox's label, halfway down its first line."""
    label = page.locator(f"label[for='{checkbox.get_attribute('id')}']")
    label.scroll_into_view_if_needed()
    box = label.bounding_box()
    page.mouse.click(box["x"] + 8, box["y"] + 12)


@pytest.mark.parametrize(("persona", "name", "args"), FORMS, ids=[form[1] for form in FORMS])
def test_every_checkbox_of_the_main_forms_is_ticked_by_a_click(
    checked_page, live_server, log_in, world, persona, name, args
):
    page = checked_page.page
    if persona:
        log_in(world.personas[persona])
    page.goto(live_server.url + reverse(name, args=args(world) if args else None))
    checked_page.assert_clean()
    checkboxes = page.locator("main form input[type=checkbox]")
    assert checkboxes.count(), f"no checkbox on {name}"
    for index in range(checkboxes.count()):
        checkbox = checkboxes.nth(index)
        was_checked = checkbox.is_checked()
        tick_by_mouse(page, checkbox)
        expect(checkbox).to_be_checked(checked=not was_checked)
