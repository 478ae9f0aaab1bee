"""Every page wears the same shell: Italian, skip links, a strict CSP with no inline script or style."""

import json
from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inline_scripts = 0
        self.style_attributes = []
        self.style_elements = 0
        self.html_lang = None
        self.body_attrs = {}
        self.skip_links = []
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if "style" in attrs:
            self.style_attributes.append(tag)
        if tag == "script" and not attrs.get("src"):
            self.inline_scripts += 1
        if tag == "style":
            self.style_elements += 1
        if tag == "html":
            self.html_lang = attrs.get("lang")
        if tag == "body":
            self.body_attrs = attrs
        if tag == "a" and "visually-hidden-focusable" in attrs.get("class", ""):
            self.skip_links.append(attrs["href"])


def parse(response) -> PageParser:
    parser = PageParser()
    parser.feed(response.content.decode())
    return parser


PUBLIC_PAGES = ["web:accessibility", "web:legal", "web:privacy", "accounts:login"]


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_is_italian_with_skip_links_to_existing_targets(client, db, name):
    page = parse(client.get(reverse(name)))
    assert page.html_lang == "it"
    assert page.skip_links[0] == "#main-content"
    assert "#footer" in page.skip_links
    assert {link[1:] for link in page.skip_links} <= page.ids


def test_dashboard_skip_links_reach_content_navigation_and_footer(login_as):
    page = parse(login_as("amministratore_provincia").get(reverse("web:dashboard")))
    assert page.skip_links == ["#main-content", "#main-navigation", "#footer"]
    assert {"main-content", "main-navigation", "footer"} <= page.ids


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_has_no_inline_script_or_style(client, db, name):
    response = client.get(reverse(name))
    page = parse(response)
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "style-src 'self'" in response["Content-Security-Policy"]
    assert (page.inline_scripts, page.style_elements, page.style_attributes) == (0, 0, [])


@pytest.mark.parametrize(
    "persona", ["dirigente_upi", "amministratore_provincia", "referente_comune", "operatore_economico"]
)
def test_dashboard_has_no_inline_script_or_style(login_as, persona):
    response = login_as(persona).get(reverse("web:dashboard"))
    page = parse(response)
    assert response.status_code == 200
    assert "Content-Security-Policy" in response
    assert (page.inline_scripts, page.style_elements, page.style_attributes) == (0, 0, [])


def test_htmx_request_with_the_body_csrf_header_passes_the_csrf_check(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.personas["referente_comune"])
    headers = json.loads(parse(client.get(reverse("web:dashboard"))).body_attrs["hx-headers"])
    membership = world.memberships["referente_comune"].pk
    without = client.post(reverse("accounts:switch"), {"membership": membership})
    with_header = client.post(
        reverse("accounts:switch"),
        {"membership": membership},
        headers={"X-CSRFToken": headers["X-CSRFToken"]},
    )
    assert (without.status_code, with_header.status_code) == (403, 302)


def test_footer_links_to_the_legal_pages(client, db):
    content = client.get(reverse("web:privacy")).content.decode()
    for name in ("web:accessibility", "web:legal", "web:privacy"):
        assert f'href="{reverse(name)}"' in content


def test_accessibility_statement_tells_how_to_report_and_to_whom_to_appeal(client, db, settings):
    settings.CASACOMUNI_CONTACT_EMAIL = "accessibilita@provincia.example.it"
    content = client.get(reverse("web:accessibility")).content.decode()
    # AgID model statement: compliance status, non-accessible content, feedback, enforcement procedure.
    assert "parzialmente conforme" in content
    assert "mailto:accessibilita@provincia.example.it" in content
    assert "https://form.agid.gov.it/" in content


def test_numbers_and_dates_are_written_the_italian_way():
    template = Template("{% load humanize %}{{ n|intcomma }} {{ d|date:'SHORT_DATE_FORMAT' }} {{ x }}")
    context = Context({"n": 1234567, "d": timezone.datetime(2026, 3, 5), "x": 1234.5})
    with translation.override("it"):
        assert template.render(context) == "1.234.567 05/03/2026 1234,5"
