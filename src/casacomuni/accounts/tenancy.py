"""The tenancy policy: what the organisation a user acts for may see.

Every tenant-owned QuerySet's ``for_user(user)`` goes through this module, and views and API operations
read only through ``for_user``. A user acts for one membership at a time (``user.acting_as``, set by
``ActiveMembershipMiddleware`` for pages and by token authentication for the API); with none, nothing is
visible.

- UPI sees every organisation, to steer the Provinces (aggregates only in later pillars).
- A Province sees the organisations of its own territory, itself included.
- A Comune, a Unione or an operator sees only itself.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from casacomuni.accounts.roles import OrganizationKind, Role


def acting_membership(user):
    """The membership the user acts through now, or None."""
    if user is None or not user.is_authenticated:
        return None
    return getattr(user, "acting_as", None)


def acting_organization(user):
    membership = acting_membership(user)
    return membership.organization if membership else None


def organization_filter(user, prefix: str = "") -> Q | None:
    """A filter on an organisation relation (``prefix`` like ``"organization__"``), or None for nothing.

    The single place where the territory rule is written: other apps scope their rows by the
    organisation that owns them with ``scope_by_organization``.
    """
    org = acting_organization(user)
    if org is None:
        return None
    if org.kind == OrganizationKind.UPI:
        return Q()
    if org.kind == OrganizationKind.PROVINCE:
        return Q(**{f"{prefix}province_id": org.province_id})
    return Q(**{f"{prefix}pk": org.pk})


def scope_by_organization(queryset: QuerySet, user, field: str = "organization") -> QuerySet:
    """Rows of ``queryset`` whose owning organisation (``field``) the user's organisation may see."""
    condition = organization_filter(user, prefix=f"{field}__")
    return queryset.none() if condition is None else queryset.filter(condition)


def scope_organizations(queryset: QuerySet, user) -> QuerySet:
    condition = organization_filter(user)
    return queryset.none() if condition is None else queryset.filter(condition)


def scope_memberships(queryset: QuerySet, user) -> QuerySet:
    """Administrators see the memberships they manage; everybody else only their own."""
    membership = acting_membership(user)
    if membership is None:
        return queryset.none()
    if membership.role == Role.UPI_ADMIN:
        return queryset.filter(organization__kind__in=[OrganizationKind.UPI, OrganizationKind.PROVINCE])
    if membership.role == Role.PROVINCE_ADMIN:
        return queryset.filter(organization__province_id=membership.organization.province_id)
    return queryset.filter(user=user)


def has_role(user, *roles: str) -> bool:
    membership = acting_membership(user)
    return membership is not None and membership.role in roles


def require_role(user, *roles: str) -> None:
    """Raise PermissionDenied unless the user acts now with one of ``roles``."""
    if not has_role(user, *roles):
        raise PermissionDenied
