"""The indicators in the main navigation (see casacomuni.lib.navigation)."""

from django.utils.translation import gettext_lazy as _

from casacomuni.indicators.selectors import READER_ROLES
from casacomuni.lib.navigation import NavEntry, Section

NAV = [NavEntry(_("Indicators"), "indicators:home", Section.INSIGHTS, set(READER_ROLES), order=50)]
