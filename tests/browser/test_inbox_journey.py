"""The inbox in a real browser: an operator's representative sees three unread notices on the header's badge,
opens the inbox, opens one notice (it leads to its page, becomes read, and the badge says two), then sets the
register's notices to the daily digest. Every page must respect the strict CSP, fit the screen and pass axe."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.accounts.testing import PASSWORD
from casacomuni.inbox.models import NoticePreference
from casacomuni.inbox.testing import make_notification

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("screen")]


@pytest.fixture
def representative(live_server):
    """A company's representative with three unread notices and one read."""
    company = Organization.objects.create(kind=OrganizationKind.OPERATOR, name="Edilizia Umbra S.r.l.")
    user = User.objects.create_user(
        "olga_edilizia", password=PASSWORD, first_name="Olga", last_name="Bianchi"
    )
    Membership.objects.create(user=user, organization=company, role=Role.OPERATOR_REPRESENTATIVE)
    profile = reverse("accounts:profile")
    make_notification(user, "Albo di Treviso: iscrizione approvata", kind="procurement.register", url=profile)
    make_notification(
        user, "Aggiudicazione del lotto 1 della procedura 12", kind="procurement.award", url=profile
    )
    make_notification(
        user, "Documenti dell'albo in scadenza", kind="procurement.register_expiry", url=profile
    )
    make_notification(user, "Ricevuta dell'offerta", kind="procurement.bid_receipt", read=True, url=profile)
    return user


def test_the_badge_counts_the_unread_and_a_kind_goes_to_the_digest(
    checked_page, live_server, log_in, representative
):
    page = checked_page.page
    log_in(representative)
    expect(page.locator("#inbox-badge")).to_have_text("3")
    expect(page.locator("#inbox-label")).to_have_text("3 notifiche non lette")

    checked_page.follow(page.locator("#inbox-link"))
    checked_page.assert_clean()
    expect(page.locator("#notifications tbody tr")).to_have_count(4)

    checked_page.follow(page.get_by_role("link", name="Aggiudicazione del lotto 1 della procedura 12"))
    assert page.url == live_server.url + reverse("accounts:profile")
    expect(page.locator("#inbox-badge")).to_have_text("2")
    expect(page.locator("#inbox-label")).to_have_text("2 notifiche non lette")

    page.goto(live_server.url + reverse("inbox:preferences"))
    checked_page.assert_clean()
    # The award (art. 90 D.Lgs. 36/2023) may wait for the digest but not be turned off.
    expect(page.locator("input[name='procurement.award'][value='none']")).to_have_count(0)
    page.locator("input[name='procurement.register'][value='digest']").check()
    checked_page.follow(page.locator("#notice-preferences [type=submit]"))
    expect(page.locator("input[name='procurement.register'][value='digest']")).to_be_checked()
    checked_page.assert_clean()
    assert NoticePreference.objects.get(user=representative).delivery == "digest"
