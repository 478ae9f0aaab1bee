"""Write operations on users, organisations, memberships and tokens.

Each function checks that the actor may do it (the views check too: this is the backstop), runs in one
transaction and records an audit event. E-mails go out through background tasks after the commit.
"""

from dataclasses import dataclass
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import ApiToken, Membership, Organization, User, hash_token
from casacomuni.accounts.roles import OrganizationKind, Role, roles_for_kind
from casacomuni.accounts.tasks import send_welcome_email
from casacomuni.audit.services import record_event

# What each administrator may hand out, and in which kinds of organisation.
MANAGED_KINDS = {
    Role.UPI_ADMIN: {OrganizationKind.UPI, OrganizationKind.PROVINCE},
    Role.PROVINCE_ADMIN: {OrganizationKind.PROVINCE, OrganizationKind.MUNICIPALITY, OrganizationKind.UNION},
}


def manageable_organizations(user):
    """Organisations in which the acting administrator may add or remove members."""
    membership = tenancy.acting_membership(user)
    kinds = MANAGED_KINDS.get(membership.role) if membership else None
    if not kinds:
        return Organization.objects.none()
    return Organization.objects.for_user(user).active().filter(kind__in=kinds)


def grantable_roles(user) -> list[str]:
    """The roles the acting administrator may give, in the kinds of organisation it manages."""
    membership = tenancy.acting_membership(user)
    kinds = MANAGED_KINDS.get(membership.role, set()) if membership else set()
    return [role for role in Role.values if any(role in roles_for_kind(kind) for kind in kinds)]


def ensure_manageable(actor: Actor, organization: Organization) -> None:
    if actor.user is None or not manageable_organizations(actor.user).filter(pk=organization.pk).exists():
        raise PermissionDenied(_("You cannot manage the members of this organisation."))


@dataclass(frozen=True)
class NewUser:
    username: str
    first_name: str
    last_name: str
    email: str
    fiscal_code: str = ""


def create_user(actor: Actor, data: NewUser) -> User:
    """Create a user with no usable password; they choose one through the link e-mailed to them."""
    with transaction.atomic():
        user = User(
            username=data.username,
            first_name=data.first_name,
            last_name=data.last_name,
            email=data.email,
            fiscal_code=data.fiscal_code.upper(),
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
        record_event(
            actor, "user.create", user, {"username": [None, user.username], "email": [None, user.email]}
        )
        transaction.on_commit(partial(send_welcome_email.enqueue, user.pk))
    return user


def add_membership(actor: Actor, organization: Organization, user: User, role: str) -> Membership:
    """Give ``user`` the ``role`` in ``organization``, or reactivate the same membership if it was ended."""
    ensure_manageable(actor, organization)
    if role not in roles_for_kind(organization.kind):
        raise ValidationError(_("This role does not exist in this kind of organisation."), code="role")
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, organization=organization, role=role
        )
        if not created and membership.is_active:
            raise ValidationError(
                _("This user already has this role in this organisation."), code="duplicate"
            )
        if not created:
            membership.is_active = True
            membership.save(update_fields=["is_active"])
        record_event(
            actor,
            "membership.create" if created else "membership.reactivate",
            membership,
            {"user": [None, user.username], "role": [None, role], "is_active": [None, True]},
            organization=organization,
        )
    return membership


def deactivate_membership(actor: Actor, membership: Membership) -> None:
    ensure_manageable(actor, membership.organization)
    if membership.user_id == actor.user.pk and membership.role in MANAGED_KINDS:
        raise ValidationError(_("You cannot remove your own administrator role."), code="self")
    with transaction.atomic():
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        membership.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        record_event(
            actor,
            "membership.deactivate",
            membership,
            {"is_active": [True, False]},
            organization=membership.organization,
        )


def register_province_organization(
    actor: Actor, province, *, name: str = "", fiscal_code: str = ""
) -> Organization:
    """UPI registers a Province on the platform (one organisation per province)."""
    tenancy.require_role(actor.user, Role.UPI_ADMIN)
    if Organization.objects.filter(kind=OrganizationKind.PROVINCE, province=province).exists():
        raise ValidationError(_("This province is already registered."), code="duplicate")
    with transaction.atomic():
        organization = Organization.objects.create(
            kind=OrganizationKind.PROVINCE,
            name=name or _("Province of %(name)s") % {"name": province.name},
            fiscal_code=fiscal_code,
            province=province,
        )
        record_event(actor, "organization.create", organization, {"province": [None, province.sigla]})
    return organization


def register_municipality_organization(actor: Actor, municipality, *, fiscal_code: str = "") -> Organization:
    """A Province registers one of its comuni as an organisation of the platform."""
    acting = tenancy.acting_organization(actor.user)
    tenancy.require_role(actor.user, Role.PROVINCE_ADMIN)
    if municipality.province_id != acting.province_id or municipality.valid_to is not None:
        raise ValidationError(
            _("This municipality is not a current municipality of your province."), code="scope"
        )
    if Organization.objects.filter(municipality=municipality).exists():
        raise ValidationError(_("This municipality is already registered."), code="duplicate")
    with transaction.atomic():
        organization = Organization.objects.create(
            kind=OrganizationKind.MUNICIPALITY,
            name=_("Municipality of %(name)s") % {"name": municipality.name},
            fiscal_code=fiscal_code,
            province_id=municipality.province_id,
            municipality=municipality,
        )
        record_event(
            actor, "organization.create", organization, {"municipality": [None, municipality.istat_code]}
        )
    return organization


def save_union(
    actor: Actor, *, name: str, fiscal_code: str, municipalities, union: Organization | None = None
):
    """Register a Unione di Comuni of the actor's province, or change its name and members."""
    tenancy.require_role(actor.user, Role.PROVINCE_ADMIN)
    province_id = tenancy.acting_organization(actor.user).province_id
    municipalities = list(municipalities)
    if len(municipalities) < 2:
        raise ValidationError(_("A union needs at least two member municipalities."), code="members")
    if any(m.province_id != province_id or m.valid_to is not None for m in municipalities):
        raise ValidationError(
            _("Every member must be a current municipality of your province."), code="scope"
        )
    if union is not None and (union.kind != OrganizationKind.UNION or union.province_id != province_id):
        raise PermissionDenied
    with transaction.atomic():
        before = _union_state(union) if union else {"name": None, "fiscal_code": None, "members": []}
        if union is None:
            union = Organization(kind=OrganizationKind.UNION, province_id=province_id)
        union.name, union.fiscal_code = name, fiscal_code
        union.save()
        union.member_municipalities.set(municipalities)
        after = _union_state(union)
        changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
        record_event(actor, "union.save", union, changes, organization=union)
    return union


def _union_state(union: Organization) -> dict:
    return {
        "name": union.name,
        "fiscal_code": union.fiscal_code,
        "members": sorted(union.member_municipalities.values_list("istat_code", flat=True)),
    }


def create_api_token(
    actor: Actor, membership: Membership, name: str, expires_at=None
) -> tuple[ApiToken, str]:
    """A personal access token acting through one of the actor's own memberships; returns it and its secret."""
    if membership.user_id != getattr(actor.user, "pk", None) and actor.user is not None:
        raise PermissionDenied
    raw = ApiToken.generate()
    with transaction.atomic():
        token = ApiToken.objects.create(
            membership=membership, name=name, token_hash=hash_token(raw), expires_at=expires_at
        )
        record_event(
            actor, "api_token.create", token, {"name": [None, name]}, organization=membership.organization
        )
    return token, raw


def revoke_api_token(actor: Actor, token: ApiToken) -> None:
    if token.membership.user_id != actor.user.pk:
        raise PermissionDenied
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(
            actor,
            "api_token.revoke",
            token,
            {"revoked": [False, True]},
            organization=token.membership.organization,
        )


def start_totp_enrolment(actor: Actor):
    """The user's unconfirmed TOTP device, created if needed, to be confirmed with a first code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=actor.user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=actor.user, name="Casa dei Comuni", confirmed=False)
            record_event(actor, "mfa.enrolment_start", device, {})
    return device


def confirm_totp_device(actor: Actor, device) -> None:
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record_event(actor, "mfa.device_confirm", device, {"confirmed": [False, True]})
