"""Menu entries of the SUA pillar: the public calculators, for everybody (no login needed)."""

from django.utils.translation import gettext_lazy as _

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
