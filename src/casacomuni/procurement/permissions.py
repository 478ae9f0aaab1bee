"""Who may do what in the SUA: predicates the views, templates' contexts and API operations ask.

Which rows a user reads is each model's ``for_user``; these say which role the acting membership has."""

from casacomuni.accounts import tenancy
from casacomuni.accounts.roles import SUA_ROLES


def is_sua(user) -> bool:
    """The user acts for the Province's SUA (its administrator or a SUA officer)."""
    return tenancy.has_role(user, *SUA_ROLES)
