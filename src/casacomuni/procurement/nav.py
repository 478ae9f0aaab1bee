"""Menu entries of the SUA pillar: the public calculators, for everybody (no login needed)."""

from django.utils.translation import gettext_lazy as _

from casacomuni.accounts.roles import Role
from casacomuni.web.navigation import PUBLIC, NavEntry, Section

NAV = [
    NavEntry(
        _("Anomaly threshold calculator"),
        "procurement:anomaly_calculator",
        Section.PROCUREMENT,
        PUBLIC,
        order=10,
    ),
]
NAV.append(
    NavEntry(_("Which procedure?"), "procurement:route_calculator", Section.PROCUREMENT, PUBLIC, order=5)
)

# The procurement requests: the Comune's referents and staff, the Province's administrator and SUA officers.
NAV.append(
    NavEntry(
        _("Procurement requests"),
        "procurement:request_list",
        Section.PROCUREMENT,
        {Role.MUNICIPALITY_REFERENT, Role.MUNICIPALITY_STAFF, Role.PROVINCE_ADMIN, Role.SUA_OFFICER},
        order=1,
    )
)

# The market data from ANAC's OCDS: the Comune's referents and staff, the Province's administrator and SUA
# officers (the roles of casacomuni.procurement.market_views.MARKET_ROLES).
NAV.append(
    NavEntry(
        _("Market data"),
        "procurement:market",
        Section.PROCUREMENT,
        {Role.MUNICIPALITY_REFERENT, Role.MUNICIPALITY_STAFF, Role.PROVINCE_ADMIN, Role.SUA_OFFICER},
        order=40,
    )
)

# The operators' register: the SUA keeps it, the Comuni read its approved operators; the operators follow
# their own applications (roles of casacomuni.procurement.register_models).
NAV.append(
    NavEntry(
        _("Operators' register"),
        "procurement:register_list",
        Section.PROCUREMENT,
        {Role.PROVINCE_ADMIN, Role.SUA_OFFICER, Role.MUNICIPALITY_REFERENT, Role.MUNICIPALITY_STAFF},
        order=20,
    )
)
NAV.append(
    NavEntry(
        _("My registrations in the albi"),
        "procurement:register_mine",
        Section.PROCUREMENT,
        {Role.OPERATOR_REPRESENTATIVE},
        order=21,
    )
)
