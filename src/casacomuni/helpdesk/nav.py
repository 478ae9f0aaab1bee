"""Menu entries of the help desk: the requests (the Comuni's own, the offices' queues) and the FAQ for both; the
indicators and the categories for the Province's offices."""

from django.utils.translation import gettext_lazy as _

from casacomuni.accounts.roles import LOCAL_ROLES, PROVINCE_ROLES
from casacomuni.lib.navigation import NavEntry, Section

NAV = [
    NavEntry(
        _("Requests for help"), "helpdesk:list", Section.NETWORK, {*PROVINCE_ROLES, *LOCAL_ROLES}, order=30
    ),
    NavEntry(_("Help desk FAQ"), "helpdesk:faq", Section.NETWORK, {*PROVINCE_ROLES, *LOCAL_ROLES}, order=31),
    NavEntry(_("Help desk indicators"), "helpdesk:kpis", Section.NETWORK, set(PROVINCE_ROLES), order=32),
    NavEntry(
        _("Help desk categories"), "helpdesk:categories", Section.NETWORK, set(PROVINCE_ROLES), order=33
    ),
]
