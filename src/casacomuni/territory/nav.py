"""The territory's public pages in the main navigation (see casacomuni.web.navigation)."""

from django.utils.translation import gettext_lazy as _

from casacomuni.web.navigation import PUBLIC, NavEntry, Section

NAV = [
    NavEntry(_("Regions and provinces"), "territory:regions", Section.TERRITORY, PUBLIC, order=10),
    NavEntry(_("Search a comune"), "territory:search", Section.TERRITORY, PUBLIC, order=20),
]
