"""Menu entries of training: the catalogue for the Province's training office and the Comuni's people, the
staff, the needs and the 40-hour ledger for the office and the Comuni's referents, the plans for all of them,
and each person's own hours."""

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
]
