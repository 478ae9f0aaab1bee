"""A long territory import does not hold the database: on SQLite a writer locks the whole file, so the
~8,000 comuni are committed in batches and the platform's other writes go through between them."""

import pytest
from django.db import connection, transaction

from casacomuni.accounts.actor import Actor
from casacomuni.territory.models import Municipality
from casacomuni.territory.services import BATCH_SIZE, import_istat_file


def municipality_write(sql: str) -> bool:
    return (
        sql.lstrip()
        .upper()
        .startswith(('INSERT INTO "TERRITORY_MUNICIPALITY"', 'UPDATE "TERRITORY_MUNICIPALITY"'))
    )


@pytest.mark.django_db(transaction=True)
def test_the_comuni_are_committed_in_batches_that_let_other_writers_in():
    committed_counts, open_transaction = [], []

    def after_commit():
        committed_counts.append(Municipality.objects.count())
        open_transaction.clear()

    def watch(execute, sql, params, many, context):
        if municipality_write(sql):
            assert connection.in_atomic_block, "a comune written outside a transaction"
            if not open_transaction:
                transaction.on_commit(after_commit)
                open_transaction.append(True)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        summary = import_istat_file(Actor.system("import_territory"))

    assert summary.created == Municipality.objects.count() > 7800
    # Each commit added at most one batch; between two commits the lock is free for others.
    added = [b - a for a, b in zip([0, *committed_counts], committed_counts, strict=False)]
    assert len(committed_counts) >= summary.created // BATCH_SIZE
    assert max(added) <= BATCH_SIZE
    assert committed_counts[-1] == summary.created
