"""Writes of the calendar: the personal iCal feed's secret link, created (or replaced) and revoked."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import hash_token
from casacomuni.agenda.models import FeedToken
from casacomuni.audit.services import record_event


def _acting_membership(actor: Actor):
    if actor.user is None or actor.membership is None or actor.membership.user_id != actor.user.pk:
        raise PermissionDenied
    return actor.membership


def _revoke_live(actor: Actor, membership, now) -> None:
    for token in FeedToken.objects.select_for_update().live().filter(membership=membership):
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        record_event(actor, "feed_token.revoke", token, {"revoked": [False, True]})


@transaction.atomic
def create_feed_token(actor: Actor) -> tuple[FeedToken, str]:
    """A new secret feed link for the membership the actor acts through now; the previous one (if any) is
    revoked. Returns the token and its secret, which is shown once and never stored.

    Raises:
        PermissionDenied: no user, or a membership that is not the user's own.
    """
    membership = _acting_membership(actor)
    now = timezone.now()
    _revoke_live(actor, membership, now)
    raw = FeedToken.generate()
    token = FeedToken.objects.create(membership=membership, token_hash=hash_token(raw), created_at=now)
    record_event(actor, "feed_token.create", token, {"membership": [None, membership.pk]})
    return token, raw


@transaction.atomic
def revoke_feed_token(actor: Actor) -> bool:
    """Revoke the live feed link of the membership the actor acts through now; False when there was none."""
    membership = _acting_membership(actor)
    had_one = FeedToken.objects.live().filter(membership=membership).exists()
    _revoke_live(actor, membership, timezone.now())
    return had_one
