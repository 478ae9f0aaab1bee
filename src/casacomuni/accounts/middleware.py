"""Chooses the membership a logged-in user acts through, and enforces the second factor for admins."""

from django.shortcuts import redirect
from django.urls import reverse

from casacomuni.accounts.models import Membership

SESSION_KEY = "casacomuni_membership_id"

# What an administrator without a verified second factor may still reach: the second-factor page itself,
# logging out, switching to a non-administrative role, static files and the API (which authenticates tokens
# created only after the second factor).
MFA_EXEMPT_URL_NAMES = ("accounts:otp", "accounts:logout", "accounts:switch")
MFA_EXEMPT_PREFIXES = ("/static/", "/api/")


def memberships_of(user):
    """The user's active memberships, oldest first: with no choice in the session, the oldest role acts."""
    return (
        Membership.objects.filter(user=user)
        .active()
        .select_related("organization", "organization__province", "organization__municipality")
        .order_by("pk")
    )


class ActiveMembershipMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        user = request.user
        if user.is_authenticated:
            request.membership = self.choose_membership(request)
            user.acting_as = request.membership
            if self.second_factor_missing(request):
                return redirect(f"{reverse('accounts:otp')}?next={request.get_full_path()}")
        return self.get_response(request)

    @staticmethod
    def choose_membership(request):
        memberships = memberships_of(request.user)
        chosen_id = request.session.get(SESSION_KEY)
        membership = None
        if chosen_id is not None:
            membership = memberships.filter(pk=chosen_id).first()
        if membership is None:
            membership = memberships.first()
            if membership is not None:
                request.session[SESSION_KEY] = membership.pk
        return membership

    @staticmethod
    def second_factor_missing(request) -> bool:
        membership = request.membership
        if membership is None or not membership.requires_second_factor or request.user.is_verified():
            return False
        if request.path.startswith(MFA_EXEMPT_PREFIXES):
            return False
        return request.path not in {reverse(name) for name in MFA_EXEMPT_URL_NAMES}
