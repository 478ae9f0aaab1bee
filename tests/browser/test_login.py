"""Logging in, in a real browser: a wrong password is refused in Italian, an administrator must pass the
second factor before reaching any page."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_wrong_password_is_refused_with_an_italian_message(checked_page, live_server, log_in, dirigente_upi):
    log_in(dirigente_upi, password="not-the-password")

    page = checked_page.page
    expect(page).to_have_url(live_server.url + reverse("accounts:login"))
    # Django's own Italian catalogue (django/contrib/auth/locale/it): "Please enter a correct %(username)s
    # and password." with username = "nome utente".
    expect(page.locator("main")).to_contain_text("Inserisci nome utente e password corretti")
    checked_page.assert_clean()


def test_administrator_is_sent_to_the_second_factor_page(
    checked_page, live_server, log_in, dirigente_upi, settings
):
    settings.CASACOMUNI_MFA_REQUIRED_FOR_ADMINS = True
    log_in(dirigente_upi)

    page = checked_page.page
    expect(page).to_have_url(live_server.url + reverse("accounts:otp") + "?next=/")
    expect(page.locator("input[name=token]")).to_be_visible()
    checked_page.assert_clean()

    # The dashboard stays out of reach until the code is given.
    page.goto(live_server.url + reverse("web:dashboard"))
    expect(page).to_have_url(live_server.url + reverse("accounts:otp") + "?next=/")
