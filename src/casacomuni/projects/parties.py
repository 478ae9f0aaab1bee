"""Who acts on applications and funded projects: the acting Comune (Unione), the Province's EU-funds office,
and the Comuni and Unioni of an office's territory. Both sub-packages (``applications``, ``funded``) scope
their reads and writes with these."""

from casacomuni.accounts import tenancy
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import EUFUNDS_OFFICE_ROLES, LOCAL_KINDS, LOCAL_ROLES

READER_ROLES = (*EUFUNDS_OFFICE_ROLES, *LOCAL_ROLES)


# The tenancy primitives under the names these apps read them by.
local_party = tenancy.as_local_party
office_of = tenancy.as_eufunds_office


def local_parties_of(office: Organization):
    """The Comuni and Unioni of the office's territory."""
    return Organization.objects.filter(kind__in=LOCAL_KINDS, province_id=office.province_id, is_active=True)
