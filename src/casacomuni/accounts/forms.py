from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from casacomuni.accounts.actor import client_ip
from casacomuni.accounts.models import ApiToken, Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role, roles_for_kind
from casacomuni.audit.models import AuditEvent
from casacomuni.lib.forms import StyledForm, StyledFormMixin
from casacomuni.lib.validators import validate_fiscal_code_optional
from casacomuni.territory.models import Municipality


class SwitchMembershipForm(StyledForm):
    membership = forms.IntegerField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_membership(self):
        membership = (
            Membership.objects.filter(user=self.user, pk=self.cleaned_data["membership"])
            .active()
            .select_related("organization")
            .first()
        )
        if membership is None:
            raise ValidationError(_("You cannot act for this organisation."))
        return membership


class OtpTokenForm(StyledForm):
    token = forms.CharField(
        label=_("Six-digit code"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, device: TOTPDevice, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_token(self):
        token = self.cleaned_data["token"]
        if not token.isdigit() or not self.device.verify_token(token):
            raise ValidationError(_("The code is wrong or has expired. Try the current one."))
        return token


class MemberForm(StyledForm):
    """Add a role to an existing user (by username) or to a new one (by their details)."""

    organization = forms.ModelChoiceField(label=_("Organisation"), queryset=Organization.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    fiscal_code = forms.CharField(
        label=_("Fiscal code"), max_length=16, required=False, validators=[validate_fiscal_code_optional]
    )

    def __init__(self, *args, organizations, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["role"].choices = [(value, label) for value, label in Role.choices if value in roles]

    def clean(self):
        data = super().clean()
        organization, role = data.get("organization"), data.get("role")
        if organization and role and role not in roles_for_kind(organization.kind):
            self.add_error("role", _("This role does not exist in this kind of organisation."))
        username = data.get("username")
        data["user"] = User.objects.filter(username=username).first() if username else None
        if username and data["user"] is None:
            for field in ("first_name", "last_name", "email"):
                if not data.get(field):
                    self.add_error(field, _("Required for a new user."))
        return data


class UnionForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    fiscal_code = forms.CharField(
        label=_("Fiscal code"), max_length=11, required=False, validators=[validate_fiscal_code_optional]
    )
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Member municipalities"),
        queryset=Municipality.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, province_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipalities"].queryset = Municipality.objects.current().filter(
            province_id=province_id
        )


class MunicipalityOrganizationForm(StyledForm):
    municipality = forms.ModelChoiceField(label=_("Municipality"), queryset=Municipality.objects.none())
    fiscal_code = forms.CharField(
        label=_("Fiscal code"), max_length=11, required=False, validators=[validate_fiscal_code_optional]
    )

    def __init__(self, *args, province_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = Municipality.objects.current().filter(
            province_id=province_id, organization__isnull=True
        )


class ProvinceOrganizationForm(StyledForm):
    province = forms.ModelChoiceField(label=_("Province"), queryset=None)
    fiscal_code = forms.CharField(
        label=_("Fiscal code"), max_length=11, required=False, validators=[validate_fiscal_code_optional]
    )

    def __init__(self, *args, **kwargs):
        from casacomuni.territory.models import Province

        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = Province.objects.ordinary_statute().exclude(
            organizations__kind="province"
        )


class ApiTokenForm(StyledForm):
    name = forms.CharField(label=_("Token name"), max_length=100)
    membership = forms.ModelChoiceField(label=_("Acts for"), queryset=Membership.objects.none())
    expires_on = forms.DateField(
        label=_("Expires on"),
        help_text=_("At most one year from today."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = (
            Membership.objects.filter(user=user).active().select_related("organization")
        )
        today = timezone.localdate()
        self.fields["expires_on"].initial = today + timedelta(days=ApiToken.DEFAULT_LIFETIME_DAYS)
        self.fields["expires_on"].widget.attrs.update(
            {
                "min": today.isoformat(),
                "max": (today + timedelta(days=ApiToken.MAX_LIFETIME_DAYS)).isoformat(),
            }
        )

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if expires_on < today:
            raise ValidationError(_("The expiry date cannot be in the past."))
        if expires_on > today + timedelta(days=ApiToken.MAX_LIFETIME_DAYS):
            raise ValidationError(
                _("A token expires within %(days)s days.") % {"days": ApiToken.MAX_LIFETIME_DAYS}
            )
        return expires_on


class LoginForm(StyledFormMixin, AuthenticationForm):
    """django-axes locks an account after a few failures from one address; this refuses any login from an
    address that failed too often, so that guessing made-up usernames neither goes on for ever nor fills
    the audit trail."""

    def clean(self):
        ip_address = client_ip(self.request) if self.request is not None else None
        window = timedelta(hours=settings.AXES_COOLOFF_TIME)
        if ip_address and (
            AuditEvent.objects.failed_logins_from(ip_address, since=timezone.now() - window)
            >= settings.CASACOMUNI_FAILED_LOGINS_PER_ADDRESS
        ):
            raise ValidationError(
                _("Too many failed logins from your address: try again in %(minutes)s minutes.")
                % {"minutes": round(window.total_seconds() / 60)},
                code="throttled",
            )
        return super().clean()


class JoinDecisionForm(StyledForm):
    reason = forms.CharField(
        label=_("Reasons (compulsory to reject)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PasswordResetRequestForm(StyledForm):
    email = forms.EmailField(label=_("E-mail"), max_length=254)


class SetPasswordStyledForm(StyledFormMixin, SetPasswordForm):
    pass


class PasswordChangeStyledForm(StyledFormMixin, PasswordChangeForm):
    pass


class LocalPartyFilterForm(StyledForm):
    """Filters of a list whose rows belong to Comuni and Unioni: by state (``state_choices`` of the subclass)
    and by the Comune or Unione, among those the user may see."""

    state_choices: list = []

    state = forms.ChoiceField(label=_("State"), required=False)
    municipality = forms.ModelChoiceField(
        label=_("Comune or Unione"), queryset=Organization.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All")), *self.state_choices]
        self.fields["municipality"].queryset = (
            Organization.objects.for_user(user)
            .filter(kind__in=[OrganizationKind.MUNICIPALITY, OrganizationKind.UNION])
            .order_by("name")
        )
        self.fields["municipality"].empty_label = _("All")

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        if self.cleaned_data["state"]:
            queryset = queryset.filter(state=self.cleaned_data["state"])
        if self.cleaned_data["municipality"]:
            queryset = queryset.filter(municipality=self.cleaned_data["municipality"])
        return queryset
