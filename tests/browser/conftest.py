"""Plumbing of the browser tests: Debian's Chromium driven by pytest-playwright against ``live_server``.

Every page a test visits goes through ``checked_page``, which fails the test on a Content-Security-Policy
violation or a JavaScript error and runs axe-core (WCAG 2.1 A and AA) on request.
"""

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import ConsoleMessage, Error, Locator, Page, Response, expect

from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.accounts.testing import PASSWORD
from casacomuni.territory.models import Municipality, Province
from casacomuni.territory.testing import load_territory

CHROMIUM = Path("/usr/bin/chromium")
AXE_SOURCE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
# The journeys run at both sizes: a desktop's, and a phone's (an iPhone's 375 CSS pixels, the narrowest
# common one).
SCREENS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 812}}
SUBRESOURCES = {"script", "stylesheet", "font", "image"}
# Shortens the data: URLs (whole fonts) that a CSP message may quote.
LONG_DATA_URL = re.compile(r"(data:[^,'\"\s]*,.{40})[^'\"\s]+")
# Debian's Chromium in a container: no sandbox (it needs user namespaces), no GPU, and none of the
# background traffic (updates, sync, QUIC probes) that would reach the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"true", "1"}


def pytest_collection_modifyitems(items):
    """Browser tests run last: they are the slowest, and the ORM check they switch off (below) stays off
    for the rest of the session."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright():
    """Playwright's sync API keeps an asyncio event loop running in the test's thread; Django then takes
    every ORM call made by the test (to create users, load data) for a call from async code and refuses it
    with SynchronousOnlyOperation. The calls are in fact synchronous, so the check is switched off — only
    once a browser test starts; browser tests run last, so the other tests keep the check."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium, never a downloaded browser; skip (fail in CI) when it is missing.

    The browser is launched through this fixture, so raising here stops every browser test before
    Playwright looks for a browser of its own."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install it with `apt-get install chromium`"
        if in_ci():
            pytest.fail(f"{reason} (CI must run the browser tests)", pytrace=False)
        pytest.skip(reason)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Reduced motion switches off Bootstrap's transitions, so that axe never measures a colour half-way.
    return {
        **browser_context_args,
        "locale": "it-IT",
        "timezone_id": "Europe/Rome",
        "reduced_motion": "reduce",
    }


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_SOURCE.exists():
        pytest.fail(f"{AXE_SOURCE} is missing: run scripts/vendor_assets.sh", pytrace=False)
    return AXE_SOURCE.read_text(encoding="utf-8")


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    at {' '.join(map(str, node['target']))}" for node in violation["nodes"])
    return "\n".join(lines)


@dataclass
class CheckedPage:
    """A page whose CSP violations, script errors and failed loads are collected, with axe on demand."""

    page: Page
    axe_source: str
    problems: list[str] = field(default_factory=list)
    axe_ran_at_phone_size: bool = False

    def __post_init__(self):
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_page_error)
        self.page.on("response", self._on_response)

    def _on_console(self, message: ConsoleMessage) -> None:
        if "content security policy" in message.text.lower():
            text = LONG_DATA_URL.sub(r"\1…", message.text)
            source = message.location.get("url") or "the page"
            self.problems.append(f"CSP violation on {self.page.url} (from {source}): {text}")

    def _on_page_error(self, error: Error) -> None:
        self.problems.append(f"JavaScript error on {self.page.url}: {error}")

    def _on_response(self, response: Response) -> None:
        """A page that fails on the server, or a script, style, font or image it references that does not
        load, is a problem; the pages' own 4xx answers (a refused form, say) are for the tests to check."""
        kind = response.request.resource_type
        failed = response.status >= 500 or (response.status >= 400 and kind in SUBRESOURCES)
        if failed and not response.url.endswith("/favicon.ico"):
            self.problems.append(f"HTTP {response.status} for {kind} {response.url}")

    def follow(self, locator: Locator) -> None:
        """Click a link (or a button) that opens another page, and wait until that page has loaded: a check
        run before the browser has swapped documents would read the old page, or none at all."""
        with self.page.expect_navigation():
            locator.click()

    def open_tab(self, tab: Locator) -> None:
        """Click a tab link (htmx swaps its panel in; without JavaScript the page loads) and wait until it is
        the current tab and its panel is in place, even when it was the current tab already."""
        tab.click()
        self.wait_for_htmx()
        expect(tab).to_have_attribute("aria-current", "page")

    def wait_for_htmx(self) -> None:
        """Wait until no htmx request is under way and its swap has settled. htmx marks the element of a request
        from the click on, and keeps a swapped element's old classes for a moment ("settling", for CSS
        transitions): a button enabled by the swap would still wear "disabled", greyed, for axe to measure."""
        self.page.wait_for_function(
            "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
        )

    def assert_no_problems(self) -> None:
        problems, self.problems = self.problems, []
        assert not problems, "\n".join(problems)

    def assert_accessible(self) -> None:
        """Run axe-core on the current page and fail on any serious or critical WCAG 2.1 A/AA violation.

        axe is injected with ``evaluate``, which the page's CSP does not govern; a <script> tag (what
        ``add_script_tag`` adds) would be blocked by script-src 'self', and the test must keep the CSP on.

        At a phone's width axe runs on the test's first page only: what the width changes is the header and its
        menu, the same on every page; the pages' content is checked at a desktop's width (the journeys run at
        both), and at a phone's every page is still checked for its width, the CSP and script errors."""
        if self.page.viewport_size and self.page.viewport_size["width"] < SCREENS["desktop"]["width"]:
            if self.axe_ran_at_phone_size:
                return
            self.axe_ran_at_phone_size = True
        self.wait_for_htmx()
        if not self.page.evaluate("() => typeof window.axe === 'object'"):
            self.page.evaluate(self.axe_source)
        violations = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
            ".then(result => result.violations)",
            AXE_TAGS,
        )
        blocking = [violation for violation in violations if violation["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"Accessibility violations on {self.page.url}:\n{format_violations(blocking)}"

    def assert_fits_the_screen(self) -> None:
        """The page does not scroll sideways: nothing is wider than the window (wide tables scroll in their
        own box)."""
        width, window = self.page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width <= window, f"{self.page.url} is {width} px wide in a window of {window} px"

    def assert_clean(self) -> None:
        """The current page loaded, respects the CSP, raised no script error, fits the screen's width and
        passes axe."""
        self.assert_no_problems()
        self.assert_fits_the_screen()
        self.assert_accessible()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_passed = report.passed
    return report


@pytest.fixture
def checked_page(request, page: Page, axe_source: str) -> CheckedPage:
    checked = CheckedPage(page, axe_source)
    yield checked
    # A problem reported after the test's last check (a late script error, say) still fails a test that
    # passed; a test that failed already says what went wrong.
    if getattr(request.node, "call_passed", False):
        checked.assert_no_problems()


@pytest.fixture(params=list(SCREENS))
def screen(request, page: Page) -> str:
    """Runs the test at a desktop's size and again at a phone's: ``pytest.mark.usefixtures("screen")``."""
    page.set_viewport_size(SCREENS[request.param])
    return request.param


@pytest.fixture
def log_in(checked_page: CheckedPage, live_server):
    """Log in through the login form, as a person would; the login page itself is checked too."""

    def log_in(user, password: str = PASSWORD) -> None:
        page = checked_page.page
        page.goto(live_server.url + reverse("accounts:login"))
        checked_page.assert_clean()
        page.locator("input[name=username]").fill(user.username)
        page.locator("input[name=password]").fill(password)
        page.locator("form:has(input[name=password]) [type=submit]").click()
        page.wait_for_load_state()

    return log_in


@pytest.fixture
def territory(live_server):
    """Italy's regions, provinces and comuni, in the database the live server reads (emptied after the test,
    as ``live_server`` tests are transactional)."""
    load_territory()


@pytest.fixture
def funzionario_sua(territory):
    """An SUA officer of the Province of Treviso who is also on the staff of Castelfranco Veneto."""
    treviso = Province.objects.get(sigla="TV")
    province = Organization.objects.create(
        kind=OrganizationKind.PROVINCE, name="Provincia di Treviso", province=treviso
    )
    comune = Organization.objects.create(
        kind=OrganizationKind.MUNICIPALITY,
        name="Comune di Castelfranco Veneto",
        province=treviso,
        municipality=Municipality.objects.current().get(name="Castelfranco Veneto"),
    )
    user = User.objects.create_user(
        "funzionario_sua", password=PASSWORD, first_name="Giulia", last_name="Rossi"
    )
    # In this order: the Province's role is the older one.
    Membership.objects.create(user=user, organization=province, role=Role.SUA_OFFICER)
    Membership.objects.create(user=user, organization=comune, role=Role.MUNICIPALITY_STAFF)
    return user


@pytest.fixture
def dirigente_upi(live_server):
    """An administrator of UPI: one of the roles that must use a second factor."""
    upi = Organization.objects.create(kind=OrganizationKind.UPI, name="Unione delle Province d'Italia")
    user = User.objects.create_user("dirigente_upi", password=PASSWORD)
    Membership.objects.create(user=user, organization=upi, role=Role.UPI_ADMIN)
    return user
