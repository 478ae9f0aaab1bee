"""Menu entries of training: the catalogue and its paths for the Province's training office and the Comuni's people, the
staff, the needs and the 40-hour ledger for the office and the Comuni's referents, the plans for all of them,
each person's own hours, and the dashboards (a referent's organisation, the office's Province, UPI's nation)."""

from django.utils.translation import gettext_lazy as _

from casacomuni.accounts.roles import LOCAL_ROLES, TRAINING_OFFICE_ROLES, Role
from casacomuni.lib.navigation import NavEntry, Section

NAV = [
    NavEntry(
        _("Training catalogue"),
        "training:module_list",
        Section.TRAINING,
        {*TRAINING_OFFICE_ROLES, *LOCAL_ROLES},
        order=10,
    ),
    NavEntry(
        _("Training paths"),
        "training:path_list",
        Section.TRAINING,
        {*TRAINING_OFFICE_ROLES, *LOCAL_ROLES},
        order=10,
    ),
    NavEntry(
        _("Staff"),
        "training:staff_list",
        Section.TRAINING,
        {*TRAINING_OFFICE_ROLES, Role.MUNICIPALITY_REFERENT},
        order=11,
    ),
    NavEntry(
        _("Training needs"),
        "training:needs",
        Section.TRAINING,
        {*TRAINING_OFFICE_ROLES, Role.MUNICIPALITY_REFERENT},
        order=12,
    ),
    NavEntry(
        _("Training plans"),
        "training:plans",
        Section.TRAINING,
        {*TRAINING_OFFICE_ROLES, *LOCAL_ROLES},
        order=13,
    ),
    NavEntry(
        _("Training hours"),
        "training:ledger",
        Section.TRAINING,
        {*TRAINING_OFFICE_ROLES, Role.MUNICIPALITY_REFERENT},
        order=14,
    ),
    NavEntry(
        _("My training hours"),
        "training:my_hours",
        Section.TRAINING,
        {*TRAINING_OFFICE_ROLES, *LOCAL_ROLES},
        order=15,
    ),
    # Dashboards (dash): each reader its own.
    NavEntry(
        _("Training dashboard"),
        "training:dashboard_comune",
        Section.TRAINING,
        {Role.MUNICIPALITY_REFERENT},
        order=16,
    ),
    NavEntry(
        _("Training dashboard"),
        "training:dashboard_province",
        Section.TRAINING,
        set(TRAINING_OFFICE_ROLES),
        order=16,
    ),
    NavEntry(
        _("Training dashboard"), "training:dashboard_national", Section.TRAINING, {Role.UPI_ADMIN}, order=16
    ),
]
