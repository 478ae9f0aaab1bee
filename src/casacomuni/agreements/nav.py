"""The convenzioni pages in the main navigation (see casacomuni.lib.navigation)."""

from django.utils.translation import gettext_lazy as _

from casacomuni.accounts.roles import Role
from casacomuni.agreements.views import READER_ROLES
from casacomuni.lib.navigation import NavEntry, Section

NAV = [
    NavEntry(_("Services"), "agreements:services", Section.AGREEMENTS, set(READER_ROLES), order=10),
    NavEntry(_("Agreements"), "agreements:list", Section.AGREEMENTS, set(READER_ROLES), order=20),
    NavEntry(_("National map"), "agreements:national", Section.AGREEMENTS, {Role.UPI_ADMIN}, order=30),
]
