"""Menu entries of the model library: the library for everyone who acts for an organisation, the transfer of
models for UPI."""

from django.utils.translation import gettext_lazy as _

from casacomuni.accounts.roles import Role
from casacomuni.lib.navigation import AUTHENTICATED, NavEntry, Section

NAV = [
    NavEntry(_("Model library"), "library:model_list", Section.NETWORK, AUTHENTICATED, order=10),
    NavEntry(_("Transfer of models"), "library:transfer", Section.NETWORK, {Role.UPI_ADMIN}, order=11),
]
