"""Menu entries of the SUA pillar: the public calculators for everybody, the requests, the operators' register
and the market data for the roles that use them (the same role sets the models and views check)."""

from django.utils.translation import gettext_lazy as _

from casacomuni.accounts.roles import LOCAL_ROLES, OPERATOR_ROLES, SUA_ROLES, Role
from casacomuni.lib.navigation import PUBLIC, NavEntry, Section

COMUNE_AND_SUA = {*LOCAL_ROLES, *SUA_ROLES}

NAV = [
    NavEntry(
        _("Procurement dashboard"), "procurement:dashboard", Section.PROCUREMENT, COMUNE_AND_SUA, order=0
    ),
    NavEntry(
        _("Procurement requests"), "procurement:request_list", Section.PROCUREMENT, COMUNE_AND_SUA, order=1
    ),
    NavEntry(_("Procedures"), "procurement:procedure_list", Section.PROCUREMENT, COMUNE_AND_SUA, order=2),
    NavEntry(_("Which procedure?"), "procurement:route_calculator", Section.PROCUREMENT, PUBLIC, order=5),
    NavEntry(
        _("Anomaly threshold calculator"),
        "procurement:anomaly_calculator",
        Section.PROCUREMENT,
        PUBLIC,
        order=10,
    ),
    NavEntry(
        _("Operators' register"),
        "procurement:register_list",
        Section.PROCUREMENT,
        {*SUA_ROLES, *LOCAL_ROLES},
        order=20,
    ),
    NavEntry(
        _("My registrations in the albi"),
        "procurement:register_mine",
        Section.PROCUREMENT,
        set(OPERATOR_ROLES),
        order=21,
    ),
    NavEntry(_("Market data"), "procurement:market", Section.PROCUREMENT, COMUNE_AND_SUA, order=40),
    NavEntry(
        _("Procurement by Province"),
        "procurement:national_dashboard",
        Section.PROCUREMENT,
        {Role.UPI_ADMIN},
        order=50,
    ),
    NavEntry(_("Procurement open data (OCDS)"), "ocds:policy", Section.PROCUREMENT, PUBLIC, order=60),
]
