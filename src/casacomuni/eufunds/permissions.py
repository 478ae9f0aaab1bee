"""Who may do what in the EU-funds office: predicates on the membership a user (views) or an actor (services)
acts through."""

from casacomuni.accounts.roles import EUFUNDS_OFFICE_ROLES, LOCAL_ROLES, OrganizationKind, Role

# Who reads the catalogue of calls: the office, the Comuni's people, UPI.
READER_ROLES = (*EUFUNDS_OFFICE_ROLES, *LOCAL_ROLES, Role.UPI_ADMIN)


def runs_the_office(membership) -> bool:
    """The membership is of the Province's EU-funds office: its administrator or an EU-funds officer."""
    return (
        membership is not None
        and membership.role in EUFUNDS_OFFICE_ROLES
        and membership.organization.kind == OrganizationKind.PROVINCE
    )
