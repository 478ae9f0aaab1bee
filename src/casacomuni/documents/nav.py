"""The templates page in the main navigation (see casacomuni.lib.navigation)."""

from django.utils.translation import gettext_lazy as _

from casacomuni.accounts.roles import Role
from casacomuni.lib.navigation import NavEntry, Section

NAV = [
    NavEntry(_("Document models"), "documents:templates", Section.AGREEMENTS, {Role.PROVINCE_ADMIN}, order=90)
]
