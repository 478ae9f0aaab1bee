"""Organisation kinds and the roles a member may hold in each.

Pure data: which roles exist, which kind of organisation offers each, which are administrators (who must
use a second factor when the MFA setting is on), and the named groups of roles the apps' permissions use.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    UPI = "upi", _("UPI")
    PROVINCE = "province", _("Province")
    MUNICIPALITY = "municipality", _("Municipality")
    UNION = "union", _("Union of municipalities")
    OPERATOR = "operator", _("Economic operator")


class Role(models.TextChoices):
    UPI_ADMIN = "upi_admin", _("UPI administrator")
    PROVINCE_ADMIN = "province_admin", _("Province administrator")
    SUA_OFFICER = "sua_officer", _("Procurement (SUA) officer")
    EUFUNDS_OFFICER = "eufunds_officer", _("EU funds officer")
    DATA_OFFICER = "data_officer", _("Data officer")
    TRAINING_OFFICER = "training_officer", _("Training officer")
    MUNICIPALITY_REFERENT = "municipality_referent", _("Municipality referent")
    MUNICIPALITY_STAFF = "municipality_staff", _("Municipality staff")
    OPERATOR_REPRESENTATIVE = "operator_representative", _("Operator representative")


ROLES_BY_KIND: dict[str, tuple[str, ...]] = {
    OrganizationKind.UPI: (Role.UPI_ADMIN,),
    OrganizationKind.PROVINCE: (
        Role.PROVINCE_ADMIN,
        Role.SUA_OFFICER,
        Role.EUFUNDS_OFFICER,
        Role.DATA_OFFICER,
        Role.TRAINING_OFFICER,
    ),
    OrganizationKind.MUNICIPALITY: (Role.MUNICIPALITY_REFERENT, Role.MUNICIPALITY_STAFF),
    OrganizationKind.UNION: (Role.MUNICIPALITY_REFERENT, Role.MUNICIPALITY_STAFF),
    OrganizationKind.OPERATOR: (Role.OPERATOR_REPRESENTATIVE,),
}

ADMIN_ROLES = frozenset({Role.UPI_ADMIN, Role.PROVINCE_ADMIN})

# The groups of roles the apps' permissions are written with; each app combines them (for example its readers)
# but does not name a group of its own. A Province's administrator belongs to each of its offices.
PROVINCE_ROLES = ROLES_BY_KIND[OrganizationKind.PROVINCE]
SUA_ROLES = (Role.PROVINCE_ADMIN, Role.SUA_OFFICER)
EUFUNDS_OFFICE_ROLES = (Role.PROVINCE_ADMIN, Role.EUFUNDS_OFFICER)
DATA_OFFICE_ROLES = (Role.PROVINCE_ADMIN, Role.DATA_OFFICER)
TRAINING_OFFICE_ROLES = (Role.PROVINCE_ADMIN, Role.TRAINING_OFFICER)
# The people of a Comune or Unione, and those two kinds of organisation (a Unione acts for its member comuni).
LOCAL_KINDS = (OrganizationKind.MUNICIPALITY, OrganizationKind.UNION)
LOCAL_ROLES = (Role.MUNICIPALITY_REFERENT, Role.MUNICIPALITY_STAFF)
OPERATOR_ROLES = (Role.OPERATOR_REPRESENTATIVE,)


def roles_for_kind(kind: str) -> tuple[str, ...]:
    return ROLES_BY_KIND.get(kind, ())
