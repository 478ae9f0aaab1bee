"""The kinds of notice: what each app declares it tells its users, and how each kind may be e-mailed.

An app lists its kinds in ``<app>/notices.py``::

    from casacomuni.inbox.kinds import Delivery, NoticeKind
    from casacomuni.lib.navigation import Section

    NOTICES = [NoticeKind("training.promotion", _("A seat freed up for you"), Section.TRAINING)]

``InboxConfig.ready`` collects every installed app's ``NOTICES`` (as ``web.navigation`` collects the menus), and
``notify`` refuses a kind nobody declared: a typo in a kind is a programming error, caught by the first test that
sends it. The declarations live in ``inbox``, the lowest layer that knows users, so that every app can make them.
"""

from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from casacomuni.lib.navigation import Section


class Delivery(models.TextChoices):
    """How a user gets the e-mail of a kind of notice (the notice is in the inbox whatever they choose)."""

    IMMEDIATE = "immediate", _("Immediately")
    DIGEST = "digest", _("Daily digest")
    NONE = "none", _("Not by e-mail")


ALL_DELIVERIES = (Delivery.IMMEDIATE, Delivery.DIGEST, Delivery.NONE)
# What a user may not turn off, but may gather in the day's digest (e.g. a change of their own access rights).
NEVER_OFF = (Delivery.IMMEDIATE, Delivery.DIGEST)
# What must leave at once: a notice with an attachment (a bid's receipt) or one that is itself a digest.
ONLY_IMMEDIATE = (Delivery.IMMEDIATE,)


@dataclass(frozen=True)
class NoticeKind:
    """A kind of notice. ``name`` is dotted (``"<app>.<what>"``); ``section`` the pillar it is grouped under on
    the preferences page and in the inbox's filter; ``deliveries`` the choices offered to the user, the first
    being the default unless ``default`` says otherwise."""

    name: str
    label: str | Promise
    section: Section
    deliveries: tuple[Delivery, ...] = ALL_DELIVERIES
    default: Delivery = Delivery.IMMEDIATE

    def __post_init__(self):
        if "." not in self.name:
            raise ValueError(f"a notice kind is named '<app>.<what>', not {self.name!r}")
        if self.default not in self.deliveries:
            raise ValueError(f"{self.name}: the default delivery {self.default!r} is not one of its choices")

    @property
    def may_turn_off(self) -> bool:
        return Delivery.NONE in self.deliveries


_kinds: dict[str, NoticeKind] = {}


def register(*kinds: NoticeKind) -> None:
    """Add kinds to the registry; a second, different kind under a name already taken is refused."""
    for kind in kinds:
        known = _kinds.get(kind.name)
        if known is not None and known != kind:
            raise ValueError(f"the notice kind {kind.name!r} is declared twice")
        _kinds[kind.name] = kind


def unregister(*kinds: NoticeKind) -> None:
    for kind in kinds:
        _kinds.pop(kind.name, None)


def get(name: str) -> NoticeKind:
    """The declared kind ``name``; ValueError if no app declared it."""
    try:
        return _kinds[name]
    except KeyError:
        raise ValueError(f"unknown notice kind {name!r}: declare it in its app's notices.py") from None


def find(name: str) -> NoticeKind | None:
    """The declared kind ``name``, or None (a notice stored under a kind since removed)."""
    return _kinds.get(name)


def registered() -> list[NoticeKind]:
    """Every kind, in the order of the pillars, then by label."""
    order = {key: index for index, key in enumerate(Section.values)}
    return sorted(_kinds.values(), key=lambda kind: (order[kind.section], str(kind.label)))


def discover() -> None:
    """Register the ``NOTICES`` list of every installed app that has a ``notices`` module."""
    for config in apps.get_app_configs():
        module_name = f"{config.name}.notices"
        if find_spec(module_name) is not None:
            register(*import_module(module_name).NOTICES)
