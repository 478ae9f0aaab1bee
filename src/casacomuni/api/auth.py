"""API authentication: personal access tokens (Bearer) or the browser's session."""

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from casacomuni.accounts.models import ApiToken, hash_token

# Recording every use would turn each read into a write; once a minute is enough to see a token alive.
LAST_USED_PRECISION_SECONDS = 60


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        api_token = (
            ApiToken.objects.usable()
            .filter(membership__is_active=True, membership__user__is_active=True)
            .select_related("membership__user", "membership__organization__province")
            .filter(token_hash=hash_token(token))
            .first()
        )
        if api_token is None:
            return None
        if api_token.membership.requires_second_factor and not api_token.second_factor_verified:
            # Issued without the second factor (before it was required, or by a bypass now closed).
            return None
        user = api_token.membership.user
        user.acting_as = api_token.membership
        request.user = user
        request.membership = api_token.membership
        now = timezone.now()
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > (
            LAST_USED_PRECISION_SECONDS
        ):
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        return user


class Session(SessionAuth):
    """The browser's session; the membership was already chosen by the middleware."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        membership = getattr(request, "membership", None)
        if user is None or membership is None:
            return None
        # The pages send an administrator who has given only the password to the second factor; the API,
        # exempt from that redirect, must not accept the same half-open session instead.
        if membership.requires_second_factor and not user.is_verified():
            return None
        return user


authenticated = [BearerToken(), Session()]
