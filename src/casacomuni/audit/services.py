"""Recording audit events: the one way rows enter the audit trail."""

import hashlib
import ipaddress
import re
from datetime import date, datetime, time
from decimal import Decimal

from django.db import connection, models, transaction
from django.utils.functional import Promise

from casacomuni.audit.models import GENESIS_HASH, AuditEvent, chain_key

ACTION_PATTERN = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
OBJECT_REPR_MAX = AuditEvent._meta.get_field("object_repr").max_length


def record_event(actor, action: str, obj=None, changes=None, *, organization=None) -> AuditEvent:
    """Append an event to the chain of ``organization``, else of the actor's organisation, else the platform.

    Args:
        actor: a ``casacomuni.accounts.actor.Actor`` (user, membership, ip_address, label).
        action: a short dotted name such as ``"membership.create"``.
        obj: the model instance acted upon, if any.
        changes: a dict of field -> [old, new]; values that JSON cannot hold exactly (dates, Decimals,
            floats, model instances…) are stored as strings.
        organization: the chain to write to, when it is not the actor's organisation.

    Call it inside the caller's ``transaction.atomic()`` so that the event commits or rolls back with
    the write it records; when called outside one (the login signals), it opens its own.

    Returns:
        the saved ``AuditEvent``.

    Raises:
        ValueError: when ``action`` is not a dotted lower-case name.
    """
    if not connection.in_atomic_block:
        with transaction.atomic():
            return record_event(actor, action, obj, changes, organization=organization)
    if not ACTION_PATTERN.match(action):
        raise ValueError(f"Audit action {action!r} is not a dotted lower-case name.")
    organization = organization or actor.organization
    user = actor.user if actor.user is not None and actor.user.is_authenticated else None
    event = AuditEvent(
        chain=chain_key(organization.pk if organization else None),
        organization=organization,
        user=user,
        username=user.get_username() if user else "",
        role=actor.membership.role if actor.membership else "",
        actor_label=actor.label,
        action=action,
        changes=json_safe(changes or {}),
        ip_address=normalised_ip(actor.ip_address),
        **describe(obj),
    )
    lock_chain(event.chain)
    last = AuditEvent.objects.filter(chain=event.chain).order_by("-sequence").values_list("sequence", "hash")
    previous = last.first()
    event.sequence, event.prev_hash = (previous[0] + 1, previous[1]) if previous else (1, GENESIS_HASH)
    event.hash = event.compute_hash()
    event.save()
    return event


def lock_chain(chain: str) -> None:
    """Serialise appends to one chain until the transaction ends, so that it never forks.

    PostgreSQL: a transaction-level advisory lock on a stable 64-bit key of the chain; the next
    statement (reading the last event) then sees every append committed before the lock was granted.
    SQLite: the settings open every transaction with ``BEGIN IMMEDIATE``, which takes the database's
    write lock at once, so writers are already serialised. On both, the unique (chain, sequence)
    constraint would refuse a fork that slipped through.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [chain_lock_key(chain)])


def chain_lock_key(chain: str) -> int:
    digest = hashlib.sha256(f"casacomuni.audit:{chain}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def describe(obj) -> dict:
    if obj is None:
        return {"object_type": "", "object_id": "", "object_repr": ""}
    return {
        "object_type": obj._meta.label_lower,
        "object_id": "" if obj.pk is None else str(obj.pk),
        "object_repr": strip_nul(str(obj))[:OBJECT_REPR_MAX],
    }


def json_safe(value):
    """``value`` with only the JSON types that read back identically from SQLite and PostgreSQL."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)  # an IntEnum becomes a plain integer
    if isinstance(value, str | Promise):
        return strip_nul(str(value))
    if isinstance(value, dict):
        return {strip_nul(str(key)): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((json_safe(item) for item in value), key=str)
    if isinstance(value, models.Model):
        return strip_nul(str(value))
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    # Floats too: jsonb rewrites numbers (1e300 comes back as an integer), so they are kept as text.
    return strip_nul(str(value))


def strip_nul(text: str) -> str:
    # PostgreSQL text and jsonb cannot hold the NUL character.
    return text.replace("\x00", "")


def normalised_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None
