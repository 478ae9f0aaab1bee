"""Concurrent appends to one chain never fork it (PostgreSQL: advisory transaction lock per chain)."""

import threading

import pytest
from django.db import connection, transaction

from casacomuni.audit.models import AuditEvent
from casacomuni.audit.services import record_event
from casacomuni.audit.tests.conftest import make_people
from casacomuni.audit.verification import verify_trail

THREADS = 8
EVENTS_PER_THREAD = 5


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite takes one database-wide write lock (BEGIN IMMEDIATE), nothing to race",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_to_one_chain_give_one_valid_chain():
    people = make_people()
    actor = people.actor("amministratore_firenze")
    start = threading.Barrier(THREADS)
    errors = []

    def append(worker: int):
        try:
            start.wait()
            for n in range(EVENTS_PER_THREAD):
                with transaction.atomic():
                    record_event(actor, "membership.update", None, {"worker": [None, worker], "n": [None, n]})
        except Exception as error:  # reported below: an exception in a thread would be lost
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(worker,)) for worker in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    sequences = list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, THREADS * EVENTS_PER_THREAD + 1))
    result = verify_trail()
    assert (result.ok, result.events, result.chains) == (True, THREADS * EVENTS_PER_THREAD, 1)
