"""The main navigation shows each role only the pages it may use, grouped by pillar or section."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import NoReverseMatch, reverse

from casacomuni.lib.navigation import AUTHENTICATED, PUBLIC, NavEntry, Section
from casacomuni.web import navigation


def nav_html(response) -> str:
    content = response.content.decode()
    start = content.index('id="main-navigation"')
    return content[start : content.index("</nav>", start)]


@pytest.fixture
def extra_entries():
    """Registers entries for the duration of a test, as a pillar's nav.py would."""
    added = []

    def add(*entries):
        navigation.register(*entries)
        added.extend(entries)

    yield add
    navigation.unregister(*added)


def test_province_administrator_sees_the_administration_of_members_and_unions(login_as):
    menu = nav_html(login_as("amministratore_provincia").get(reverse("web:dashboard")))
    assert reverse("accounts:members") in menu
    assert reverse("accounts:unions") in menu
    assert reverse("accounts:province_admins") not in menu


def test_upi_administrator_manages_province_administrators_not_members(login_as):
    menu = nav_html(login_as("dirigente_upi").get(reverse("web:dashboard")))
    assert reverse("accounts:province_admins") in menu
    assert reverse("accounts:members") not in menu


def test_municipality_staff_sees_no_administration_section(login_as):
    menu = nav_html(login_as("personale_comune").get(reverse("web:dashboard")))
    assert "main-navigation-administration" not in menu
    assert reverse("accounts:members") not in menu
    assert reverse("api:openapi-view") in menu


def test_anonymous_visitor_sees_only_public_entries(client, db):
    menu = nav_html(client.get(reverse("web:privacy")))
    assert reverse("api:openapi-view") not in menu
    assert reverse("accounts:members") not in menu
    public = [entry for entry in navigation.registered() if entry.audience == PUBLIC]
    assert public and all(reverse(entry.url_name) in menu for entry in public)


def test_pillar_appears_only_when_the_role_may_use_one_of_its_pages(world):
    # Training's pages are for the training office and the Comuni's people: an operator never sees the pillar.
    officer = navigation.menu_for(
        world.acting("funzionario_formazione"), world.memberships["funzionario_formazione"]
    )
    operator = navigation.menu_for(
        world.acting("operatore_economico"), world.memberships["operatore_economico"]
    )
    assert Section.TRAINING in [section.key for section in officer]
    assert Section.TRAINING not in [section.key for section in operator]


def test_pillars_come_first_in_their_order(extra_entries, world):
    extra_entries(
        NavEntry("Courses", "web:legal", Section.TRAINING, AUTHENTICATED),
        NavEntry("Calls", "web:privacy", Section.EUFUNDS, AUTHENTICATED),
    )
    user = world.acting("referente_comune")
    keys = [section.key for section in navigation.menu_for(user, world.memberships["referente_comune"])]
    assert keys.index(Section.EUFUNDS) < keys.index(Section.TRAINING) < keys.index(Section.TERRITORY)


def test_current_page_is_marked_for_assistive_technology(login_as):
    response = login_as("amministratore_provincia").get(reverse("accounts:members"))
    assert f'href="{reverse("accounts:members")}" aria-current="page"' in nav_html(response)


def test_a_registered_page_that_does_not_exist_is_an_error_not_a_hidden_link(extra_entries):
    extra_entries(NavEntry("Ghost", "web:no-such-page", Section.TERRITORY, PUBLIC))
    with pytest.raises(NoReverseMatch):
        navigation.menu_for(AnonymousUser(), None)


def test_audience_must_be_public_authenticated_or_roles():
    with pytest.raises(ValueError):
        NavEntry("Typo", "web:legal", Section.TERRITORY, "authenticatd")
