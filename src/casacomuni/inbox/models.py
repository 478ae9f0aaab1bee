"""A notice in a user's inbox, and each user's choice of e-mail per kind of notice.

Tenancy: a notice belongs to the person it was sent to, whichever organisation they act for; nobody else reads
it (``NotificationQuerySet.for_user``). ``inbox`` sits below ``accounts`` in the layers (every app, ``accounts``
included, must be able to notify), so the rule is written here with the same meaning as
``accounts.tenancy.own_rows``: the signed-in person's rows, nothing for anybody else.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casacomuni.inbox.kinds import Delivery

URL_MAX_LENGTH = 500


class EmailState(models.TextChoices):
    """Where the e-mail of a notice stands: sent, waiting for the day's digest, or not to be sent."""

    SENT = "sent", _("E-mailed")
    PENDING_DIGEST = "digest", _("In the next digest")
    NOT_EMAILED = "none", _("Not e-mailed")


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        """The signed-in person's own notices; nothing for an anonymous visitor."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def of_kinds(self, names):
        return self.filter(kind__in=list(names))


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=80)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    # A local path only ("/procedure/12/"), never a whole address: opening the notice redirects to it.
    url = models.CharField(_("link"), max_length=URL_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email_state = models.CharField(_("e-mail"), max_length=10, choices=EmailState.choices)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The header's unread count and the inbox's first page.
            models.Index(fields=["recipient", "read_at"], name="inbox_unread"),
            models.Index(fields=["recipient", "-created_at"], name="inbox_newest"),
            # The digest's scan of what waits for it.
            models.Index(
                fields=["email_state"],
                condition=models.Q(email_state="digest"),
                name="inbox_pending_digest",
            ),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NoticePreference(models.Model):
    """A user's choice for one kind; with no row, the kind's default applies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences"
    )
    kind = models.CharField(_("kind"), max_length=80)
    delivery = models.CharField(_("e-mail"), max_length=10, choices=Delivery.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="inbox_one_preference_per_kind")]

    def __str__(self):
        return f"{self.kind}: {self.delivery}"
