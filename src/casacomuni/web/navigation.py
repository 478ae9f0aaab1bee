"""The main navigation: a registry of entries that each app declares in its own ``nav.py``.

An app lists its pages in ``<app>/nav.py``::

    from casacomuni.web.navigation import AUTHENTICATED, NavEntry, Section

    NAV = [NavEntry(_("Members"), "accounts:members", Section.ADMINISTRATION, roles={Role.PROVINCE_ADMIN})]

``WebConfig.ready`` collects every installed app's ``NAV``. The context processor shows, by section, only
the entries the acting role may use; a section with no such entry is not shown at all. The pillars come
first, in the order the platform presents its services.
"""

from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Who may see an entry when it is not restricted to roles.
PUBLIC = "public"
AUTHENTICATED = "authenticated"


class Section(models.TextChoices):
    """The five pillars of the platform, then the territory, the administration and the API."""

    PROCUREMENT = "procurement", _("Procurement")
    EUFUNDS = "eufunds", _("Europe")
    INSIGHTS = "insights", _("Innovation and data")
    TRAINING = "training", _("Training")
    AGREEMENTS = "agreements", _("Agreements")
    TERRITORY = "territory", _("Territory")
    ADMINISTRATION = "administration", _("Administration")
    API = "api", _("API")


@dataclass(frozen=True)
class NavEntry:
    """A page in the navigation. ``audience`` is PUBLIC, AUTHENTICATED, or a set of Role values."""

    label: str | Promise
    url_name: str
    section: Section
    audience: str | frozenset[str] = AUTHENTICATED
    order: int = 100

    def __post_init__(self):
        if not isinstance(self.audience, str):
            object.__setattr__(self, "audience", frozenset(self.audience))
        elif self.audience not in (PUBLIC, AUTHENTICATED):
            raise ValueError(
                f"audience must be PUBLIC, AUTHENTICATED or a set of roles, not {self.audience!r}"
            )

    def visible_to(self, user, membership) -> bool:
        if self.audience == PUBLIC:
            return True
        if self.audience == AUTHENTICATED:
            return bool(user is not None and user.is_authenticated)
        return membership is not None and membership.role in self.audience


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
