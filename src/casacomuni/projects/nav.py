"""Menu entries of the applications and funded projects, in the Europe section, for the roles that read them."""

from django.utils.translation import gettext_lazy as _

from casacomuni.accounts.roles import Role
from casacomuni.lib.navigation import NavEntry, Section
from casacomuni.projects.parties import READER_ROLES

NAV = [
    NavEntry(
        _("Applications for calls"), "projects:application_list", Section.EUFUNDS, set(READER_ROLES), order=30
    ),
    NavEntry(_("Funded projects"), "projects:project_list", Section.EUFUNDS, set(READER_ROLES), order=31),
    NavEntry(_("Results"), "projects:results", Section.EUFUNDS, set(READER_ROLES), order=32),
    NavEntry(
        _("EU funds: results by Province"), "projects:national", Section.EUFUNDS, {Role.UPI_ADMIN}, order=33
    ),
]
