"""The audit trail: one append-only, hash-chained sequence of events per organisation.

Every write service records an event through ``casacomuni.audit.services.record_event``. Events form
one chain per organisation (the organisation the actor acts for) plus one platform chain for events
with no organisation (system actors, failed logins of unknown users). Each event carries the hash of
the previous event of its chain, so altering or removing a row breaks the chain, and
``casacomuni verify_audit`` finds it. Administrators' access logs must be complete, unalterable and
verifiable (Garante per la protezione dei dati personali, provvedimento 27 novembre 2008).

Nothing in the application can change or remove an event: ``save()`` refuses existing rows,
``delete()`` and the QuerySet's ``update()``/``delete()``/``bulk_update()`` raise, and database
triggers (migration 0002) reject UPDATE and DELETE below the ORM.
"""

import hashlib
import json
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casacomuni.accounts.models import Organization
from casacomuni.audit import display

PLATFORM_CHAIN = "platform"
# The prev_hash of the first event of every chain.
GENESIS_HASH = "0" * 64


def chain_key(organization_id: int | None) -> str:
    """The chain of an organisation ("org:<id>"), or the platform chain when there is none."""
    return PLATFORM_CHAIN if organization_id is None else f"org:{organization_id}"


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def for_user(self, user):
        """Events the user may read: only administrators, and only within their territory.

        UPI administrators see the platform chain and the chains of UPI and of the Provinces — the
        organisations they steer — but never a Comune's or a Unione's, whose acts are theirs and their
        Province's (UPI sees aggregates only); a Province administrator sees the events of the
        organisations of its territory; anybody else sees nothing.
        """
        from casacomuni.accounts import tenancy
        from casacomuni.accounts.roles import ADMIN_ROLES, OrganizationKind, Role

        if not tenancy.has_role(user, *ADMIN_ROLES):
            return self.none()
        if tenancy.has_role(user, Role.UPI_ADMIN):
            return self.filter(
                models.Q(organization__isnull=True)
                | models.Q(organization__kind__in=[OrganizationKind.UPI, OrganizationKind.PROVINCE])
            )
        return tenancy.scope_by_organization(self, user, "organization")

    def history_of(self, obj, organization_id: int, prefix: str):
        """The events of ``obj`` (actions ``<prefix>.…``) in the chain of ``organization_id``, oldest first: a
        record's timeline on its page. The caller has read ``obj`` through its ``for_user``; its readers may
        read its own history, and only it."""
        return self.filter(
            organization_id=organization_id,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            action__startswith=f"{prefix}.",
        ).order_by("created_at", "pk")

    def newest_first(self):
        return self.order_by("-created_at", "-pk")

    def failed_logins_from(self, ip_address: str, since) -> int:
        """How many failed logins came from ``ip_address`` since the instant ``since`` (index on created_at)."""
        return self.filter(created_at__gte=since, action="auth.login_failed", ip_address=ip_address).count()

    def filter_by(self, *, action: str = "", since: date | None = None, until: date | None = None):
        """Events whose action starts with ``action``, recorded between the days ``since`` and ``until``.

        Days are whole days of the platform's time zone, both included. The bounds are instants, not
        ``created_at__date``, so that the index on ``created_at`` serves the query.
        """
        queryset = self.filter(action__startswith=action) if action else self
        if since is not None:
            queryset = queryset.filter(created_at__gte=start_of_day(since))
        if until is not None:
            queryset = queryset.filter(created_at__lt=start_of_day(until + timedelta(days=1)))
        return queryset

    def update(self, **kwargs):
        raise AppendOnlyError("Audit events cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Audit events cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Audit events cannot be updated.")

    def bulk_create(self, *args, **kwargs):
        # A bulk insert would skip the chain's lock and hashes: record_event is the only way in.
        raise AppendOnlyError("Audit events are recorded one by one with record_event().")


class AuditEvent(models.Model):
    """One recorded operation, linked to the previous event of its chain by ``prev_hash``.

    ``hash`` is the SHA-256 (lower-case hex) of the UTF-8 bytes of this canonical JSON::

        json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)

    where ``payload`` is the object with exactly these keys: ``chain``, ``sequence`` (integer),
    ``created_at``, ``organization_id`` and ``user_id`` (integer or null), ``username``, ``role``,
    ``actor_label``, ``action``, ``object_type``, ``object_id``, ``object_repr``, ``changes``,
    ``ip_address`` (string or null) and ``prev_hash``.

    Choices that keep verification stable on SQLite and PostgreSQL:

    - ``created_at`` is written in UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (always six fraction digits).
      Python datetimes have microsecond precision and both databases store microseconds, so the
      value read back is the value hashed.
    - ``changes`` holds only strings, integers, booleans, null, lists and objects with string keys
      (``record_event`` converts everything else, floats included, to strings): PostgreSQL's jsonb
      reorders keys and rewrites numbers, SQLite keeps the text; re-serialising with sorted keys gives
      the same bytes from either.
    - ``ip_address`` is plain text normalised by Python's ``ipaddress``: PostgreSQL's ``inet`` type
      would re-format IPv6 addresses on the way back.
    """

    chain = models.CharField(_("chain"), max_length=40, editable=False)
    sequence = models.PositiveBigIntegerField(_("sequence"), editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # Organisations and users are deactivated, never deleted: PROTECT keeps the trail whole.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("user"),
    )
    # Copies, so that the event reads the same after the user is renamed or changes role.
    username = models.CharField(_("username"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=40, blank=True)
    actor_label = models.CharField(_("system actor"), max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip_address = models.CharField(_("IP address"), max_length=45, null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["chain", "sequence"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        constraints = [
            # The chain cannot fork: two appends computing the same sequence cannot both commit.
            models.UniqueConstraint(fields=["chain", "sequence"], name="audit_event_unique_chain_sequence"),
        ]
        indexes = [models.Index(fields=["created_at"], name="audit_event_created_at")]

    def __str__(self) -> str:
        return f"{self.chain} #{self.sequence} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed once recorded.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be deleted.")

    def hash_payload(self) -> dict:
        return {
            "chain": self.chain,
            "sequence": self.sequence,
            "created_at": canonical_datetime(self.created_at),
            "organization_id": self.organization_id,
            "user_id": self.user_id,
            "username": self.username,
            "role": self.role,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "changes": self.changes,
            "ip_address": self.ip_address,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        canonical = json.dumps(
            self.hash_payload(), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def role_label(self) -> str:
        from casacomuni.accounts.roles import Role

        return str(Role(self.role).label) if self.role in Role.values else self.role

    def change_rows(self) -> list[tuple[str, object, object]]:
        """The changes as (label, old, new) rows for display, in words a person reads (see display.py)."""
        return display.change_rows(self.object_type, self.changes)


def start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def canonical_datetime(value) -> str:
    if timezone.is_naive(value):
        raise ValueError("Audit timestamps must be timezone-aware.")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
