"""Menu entries of the open data: the public index for everybody, the management for the Province's
administrator and data officers (the role set the models and views check)."""

from django.utils.translation import gettext_lazy as _

from casacomuni.accounts.roles import DATA_OFFICE_ROLES
from casacomuni.lib.navigation import PUBLIC, NavEntry, Section

NAV = [
    NavEntry(_("Open data"), "opendata:index", Section.INSIGHTS, PUBLIC, order=60),
    NavEntry(_("Manage open data"), "opendata:manage", Section.INSIGHTS, set(DATA_OFFICE_ROLES), order=61),
]
