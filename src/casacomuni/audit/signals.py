"""The access log: logins, logouts and failed logins, recorded from Django's authentication signals.

The Garante requires administrators' access logs to be complete, unalterable and verifiable
(provvedimento 27 novembre 2008, "Amministratori di sistema"); the audit chain gives all three.
A failed login records the username that was tried, never the password.
"""

from django.contrib.auth import get_user_model

from casacomuni.accounts.actor import Actor, client_ip
from casacomuni.accounts.middleware import SESSION_KEY, memberships_of
from casacomuni.audit.services import record_event

LOGIN_ACTOR = "authentication"


def on_login(sender, request, user, **kwargs):
    actor = Actor(user=user, membership=membership_at_login(request, user), ip_address=ip_of(request))
    record_event(actor, "auth.login", user)


def on_logout(sender, request, user, **kwargs):
    if user is None:  # logging out with no one logged in
        return
    membership = getattr(request, "membership", None)
    record_event(Actor(user=user, membership=membership, ip_address=ip_of(request)), "auth.logout", user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get(get_user_model().USERNAME_FIELD, ""))[:150]
    # Attempts on a known account go to its organisation's chain, where its administrators see them.
    known = memberships_of_username(username)
    organization = known.organization if known else None
    actor = Actor(user=None, ip_address=ip_of(request), label=LOGIN_ACTOR)
    record_event(
        actor, "auth.login_failed", None, {"attempted_username": [None, username]}, organization=organization
    )


def membership_at_login(request, user):
    """The membership the user will act through: the middleware's choice on the next request."""
    memberships = memberships_of(user)
    chosen = getattr(request, "session", {}).get(SESSION_KEY)
    membership = memberships.filter(pk=chosen).first() if chosen is not None else None
    return membership or memberships.first()


def memberships_of_username(username: str):
    user = get_user_model().objects.filter(username=username).first() if username else None
    return memberships_of(user).first() if user else None


def ip_of(request) -> str | None:
    return client_ip(request) if request is not None else None
