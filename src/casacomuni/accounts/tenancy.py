"""The tenancy policy: what the organisation a user acts for may see.

Every tenant-owned QuerySet's ``for_user(user)`` goes through this module, and views and API operations
read only through ``for_user``. A user acts for one membership at a time (``user.acting_as``, set by
``ActiveMembershipMiddleware`` for pages and by token authentication for the API); with none, nothing is
visible.

- UPI sees every organisation, to steer the Provinces (aggregates only in later pillars).
- A Province sees the organisations of its own territory, itself included.
- A Comune, a Unione or an operator sees only itself.

The primitives, which every ``for_user`` is built on:

- who the user acts as: ``acting_for`` and its named forms (``as_upi``, ``as_province``, ``as_sua``,
  ``as_eufunds_office``, ``as_data_office``, ``as_local_party``, ``as_comune``, ``as_operator``), each the acting
  organisation or None;
- the territory: ``organization_filter``/``scope_by_organization`` (UPI all, a Province its territory, anyone
  else itself) and ``in_province_of`` (rows shared within a Province);
- the person: ``scope_memberships`` and ``own_rows`` (rows of the signed-in person, whoever they act for).

A model's rule is written once, in its ``for_user``, as a choice among these.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from casacomuni.accounts.roles import (
    DATA_OFFICE_ROLES,
    EUFUNDS_OFFICE_ROLES,
    LOCAL_KINDS,
    LOCAL_ROLES,
    OPERATOR_ROLES,
    SUA_ROLES,
    OrganizationKind,
    Role,
)


def acting_membership(user):
    """The membership the user acts through now, or None."""
    if user is None or not user.is_authenticated:
        return None
    return getattr(user, "acting_as", None)


def acting_organization(user):
    membership = acting_membership(user)
    return membership.organization if membership else None


def acting_for(user, kinds: Iterable[str], roles: Iterable[str] | None = None):
    """The organisation the user acts for, if it is of one of ``kinds`` and (``roles`` given) the user acts
    with one of ``roles``; else None."""
    membership = acting_membership(user)
    if membership is None or membership.organization.kind not in kinds:
        return None
    if roles is not None and membership.role not in roles:
        return None
    return membership.organization


def as_upi(user):
    return acting_for(user, (OrganizationKind.UPI,))


def as_province(user, roles: Iterable[str] | None = None):
    """The Province the user acts for, with any of its roles (or one of ``roles``)."""
    return acting_for(user, (OrganizationKind.PROVINCE,), roles)


def as_sua(user):
    """The Province whose SUA the user acts for (its administrator or a SUA officer)."""
    return as_province(user, SUA_ROLES)


def as_eufunds_office(user):
    """The Province whose EU-funds office the user acts for."""
    return as_province(user, EUFUNDS_OFFICE_ROLES)


def as_data_office(user):
    """The Province whose data office the user acts for."""
    return as_province(user, DATA_OFFICE_ROLES)


def as_local_party(user):
    """The Comune or Unione the user acts for (its referent or staff)."""
    return acting_for(user, LOCAL_KINDS, LOCAL_ROLES)


def as_comune(user):
    """The Comune (not a Unione) the user acts for."""
    return acting_for(user, (OrganizationKind.MUNICIPALITY,), LOCAL_ROLES)


def as_operator(user):
    """The economic operator the user represents."""
    return acting_for(user, (OrganizationKind.OPERATOR,), OPERATOR_ROLES)


def in_province_of(organization, field: str) -> Q:
    """Rows whose ``field`` (an organisation, or anything with a ``province`` relation) is in the Province of
    ``organization``: the records a Province shares with its Comuni (its services, its albo, its catalogue)."""
    return Q(**{f"{field}__province_id": organization.province_id})


def own_rows(queryset: QuerySet, user, field: str = "user") -> QuerySet:
    """Rows of the signed-in person (``field`` the user relation), whichever organisation they act for now:
    what belongs to a person, not to an organisation (their API tokens, their requests to join)."""
    if user is None or not user.is_authenticated:
        return queryset.none()
    return queryset.filter(**{field: user})


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
