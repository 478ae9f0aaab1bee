"""Pages of login, second factor, organisation switch, profile and the administrators' management."""

import base64
from datetime import datetime, time

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from casacomuni.accounts import forms, services, tenancy
from casacomuni.accounts.actor import Actor, client_ip
from casacomuni.accounts.middleware import SESSION_KEY
from casacomuni.accounts.models import ApiToken, Membership, OperatorJoinRequest, Organization
from casacomuni.accounts.roles import OrganizationKind, Role

PAGE_SIZE = 50


def safe_next(request, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@require_POST
@login_required
def switch(request):
    form = forms.SwitchMembershipForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, form.errors["membership"][0])
        return redirect("web:dashboard")
    request.session[SESSION_KEY] = form.cleaned_data["membership"].pk
    messages.success(
        request, _("You now act for %(name)s.") % {"name": form.cleaned_data["membership"].organization}
    )
    return redirect("web:dashboard")


@login_required
def otp(request):
    """Verify the second factor, enrolling an authenticator app first if the user has none."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = services.start_totp_enrolment(Actor.from_request(request))
    form = forms.OtpTokenForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        if enrolling:
            services.confirm_totp_device(Actor.from_request(request), device)
        otp_login(request, device)
        return redirect(safe_next(request))
    context = {"form": form, "enrolling": enrolling, "next": safe_next(request)}
    if enrolling:
        context["secret"] = base64.b32encode(device.bin_key).decode()
        context["qr_data_uri"] = segno.make(device.config_url, error="m").svg_data_uri(scale=5)
    return render(request, "accounts/otp.html", context, status=400 if form.errors else 200)


@login_required
def profile(request):
    form = forms.ApiTokenForm(request.POST or None, user=request.user)
    new_token = None
    if request.method == "POST" and form.is_valid():
        # Valid through the whole of its expiry day.
        expires_at = timezone.make_aware(datetime.combine(form.cleaned_data["expires_on"], time.max))
        try:
            _token, new_token = services.create_api_token(
                Actor.from_request(request),
                form.cleaned_data["membership"],
                form.cleaned_data["name"],
                expires_at,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = forms.ApiTokenForm(user=request.user)
    tokens = ApiToken.objects.for_user(request.user).select_related("membership__organization")
    memberships = Membership.objects.filter(user=request.user).active().select_related("organization")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "tokens": tokens, "memberships": memberships, "new_token": new_token},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def revoke_token(request, pk):
    token = get_object_or_404(
        ApiToken.objects.for_user(request.user).usable().select_related("membership"), pk=pk
    )
    services.revoke_api_token(Actor.from_request(request), token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:profile")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, which also revokes the user's tokens."""

    template_name = "accounts/password_change.html"
    form_class = forms.PasswordChangeStyledForm
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            revoked = services.revoke_tokens_after_password_change(
                Actor.from_request(self.request), form.user
            )
        if revoked:
            messages.info(
                self.request,
                ngettext(
                    "Your API token was revoked with the old password.",
                    "Your %(count)s API tokens were revoked with the old password.",
                    revoked,
                )
                % {"count": revoked},
            )
        return response


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """The link of the welcome or reset e-mail: the new password revokes the user's tokens."""

    template_name = "accounts/password_set.html"
    form_class = forms.SetPasswordStyledForm
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            services.revoke_tokens_after_password_change(
                Actor(user=form.user, ip_address=client_ip(self.request)), form.user
            )
        messages.success(self.request, _("Your password was saved: log in with it."))
        return response


def password_reset(request):
    """ "Forgot your password?": always the same answer, whether or not the address is known."""
    form = forms.PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_password_reset(Actor.from_request(request), form.cleaned_data["email"])
        return redirect("accounts:password_reset_sent")
    return render(request, "accounts/password_reset.html", {"form": form}, status=400 if form.errors else 200)


def password_reset_sent(request):
    return render(request, "accounts/password_reset_sent.html")


def page_of(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def members(request):
    tenancy.require_role(request.user, Role.PROVINCE_ADMIN, Role.UPI_ADMIN)
    organizations = services.manageable_organizations(request.user)
    form = forms.MemberForm(
        request.POST or None, organizations=organizations, roles=services.grantable_roles(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            add_member(request, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The member was added."))
            return redirect("accounts:members")
    memberships = (
        Membership.objects.for_user(request.user)
        .filter(organization__in=organizations)
        .select_related("user", "organization")
        .order_by("organization__name", "user__last_name", "user__username")
    )
    return render(
        request,
        "accounts/members.html",
        {"form": form, "page": page_of(request, memberships)},
        status=400 if form.errors else 200,
    )


def add_member(request, data) -> Membership:
    """Create the user first when the username is new; both in one transaction."""
    actor = Actor.from_request(request)
    with transaction.atomic():
        user = data["user"] or services.create_user(
            actor,
            services.NewUser(
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                fiscal_code=data["fiscal_code"],
            ),
        )
        return services.add_membership(actor, data["organization"], user, data["role"])


@require_POST
@login_required
def deactivate_member(request, pk):
    tenancy.require_role(request.user, Role.PROVINCE_ADMIN, Role.UPI_ADMIN)
    membership = get_object_or_404(
        Membership.objects.for_user(request.user)
        .filter(organization__in=services.manageable_organizations(request.user), is_active=True)
        .select_related("organization", "user"),
        pk=pk,
    )
    try:
        services.deactivate_membership(Actor.from_request(request), membership)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The role was removed."))
    return redirect("accounts:members")


@login_required
def organizations(request):
    """A Province's organisations (Comuni and Unioni) and the registration of one of its comuni."""
    tenancy.require_role(request.user, Role.PROVINCE_ADMIN)
    province_id = tenancy.acting_organization(request.user).province_id
    form = forms.MunicipalityOrganizationForm(request.POST or None, province_id=province_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.register_municipality_organization(
                Actor.from_request(request),
                form.cleaned_data["municipality"],
                fiscal_code=form.cleaned_data["fiscal_code"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The municipality was registered."))
            return redirect("accounts:organizations")
    queryset = (
        Organization.objects.for_user(request.user).select_related("municipality").order_by("kind", "name")
    )
    return render(
        request,
        "accounts/organizations.html",
        {"form": form, "page": page_of(request, queryset)},
        status=400 if form.errors else 200,
    )


@login_required
def unions(request):
    tenancy.require_role(request.user, Role.PROVINCE_ADMIN)
    queryset = (
        Organization.objects.for_user(request.user)
        .filter(kind=OrganizationKind.UNION)
        .prefetch_related("member_municipalities")
    )
    return render(request, "accounts/unions.html", {"page": page_of(request, queryset)})


@login_required
def union_edit(request, pk=None):
    tenancy.require_role(request.user, Role.PROVINCE_ADMIN)
    union = None
    if pk is not None:
        union = get_object_or_404(
            Organization.objects.for_user(request.user).filter(kind=OrganizationKind.UNION), pk=pk
        )
    initial = (
        {
            "name": union.name,
            "fiscal_code": union.fiscal_code,
            "municipalities": union.member_municipalities.all(),
        }
        if union
        else None
    )
    province_id = tenancy.acting_organization(request.user).province_id
    form = forms.UnionForm(request.POST or None, initial=initial, province_id=province_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_union(Actor.from_request(request), union=union, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The union was saved."))
            return redirect("accounts:unions")
    return render(
        request,
        "accounts/union_form.html",
        {"form": form, "union": union},
        status=400 if form.errors else 200,
    )


@login_required
def province_admins(request):
    """UPI's view of the Provinces on the platform and their administrators; registers a Province."""
    tenancy.require_role(request.user, Role.UPI_ADMIN)
    form = forms.ProvinceOrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.register_province_organization(
                Actor.from_request(request),
                form.cleaned_data["province"],
                fiscal_code=form.cleaned_data["fiscal_code"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The province was registered."))
            return redirect("accounts:province_admins")
    queryset = (
        Organization.objects.for_user(request.user)
        .filter(kind=OrganizationKind.PROVINCE)
        .with_admins()
        .select_related("province__region")
    )
    return render(
        request,
        "accounts/province_admins.html",
        {"form": form, "page": page_of(request, queryset)},
        status=400 if form.errors else 200,
    )


# --- Operators: another person of a company asks to act for it --------------------------------------------


@require_POST
@login_required
def operator_join(request):
    """Ask to act for the operator with the partita IVA posted (offered where the albo refused a code
    another operator holds)."""
    try:
        services.ask_to_join_operator(Actor.from_request(request), request.POST.get("fiscal_code", ""))
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, _("Your request was sent to the company's representatives."))
    return redirect("accounts:operator_requests")


@login_required
def operator_requests(request):
    """Requests to act for the operator the user represents (to decide), and the user's own requests."""
    requests = OperatorJoinRequest.objects.for_user(request.user).select_related(
        "operator", "user", "decided_by"
    )
    acting = tenancy.acting_organization(request.user)
    representative = tenancy.has_role(request.user, Role.OPERATOR_REPRESENTATIVE)
    to_decide = [r for r in requests if representative and r.operator_id == acting.pk]
    own = [r for r in requests if r.user_id == request.user.pk]
    return render(
        request,
        "accounts/operator_requests.html",
        {"to_decide": to_decide, "own": own, "form": forms.JoinDecisionForm()},
    )


@require_POST
@login_required
def operator_request_decide(request, pk, action):
    tenancy.require_role(request.user, Role.OPERATOR_REPRESENTATIVE)
    join_request = get_object_or_404(
        OperatorJoinRequest.objects.for_user(request.user).filter(
            operator=tenancy.acting_organization(request.user)
        ),
        pk=pk,
    )
    if action not in ("approva", "rifiuta"):
        raise Http404
    form = forms.JoinDecisionForm(request.POST)
    form.is_valid()
    try:
        services.decide_operator_join_request(
            Actor.from_request(request),
            join_request,
            action == "approva",
            form.cleaned_data.get("reason", ""),
        )
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, _("The request was decided."))
    return redirect("accounts:operator_requests")
