"""The audit trail in the main navigation (see casacomuni.lib.navigation)."""

from django.utils.translation import gettext_lazy as _

from casacomuni.accounts.roles import ADMIN_ROLES
from casacomuni.lib.navigation import NavEntry, Section

NAV = [NavEntry(_("Audit trail"), "audit:events", Section.ADMINISTRATION, ADMIN_ROLES, order=90)]
