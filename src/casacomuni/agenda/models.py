"""The personal iCal feed's secret: one token per user and membership, stored only as a hash.

The feed shows what the membership may see, like an API token acting for it (``accounts.ApiToken``): the
URL is the only credential, so only its SHA-256 is kept and the URL is shown once, when created. Creating a
new one revokes the old; a revoked token, or one whose membership or user is no longer active, answers 404.
"""

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casacomuni.accounts import tenancy
from casacomuni.accounts.models import Membership, hash_token


class FeedTokenQuerySet(models.QuerySet):
    def for_user(self, user):
        """The signed-in person's own tokens, whichever membership they act through now."""
        return tenancy.own_rows(self, user, "membership__user")

    def live(self):
        return self.filter(revoked_at__isnull=True)

    def find(self, raw: str):
        """The live token whose secret is ``raw``, with an active membership of an active user and
        organisation; None otherwise."""
        return (
            self.live()
            .filter(
                token_hash=hash_token(raw),
                membership__is_active=True,
                membership__user__is_active=True,
                membership__organization__is_active=True,
            )
            .select_related("membership__user", "membership__organization")
            .first()
        )


class FeedToken(models.Model):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="feed_tokens")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = FeedTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("calendar feed link")
        verbose_name_plural = _("calendar feed links")
        constraints = [
            models.UniqueConstraint(
                fields=["membership"],
                condition=Q(revoked_at__isnull=True),
                name="agenda_one_live_feed_per_membership",
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership} ({self.created_at:%Y-%m-%d})"

    @staticmethod
    def generate() -> str:
        return secrets.token_urlsafe(32)
