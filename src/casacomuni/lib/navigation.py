"""What an app declares of its pages for the main navigation: ``NavEntry`` and the ``Section`` it belongs to.

An app lists its pages in ``<app>/nav.py``::

    from casacomuni.lib.navigation import AUTHENTICATED, NavEntry, Section

    NAV = [NavEntry(_("Members"), "accounts:members", Section.ADMINISTRATION, roles={Role.PROVINCE_ADMIN})]

The declarations live in ``lib`` so that every app can make them without importing ``web``, which sits above the
apps; ``casacomuni.web.navigation`` collects the lists and builds the menu.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Who may see an entry when it is not restricted to roles.
PUBLIC = "public"
AUTHENTICATED = "authenticated"


class Section(models.TextChoices):
    """The pillars of the platform, then the territory, the administration and the API."""

    PROCUREMENT = "procurement", _("Procurement")
    EUFUNDS = "eufunds", _("Europe")
    INSIGHTS = "insights", _("Innovation and data")
    TRAINING = "training", _("Training")
    AGREEMENTS = "agreements", _("Agreements")
    NETWORK = "network", _("Network")
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
