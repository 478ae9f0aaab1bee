"""Menu entries of data collection: campaigns for the Province's data officers and the Comuni, the builder and
the editions for the officers, the digital services catalogue for both."""

from django.utils.translation import gettext_lazy as _

from casacomuni.accounts.roles import DATA_OFFICE_ROLES, LOCAL_ROLES
from casacomuni.lib.navigation import NavEntry, Section

NAV = [
    NavEntry(
        _("Data collection"),
        "insights:campaign_list",
        Section.INSIGHTS,
        {*DATA_OFFICE_ROLES, *LOCAL_ROLES},
        order=10,
    ),
    NavEntry(
        _("Questionnaires"), "insights:questionnaire_list", Section.INSIGHTS, set(DATA_OFFICE_ROLES), order=11
    ),
    NavEntry(
        _("Digital maturity by edition"),
        "insights:editions",
        Section.INSIGHTS,
        set(DATA_OFFICE_ROLES),
        order=12,
    ),
    NavEntry(
        _("Digital services"),
        "insights:service_list",
        Section.INSIGHTS,
        {*DATA_OFFICE_ROLES, *LOCAL_ROLES},
        order=15,
    ),
]
