"""Menu entries of the EU-funds office (the same role sets the views check)."""

from django.utils.translation import gettext_lazy as _

from casacomuni.accounts.roles import EUFUNDS_OFFICE_ROLES, LOCAL_ROLES, Role
from casacomuni.eufunds.models import DIGEST_EDITOR_ROLES
from casacomuni.lib.navigation import NavEntry, Section

NAV = [
    NavEntry(
        _("Calls for funding"),
        "eufunds:call_list",
        Section.EUFUNDS,
        {*EUFUNDS_OFFICE_ROLES, *LOCAL_ROLES, Role.UPI_ADMIN},
        order=1,
    ),
    NavEntry(
        _("Import calls"),
        "eufunds:import_calls",
        Section.EUFUNDS,
        {*EUFUNDS_OFFICE_ROLES, Role.UPI_ADMIN},
        order=5,
    ),
    NavEntry(
        _("Calls digest"),
        "eufunds:digest_preview",
        Section.EUFUNDS,
        {*EUFUNDS_OFFICE_ROLES, *LOCAL_ROLES},
        order=10,
    ),
    NavEntry(
        _("Digest preferences"),
        "eufunds:digest_preferences",
        Section.EUFUNDS,
        set(DIGEST_EDITOR_ROLES),
        order=11,
    ),
]
