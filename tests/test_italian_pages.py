"""Every page a persona reaches speaks Italian: no English word of an untranslated interface and no raw code
of the models (``not_applicable``) in what a person reads, beyond missing catalogue entries.

For each persona the test follows the links of the pages it can open, from its dashboard, on the world of the
cross-tenant matrix (every kind of object exists), and checks each page with ``italian_problems``. Each route
is read at most twice, so that the walk stays bounded as the data grows.
"""

from collections import Counter, deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import Resolver404, resolve, reverse

from casacomuni.accounts.testing import PERSONAS
from casacomuni.web.testing import italian_problems
from test_cross_tenant import login, tenant_world  # noqa: F401 (a fixture)

# The words of a page do not depend on the database: one pass is enough (docs/adr/0010).
pytestmark = pytest.mark.once
PAGES_PER_ROUTE = 2
# Routes left out of the walk: they change the session or are machine-readable documents.
SKIPPED_ROUTES = {"accounts:logout", "accounts:switch", "api:openapi-view", "api:openapi-json"}
HREF = r'href="([^"#][^"]*)"'


def internal_links(html: str) -> list[str]:
    import re

    links = []
    for href in re.findall(HREF, html):
        href = urldefrag(href.replace("&amp;", "&")).url
        parts = urlsplit(href)
        if not parts.netloc and href.startswith("/"):
            links.append(href)
    return links


def route_of(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return None


def walk(client, start: str):
    """The HTML pages reachable from ``start``, each route at most PAGES_PER_ROUTE times: (path, html)."""
    seen, per_route, queue = {start}, Counter(), deque([start])
    while queue:
        path = queue.popleft()
        route = route_of(path)
        if route is None or route in SKIPPED_ROUTES or per_route[route] >= PAGES_PER_ROUTE:
            continue
        response = client.get(path)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        per_route[route] += 1
        html = response.content.decode()
        yield path, html
        for link in internal_links(html):
            if link not in seen:
                seen.add(link)
                queue.append(link)


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_every_page_a_persona_reaches_is_in_italian(client, tenant_world, persona):  # noqa: F811
    login(client, tenant_world, persona)
    problems = []
    for path, html in walk(client, reverse("web:dashboard")):
        problems.extend(f"{path}: {problem}" for problem in italian_problems(html))
    assert not problems, "\n".join(problems)
