"""The territory's public pages in the main navigation (see casacomuni.lib.navigation)."""

from django.utils.translation import gettext_lazy as _

from casacomuni.lib.navigation import PUBLIC, NavEntry, Section

NAV = [
    NavEntry(_("Regions and provinces"), "territory:regions", Section.TERRITORY, PUBLIC, order=10),
    NavEntry(_("Search a comune"), "territory:search", Section.TERRITORY, PUBLIC, order=20),
]
