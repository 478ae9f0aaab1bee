"""Users, organisations (enti) and the memberships through which a user acts for an organisation."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casacomuni.accounts.roles import ADMIN_ROLES, OrganizationKind, Role
from casacomuni.lib.validators import validate_fiscal_code_optional
from casacomuni.territory.models import Municipality, Province


class User(AbstractUser):
    fiscal_code = models.CharField(
        _("fiscal code"), max_length=16, blank=True, validators=[validate_fiscal_code_optional]
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_code"], condition=~models.Q(fiscal_code=""), name="unique_user_fiscal_code"
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class OrganizationQuerySet(models.QuerySet):
    def for_user(self, user):
        from casacomuni.accounts import tenancy

        return tenancy.scope_organizations(self, user)

    def active(self):
        return self.filter(is_active=True)

    def with_admins(self):
        """Prefetch each organisation's active administrators as ``admin_memberships``."""
        admins = Membership.objects.filter(role__in=ADMIN_ROLES, is_active=True).select_related("user")
        return self.prefetch_related(
            models.Prefetch("memberships", queryset=admins, to_attr="admin_memberships")
        )


class Organization(models.Model):
    """An ente: UPI, a Province, a Comune, a Unione di Comuni or an economic operator.

    ``province`` is the territory the organisation belongs to and the key of tenancy: a Province sees
    the organisations of its own territory. UPI and operators have none.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    fiscal_code = models.CharField(_("fiscal code / VAT number"), max_length=16, blank=True)
    ipa_code = models.CharField(_("IPA code"), max_length=20, blank=True)
    pec = models.EmailField(_("certified e-mail (PEC)"), blank=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="organizations"
    )
    # The comune a Comune organisation stands for.
    municipality = models.OneToOneField(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="organization"
    )
    # The member comuni of a Unione di Comuni.
    member_municipalities = models.ManyToManyField(
        Municipality, blank=True, related_name="unions", verbose_name=_("member municipalities")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["province"],
                condition=models.Q(kind="province"),
                name="one_province_organization_per_province",
            ),
            # One partita IVA, one operator: a second person of the company asks to join it.
            models.UniqueConstraint(
                fields=["fiscal_code"],
                condition=models.Q(kind="operator") & ~models.Q(fiscal_code=""),
                name="one_operator_per_fiscal_code",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet):
    def for_user(self, user):
        from casacomuni.accounts import tenancy

        return tenancy.scope_memberships(self, user)

    def active(self):
        return self.filter(is_active=True, organization__is_active=True)


class Membership(models.Model):
    """A user's role in an organisation. A user acts for one membership at a time."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organization__name", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="unique_membership_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organization} ({self.get_role_display()})"

    @property
    def is_admin(self) -> bool:
        return self.role in ADMIN_ROLES

    @property
    def requires_second_factor(self) -> bool:
        """Whoever acts through this membership, in a session or with a token, must have given a second
        factor: administrators, when the MFA setting is on."""
        return self.is_admin and settings.CASACOMUNI_MFA_REQUIRED_FOR_ADMINS


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def for_user(self, user):
        from casacomuni.accounts import tenancy

        return tenancy.own_rows(self, user, "membership__user")

    def usable(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A personal access token, sent as ``Authorization: Bearer``; it acts through one membership.

    Only a SHA-256 digest is stored: the token itself is shown once, when created.
    """

    PREFIX = "cdc_"
    # A token is a password that asks for no second factor: it must not live for ever.
    DEFAULT_LIFETIME_DAYS = 90
    MAX_LIFETIME_DAYS = 365

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # Issued in a session whose second factor was verified (or at the command line, by the server's
    # operator): only such a token may act for a membership that requires the second factor.
    second_factor_verified = models.BooleanField(_("second factor verified"), default=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def generate(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class JoinRequestState(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class OperatorJoinRequestQuerySet(models.QuerySet):
    def for_user(self, user):
        """The requests to join the operator the user represents, and the user's own requests."""
        from casacomuni.accounts import tenancy

        mine = tenancy.own_rows(self, user)
        if operator := tenancy.acting_for(user, (OrganizationKind.OPERATOR,)):
            return mine | self.filter(operator=operator)
        return mine

    def pending(self):
        return self.filter(state=JoinRequestState.PENDING)


class OperatorJoinRequest(models.Model):
    """A person asks to act for an operator already on the platform (the same partita IVA); one of its
    representatives decides."""

    operator = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="operator_join_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="operator_join_requests"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=JoinRequestState.choices, default=JoinRequestState.PENDING
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)

    objects = OperatorJoinRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("request to join an operator")
        verbose_name_plural = _("requests to join an operator")
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "user"],
                condition=models.Q(state="pending"),
                name="one_pending_join_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.operator}"
