"""The SUA's public calculators in a real browser, without logging in: axe clean, no CSP violation."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# The fifteen bids of procurement/tests/test_anomaly.py (method A, T = 12,846: derivation there).
DISCOUNTS = ["8,000", "9,000", "10,000", "10,500", "11,000", "11,500", "12,000", "12,295", "13,000", "13,500",
             "13,700", "14,000", "14,300", "16,000", "18,500"]  # fmt: skip


def test_anyone_computes_an_anomaly_threshold(checked_page, live_server):
    page = checked_page.page
    page.goto(live_server.url + reverse("procurement:anomaly_calculator"))
    checked_page.assert_clean()
    page.locator("#id_bids").fill("\n".join(f"OE{n:02}; {d}" for n, d in enumerate(DISCOUNTS, start=1)))
    page.locator("form button[type=submit]").click()
    expect(page.locator("#result-title")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("12.846")
    checked_page.assert_clean()


def test_anyone_asks_which_procedure_applies(checked_page, live_server):
    page = checked_page.page
    page.goto(live_server.url + reverse("procurement:route_calculator"))
    checked_page.assert_clean()
    page.locator("#id_amount").fill("150.000,00")
    page.locator("#id_day").fill("2026-03-01")
    page.locator("form button[type=submit]").click()
    expect(page.locator("#route-title")).to_be_visible()
    checked_page.assert_clean()
