"""Menu entries of the experiences: the list and the national map, open to everybody (logged out too)."""

from django.utils.translation import gettext_lazy as _

from casacomuni.lib.navigation import PUBLIC, NavEntry, Section

NAV = [
    NavEntry(_("Experiences and good practices"), "experiences:list", Section.NETWORK, PUBLIC, order=20),
    NavEntry(_("Map of the experiences"), "experiences:map", Section.NETWORK, PUBLIC, order=21),
]
