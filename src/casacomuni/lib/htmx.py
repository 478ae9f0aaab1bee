"""Pages that htmx refreshes in part (docs/adr/0009-htmx-where-it-pays.md): one URL answers the whole page to
a browser and one region of it, a template partial, to htmx."""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_fragment(request) -> bool:
    """An htmx request asks for a region of the page. Its history restore (the back button when htmx's own
    cache has lost the page) is sent as an htmx request too, yet must get the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_page_or_fragment(request, template: str, fragment: str, context: dict):
    """``template`` whole, or its ``{% partialdef fragment %}`` alone to an htmx request; with
    ``Vary: HX-Request``, so that no cache serves the one for the other."""
    name = f"{template}#{fragment}" if wants_fragment(request) else template
    response = render(request, name, context)
    vary_on_htmx(response)
    return response


def vary_on_htmx(response) -> None:
    patch_vary_headers(response, ["HX-Request"])
