"""Write operations on users, organisations, memberships and tokens.

Each function checks that the actor may do it (the views check too: this is the backstop), runs in one
transaction and records an audit event. E-mails go out through background tasks after the commit.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import (
    ApiToken,
    JoinRequestState,
    Membership,
    OperatorJoinRequest,
    Organization,
    User,
    hash_token,
)
from casacomuni.accounts.roles import OrganizationKind, Role, roles_for_kind
from casacomuni.accounts.tasks import send_operator_join_email, send_password_reset_email, send_welcome_email
from casacomuni.audit.models import AuditEvent
from casacomuni.audit.services import record_event

# What each administrator may hand out, and in which kinds of organisation.
_MANAGED_KINDS = {
    Role.UPI_ADMIN: {OrganizationKind.UPI, OrganizationKind.PROVINCE},
    Role.PROVINCE_ADMIN: {OrganizationKind.PROVINCE, OrganizationKind.MUNICIPALITY, OrganizationKind.UNION},
}


def manageable_organizations(user):
    """Organisations in which the acting administrator may add or remove members."""
    membership = tenancy.acting_membership(user)
    kinds = _MANAGED_KINDS.get(membership.role) if membership else None
    if not kinds:
        return Organization.objects.none()
    return Organization.objects.for_user(user).active().filter(kind__in=kinds)


def grantable_roles(user) -> list[str]:
    """The roles the acting administrator may give, in the kinds of organisation it manages."""
    membership = tenancy.acting_membership(user)
    kinds = _MANAGED_KINDS.get(membership.role, set()) if membership else set()
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
    if actor.user is not None and membership.user_id == actor.user.pk and membership.role in _MANAGED_KINDS:
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
    actor: Actor, membership: Membership, name: str, expires_at: datetime
) -> tuple[ApiToken, str]:
    """A personal access token acting through one of the actor's own memberships; returns it and its secret.

    A system actor (the ``create_token`` command, run by the server's operator) may issue a token for any
    membership.

    Raises:
        PermissionDenied: the membership is somebody else's.
        ValidationError: the membership requires a second factor not given in this session, or the expiry
            is missing, past or more than ``ApiToken.MAX_LIFETIME_DAYS`` away.
    """
    is_system = actor.user is None
    if actor.user is not None and membership.user_id != actor.user.pk:
        raise PermissionDenied
    if membership.requires_second_factor and not (is_system or actor.second_factor):
        raise ValidationError(
            {
                "membership": _(
                    "A token for an administrator's role can be created only after verifying the second "
                    "factor in this session."
                )
            }
        )
    now = timezone.now()
    max_days = ApiToken.MAX_LIFETIME_DAYS
    # One day of slack: a token is valid through the whole of its expiry day.
    if expires_at is None or expires_at <= now or expires_at > now + timedelta(days=max_days + 1):
        raise ValidationError({"expires_on": _("A token expires within %(days)s days.") % {"days": max_days}})
    raw = ApiToken.generate()
    with transaction.atomic():
        token = ApiToken.objects.create(
            membership=membership,
            name=name,
            token_hash=hash_token(raw),
            expires_at=expires_at,
            second_factor_verified=is_system or actor.second_factor,
        )
        record_event(
            actor, "api_token.create", token, {"name": [None, name]}, organization=membership.organization
        )
    return token, raw


def revoke_tokens_after_password_change(actor: Actor, user: User) -> int:
    """Revoke every usable token of ``user``: whoever knew the old password may have made one."""
    with transaction.atomic():
        tokens = list(ApiToken.objects.filter(membership__user=user).usable().select_related("membership"))
        now = timezone.now()
        for token in tokens:
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            record_event(
                actor,
                "api_token.revoke",
                token,
                {"revoked": [False, True], "reason": [None, "password_changed"]},
                organization=token.membership.organization,
            )
    return len(tokens)


_PASSWORD_RESET_INTERVAL = timedelta(minutes=10)


def request_password_reset(actor: Actor, email: str) -> None:
    """E-mail the active users registered with ``email`` a link to choose a new password.

    Says nothing back either way, so that the form cannot tell who has an account. The request is
    recorded in the chain of each user's organisation; a user already sent a link in the last
    ``_PASSWORD_RESET_INTERVAL`` gets no other, so that the public form cannot flood a mailbox.
    """
    users = list(User.objects.filter(email__iexact=email.strip(), is_active=True).exclude(email=""))
    recently_sent = set(
        AuditEvent.objects.filter(
            created_at__gte=timezone.now() - _PASSWORD_RESET_INTERVAL,
            action="auth.password_reset_requested",
            object_type=User._meta.label_lower,
            object_id__in=[str(user.pk) for user in users],
        ).values_list("object_id", flat=True)
    )
    with transaction.atomic():
        for user in users:
            if str(user.pk) in recently_sent:
                continue
            membership = Membership.objects.filter(user=user).active().select_related("organization").first()
            record_event(
                actor,
                "auth.password_reset_requested",
                user,
                {},
                organization=membership.organization if membership else None,
            )
            transaction.on_commit(partial(send_password_reset_email.enqueue, user.pk))


def revoke_api_token(actor: Actor, token: ApiToken) -> None:
    if actor.user is None or token.membership.user_id != actor.user.pk:
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


# --- Operators: one partita IVA, one operator --------------------------------------------------------------


def ask_to_join_operator(actor: Actor, fiscal_code: str) -> OperatorJoinRequest:
    """The actor asks to act for the operator registered with ``fiscal_code`` (its partita IVA): another
    person of a company already on the platform. Its representatives are told by e-mail and decide.

    Raises:
        ValidationError: no operator has that code, the actor already acts for it, or asked already.
    """
    if actor.user is None:
        raise PermissionDenied
    code = fiscal_code.strip().upper()
    operator = (
        Organization.objects.filter(kind=OrganizationKind.OPERATOR, fiscal_code=code, is_active=True).first()
        if code
        else None
    )
    if operator is None:
        raise ValidationError({"fiscal_code": _("No operator on the platform has this code.")})
    if Membership.objects.filter(user=actor.user, organization=operator).active().exists():
        raise ValidationError({"fiscal_code": _("You already act for %(name)s.") % {"name": operator.name}})
    if OperatorJoinRequest.objects.pending().filter(operator=operator, user=actor.user).exists():
        raise ValidationError(
            {
                "fiscal_code": _("You already asked to join %(name)s: wait for its answer.")
                % {"name": operator.name}
            }
        )
    with transaction.atomic():
        join_request = OperatorJoinRequest.objects.create(operator=operator, user=actor.user)
        record_event(actor, "operator_join.request", join_request, {}, organization=operator)
        transaction.on_commit(partial(send_operator_join_email.enqueue, join_request.pk))
    return join_request


def decide_operator_join_request(
    actor: Actor, join_request: OperatorJoinRequest, approve: bool, reason: str = ""
) -> OperatorJoinRequest:
    """A representative of the operator approves the request (the person becomes a representative too)
    or rejects it with reasons.

    Raises:
        PermissionDenied: the actor does not represent that operator.
        ValidationError: the request was already decided, or a rejection without reasons.
    """
    membership = actor.membership
    if (
        membership is None
        or membership.role != Role.OPERATOR_REPRESENTATIVE
        or membership.organization_id != join_request.operator_id
    ):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Give the reasons: the person will read them.")})
    with transaction.atomic():
        join_request = OperatorJoinRequest.objects.select_for_update().get(pk=join_request.pk)
        if join_request.state != JoinRequestState.PENDING:
            raise ValidationError(_("This request was already decided."))
        join_request.state = JoinRequestState.APPROVED if approve else JoinRequestState.REJECTED
        join_request.decided_at, join_request.decided_by, join_request.reason = (
            timezone.now(),
            actor.user,
            reason,
        )
        join_request.save(update_fields=["state", "decided_at", "decided_by", "reason"])
        if approve:
            Membership.objects.update_or_create(
                user=join_request.user,
                organization=join_request.operator,
                role=Role.OPERATOR_REPRESENTATIVE,
                defaults={"is_active": True},
            )
        record_event(
            actor,
            "operator_join.decide",
            join_request,
            {"state": [JoinRequestState.PENDING, join_request.state], "reason": [None, reason]},
            organization=join_request.operator,
        )
        transaction.on_commit(partial(send_operator_join_email.enqueue, join_request.pk))
    return join_request
