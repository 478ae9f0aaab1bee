"""Each organisation's events form one chain: numbered 1..N, each linked to the previous by its hash."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from casacomuni.accounts.actor import Actor
from casacomuni.audit.models import GENESIS_HASH, PLATFORM_CHAIN, AuditEvent
from casacomuni.audit.services import record_event


def record(actor, action="membership.create", obj=None, changes=None, **kwargs):
    with transaction.atomic():
        return record_event(actor, action, obj, changes, **kwargs)


def test_events_of_one_organisation_are_numbered_and_linked(people):
    actor = people.actor("amministratore_firenze")
    events = [record(actor, "membership.create", people.memberships["referente_fiesole"]) for _ in range(3)]

    assert [event.sequence for event in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS_HASH
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert {event.chain for event in events} == {f"org:{people.organizations['provincia_firenze'].pk}"}


def test_two_organisations_have_independent_chains(people):
    firenze = record(people.actor("amministratore_firenze"))
    pisa = record(people.actor("amministratore_pisa"))
    firenze_again = record(people.actor("amministratore_firenze"))

    assert (firenze.sequence, pisa.sequence, firenze_again.sequence) == (1, 1, 2)
    assert pisa.prev_hash == GENESIS_HASH
    assert firenze_again.prev_hash == firenze.hash


def test_event_copies_who_did_what_on_which_object(people):
    membership = people.memberships["referente_fiesole"]
    event = record(
        people.actor("amministratore_firenze"), "membership.create", membership, {"role": [None, "x"]}
    )
    event.refresh_from_db()

    assert event.organization == people.organizations["provincia_firenze"]
    assert (event.user, event.username, event.role) == (
        people.users["amministratore_firenze"],
        "amministratore_firenze",
        "province_admin",
    )
    assert (event.object_type, event.object_id) == ("accounts.membership", str(membership.pk))
    assert event.object_repr == str(membership)
    assert event.ip_address == "192.0.2.10"
    assert event.changes == {"role": [None, "x"]}


def test_explicit_organisation_chooses_the_chain(people):
    fiesole = people.organizations["comune_fiesole"]
    event = record(people.actor("amministratore_firenze"), "union.save", fiesole, organization=fiesole)
    assert event.chain == f"org:{fiesole.pk}"


def test_system_actor_writes_to_the_platform_chain(people):
    event = record(Actor.system("import_territory"), "territory.import")
    assert (event.chain, event.organization, event.user, event.actor_label) == (
        PLATFORM_CHAIN,
        None,
        None,
        "import_territory",
    )


def test_values_json_cannot_hold_exactly_are_stored_as_text_and_the_hash_still_verifies(people):
    changes = {
        "deadline": [None, date(2026, 3, 1)],
        "amount": [Decimal("1E+2"), Decimal("139999.99")],
        "ratio": [None, 0.1],
        "organization": [None, people.organizations["comune_fiesole"]],
    }
    event = record(people.actor("amministratore_firenze"), "procedure.update", None, changes)
    stored = AuditEvent.objects.get(pk=event.pk)

    assert stored.changes == {
        "deadline": [None, "2026-03-01"],
        "amount": ["100", "139999.99"],
        "ratio": [None, "0.1"],
        "organization": [None, "Comune di Fiesole"],
    }
    assert stored.compute_hash() == stored.hash == event.hash


def test_ipv6_address_is_normalised_before_it_is_hashed(people):
    actor = people.actor("amministratore_firenze", ip_address="2001:DB8:0:0:0:0:0:1")
    event = record(actor)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.ip_address == "2001:db8::1"
    assert stored.compute_hash() == stored.hash


def test_recording_outside_a_transaction_opens_one(people):
    event = record_event(people.actor("amministratore_firenze"), "auth.login")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_event_rolls_back_with_the_write_it_records(people):
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(people.actor("amministratore_firenze"), "membership.create")
        raise RuntimeError("the write failed")
    assert not AuditEvent.objects.exists()
    assert record(people.actor("amministratore_firenze")).sequence == 1


def test_action_must_be_a_dotted_name(people):
    with pytest.raises(ValueError, match="dotted"):
        record(people.actor("amministratore_firenze"), "Create membership")
    assert not AuditEvent.objects.exists()
