"""The administration pages of accounts in the main navigation (see casacomuni.lib.navigation)."""

from django.utils.translation import gettext_lazy as _

from casacomuni.accounts.roles import Role
from casacomuni.lib.navigation import NavEntry, Section

NAV = [
    NavEntry(_("Members"), "accounts:members", Section.ADMINISTRATION, {Role.PROVINCE_ADMIN}, order=10),
    NavEntry(
        _("Unions of municipalities"),
        "accounts:unions",
        Section.ADMINISTRATION,
        {Role.PROVINCE_ADMIN},
        order=20,
    ),
    NavEntry(
        _("Province administrators"),
        "accounts:province_admins",
        Section.ADMINISTRATION,
        {Role.UPI_ADMIN},
        order=30,
    ),
    NavEntry(
        _("Requests to act for the company"),
        "accounts:operator_requests",
        Section.ADMINISTRATION,
        {Role.OPERATOR_REPRESENTATIVE},
        order=40,
    ),
]
