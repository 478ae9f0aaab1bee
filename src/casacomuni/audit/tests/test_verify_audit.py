"""`casacomuni verify_audit` proves the trail whole, and names the first broken link of each chain."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from casacomuni.accounts.actor import Actor
from casacomuni.audit.models import AuditEvent
from casacomuni.audit.services import record_event
from casacomuni.audit.tests.tampering import bypass_triggers, restore_triggers
from casacomuni.audit.verification import verify_events, verify_trail


@pytest.fixture
def trail(people):
    """Three events of Firenze, two of Pisa and one of the platform."""
    with transaction.atomic():
        firenze = [
            record_event(people.actor("amministratore_firenze"), "membership.create") for _ in range(3)
        ]
        pisa = [record_event(people.actor("amministratore_pisa"), "membership.create") for _ in range(2)]
        platform = [record_event(Actor.system("demo"), "demo.load")]
    return {"firenze": firenze, "pisa": pisa, "platform": platform}


def run_verify_audit():
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def tamper(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        bypass_triggers(cursor)
        cursor.execute(sql, params)
        restore_triggers(cursor)


def test_clean_trail_passes(trail):
    assert run_verify_audit() == (0, "OK: 6 events in 3 chains\n", "")


def test_empty_trail_passes(db):
    assert run_verify_audit()[:2] == (0, "OK: 0 events in 0 chains\n")


def test_row_altered_in_the_database_is_detected_and_named(trail):
    altered = trail["firenze"][1]
    tamper("UPDATE audit_auditevent SET object_repr = %s WHERE id = %s", ["nothing happened", altered.pk])

    status, out, err = run_verify_audit()

    assert status == 1
    assert f"chain {altered.chain}, sequence 2, event {altered.pk}: hash does not match" in err
    assert err.count("BROKEN") == 1  # Pisa and the platform chain are intact


def test_deleted_row_leaves_a_gap_that_is_detected(trail):
    deleted, following = trail["pisa"][0], trail["pisa"][1]
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [deleted.pk])

    status, _out, err = run_verify_audit()

    assert status == 1
    assert f"chain {deleted.chain}, sequence 2, event {following.pk}: sequence 1 to 1 missing" in err


def test_rewritten_link_is_detected(trail):
    relinked = trail["firenze"][2]
    tamper(
        "UPDATE audit_auditevent SET prev_hash = %s WHERE id = %s", [trail["firenze"][0].hash, relinked.pk]
    )
    status, _out, err = run_verify_audit()
    assert status == 1
    assert f"event {relinked.pk}: prev_hash does not match" in err


def test_disabled_triggers_fail_the_verification(trail):
    with connection.cursor() as cursor:
        bypass_triggers(cursor)
    status, _out, err = run_verify_audit()
    assert status == 1
    assert "append-only triggers" in err


def test_verification_streams_the_table_in_one_pass(trail, django_assert_num_queries):
    with django_assert_num_queries(1):
        result = verify_trail()
    assert (result.ok, result.events, result.chains) == (True, 6, 3)


def test_only_the_first_break_of_a_chain_is_reported():
    events = [AuditEvent(chain="platform", sequence=n, action="demo.load", pk=n) for n in (1, 2, 3)]
    previous = "0" * 64
    for event in events:
        event.prev_hash = previous
        event.hash = previous = event.compute_hash()
    events[1].action = "demo.forged"
    events[2].action = "demo.forged"

    result = verify_events(events)

    assert [(b.sequence, b.event_id) for b in result.breaks] == [(2, 2)]
    assert result.heads[0].sequence == 3
