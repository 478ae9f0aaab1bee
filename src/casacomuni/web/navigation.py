"""The main navigation: a registry of the entries that each app declares in its own ``nav.py``
(with ``casacomuni.lib.navigation``).

``WebConfig.ready`` collects every installed app's ``NAV``. The context processor shows, by section, only
the entries the acting role may use; a section with no such entry is not shown at all. The pillars come
first, in the order the platform presents its services.
"""

from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.urls import reverse
from django.utils.functional import Promise

from casacomuni.lib.navigation import NavEntry, Section


@dataclass
class MenuSection:
    """A section as the templates show it: its label and the entries the user may use."""

    key: str
    label: str | Promise
    links: list[dict] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return any(link["active"] for link in self.links)


_entries: list[NavEntry] = []


def register(*entries: NavEntry) -> None:
    """Add entries to the navigation (the ``NAV`` lists of the apps go through here)."""
    for entry in entries:
        if entry in _entries:
            continue
        _entries.append(entry)


def unregister(*entries: NavEntry) -> None:
    for entry in entries:
        if entry in _entries:
            _entries.remove(entry)


def registered() -> list[NavEntry]:
    return list(_entries)


def discover() -> None:
    """Register the ``NAV`` list of every installed app that has a ``nav`` module."""
    for config in apps.get_app_configs():
        module_name = f"{config.name}.nav"
        if find_spec(module_name) is None:
            continue
        register(*import_module(module_name).NAV)


def menu_for(user, membership, current_path: str = "") -> list[MenuSection]:
    """The sections, in order, with the entries ``user`` acting through ``membership`` may use.

    A URL name that does not resolve raises NoReverseMatch: a registered page must exist.
    """
    order = {key: index for index, key in enumerate(Section.values)}
    sections: dict[str, MenuSection] = {}
    for entry in sorted(_entries, key=lambda e: (order[e.section], e.order, str(e.label))):
        if not entry.visible_to(user, membership):
            continue
        url = reverse(entry.url_name)
        section = sections.setdefault(entry.section, MenuSection(entry.section, Section(entry.section).label))
        active = current_path == url or (url != "/" and current_path.startswith(url))
        section.links.append({"label": entry.label, "url": url, "active": active})
    return list(sections.values())
