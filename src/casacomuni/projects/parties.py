"""Who acts on applications and funded projects: the acting Comune (Unione), the Province's EU-funds office,
and the Comuni and Unioni of an office's territory. Both sub-packages (``applications``, ``funded``) scope
their reads and writes with these."""

from casacomuni.accounts import tenancy
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import EUFUNDS_OFFICE_ROLES, LOCAL_ROLES, OrganizationKind

READER_ROLES = (*EUFUNDS_OFFICE_ROLES, *LOCAL_ROLES)
LOCAL_KINDS = (OrganizationKind.MUNICIPALITY, OrganizationKind.UNION)


def local_party(user):
    """The acting Comune (Unione) when the user reads as one of its people, else None."""
    membership = tenancy.acting_membership(user)
    if membership and membership.organization.kind in LOCAL_KINDS and membership.role in LOCAL_ROLES:
        return membership.organization
    return None


def office_of(user):
    """The acting Province organisation when the user is one of its EU-funds office, else None."""
    membership = tenancy.acting_membership(user)
    if (
        membership
        and membership.organization.kind == OrganizationKind.PROVINCE
        and membership.role in EUFUNDS_OFFICE_ROLES
    ):
        return membership.organization
    return None


def local_parties_of(office: Organization):
    """The Comuni and Unioni of the office's territory."""
    return Organization.objects.filter(kind__in=LOCAL_KINDS, province_id=office.province_id, is_active=True)
