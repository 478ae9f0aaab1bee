"""Checking the audit trail: every chain whole, in order, and every hash as recorded.

``verify_events`` is pure: it walks events already sorted by chain and sequence, so it can be fed a
database cursor or a plain list. ``verify_trail`` feeds it the whole table, streamed.

What a hash chain cannot show on its own: that the newest events of a chain were removed (the rest
still links), or that someone rewrote a chain and recomputed every hash after the change. Keeping a
copy of each chain's head (``ChainHead``) outside the database, and comparing, covers both.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection

from casacomuni.audit.models import GENESIS_HASH, AuditEvent, chain_key

STREAM_CHUNK = 2000


@dataclass(frozen=True)
class Break:
    chain: str
    sequence: int
    event_id: int
    problem: str

    def __str__(self) -> str:
        return f"chain {self.chain}, sequence {self.sequence}, event {self.event_id}: {self.problem}"


@dataclass(frozen=True)
class ChainHead:
    chain: str
    sequence: int
    hash: str


@dataclass
class Verification:
    events: int = 0
    breaks: list[Break] = field(default_factory=list)
    heads: list[ChainHead] = field(default_factory=list)

    @property
    def chains(self) -> int:
        return len(self.heads)

    @property
    def ok(self) -> bool:
        return not self.breaks


def problem_of(event, expected_sequence: int, expected_prev_hash: str) -> str:
    """What is wrong with ``event`` as the next link of its chain, or "" when nothing is."""
    if event.sequence != expected_sequence:
        if event.sequence > expected_sequence:
            return f"sequence {expected_sequence} to {event.sequence - 1} missing (deleted events)"
        return f"sequence {event.sequence} repeated or out of order (expected {expected_sequence})"
    if event.prev_hash != expected_prev_hash:
        return "prev_hash does not match the hash of the previous event"
    if event.chain != chain_key(event.organization_id):
        return "chain does not match the event's organisation"
    if event.compute_hash() != event.hash:
        return "hash does not match the event's content (event altered)"
    return ""


def verify_events(events: Iterable) -> Verification:
    """Verify events sorted by (chain, sequence); report the first break of each chain."""
    result = Verification()
    chain = None
    expected_sequence, expected_prev_hash, broken = 1, GENESIS_HASH, False
    for event in events:
        if event.chain != chain:
            chain, expected_sequence, expected_prev_hash, broken = event.chain, 1, GENESIS_HASH, False
            result.heads.append(ChainHead(chain, 0, GENESIS_HASH))
        result.events += 1
        result.heads[-1] = ChainHead(chain, event.sequence, event.hash)
        if broken:
            continue
        problem = problem_of(event, expected_sequence, expected_prev_hash)
        if problem:
            result.breaks.append(Break(chain, event.sequence, event.pk, problem))
            broken = True
        expected_sequence, expected_prev_hash = event.sequence + 1, event.hash
    return result


def verify_trail() -> Verification:
    """Verify the whole audit table, streaming it in (chain, sequence) order."""
    events = AuditEvent.objects.order_by("chain", "sequence").iterator(chunk_size=STREAM_CHUNK)
    return verify_events(events)


def append_only_triggers_active() -> bool:
    """Whether the database triggers of migration 0002 are present and enabled."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
            names = {row[0] for row in cursor.fetchall()}
            return {"audit_auditevent_no_update", "audit_auditevent_no_delete"} <= names
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = %s",
                [table, "audit_auditevent_append_only"],
            )
            row = cursor.fetchone()
            # "D" means disabled (ALTER TABLE ... DISABLE TRIGGER).
            return row is not None and row[0] != "D"
    return False
