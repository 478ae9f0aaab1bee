"""Nothing can change or remove a recorded event: not the ORM, and not raw SQL (database triggers)."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from casacomuni.audit.models import AppendOnlyError, AuditEvent
from casacomuni.audit.services import record_event


@pytest.fixture
def event(people):
    with transaction.atomic():
        return record_event(
            people.actor("amministratore_firenze"), "membership.create", None, {"role": [None, "a"]}
        )


def test_saving_an_existing_event_is_refused(event):
    event.action = "membership.delete"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "membership.create"


def test_deleting_an_event_is_refused(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "operation",
    [
        lambda qs, event: qs.update(action="x.y"),
        lambda qs, event: qs.delete(),
        lambda qs, event: qs.bulk_update([event], ["action"]),
        lambda qs, event: qs.bulk_create([AuditEvent(chain="platform", sequence=9, action="x.y")]),
        lambda qs, event: AuditEvent.objects.filter(pk=event.pk).update(action="x.y"),
    ],
    ids=["update", "delete", "bulk_update", "bulk_create", "manager_filter_update"],
)
def test_bulk_orm_writes_are_refused(event, operation):
    with pytest.raises(AppendOnlyError):
        operation(AuditEvent.objects.all(), event)
    assert AuditEvent.objects.get().action == "membership.create"


@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_auditevent SET action = 'membership.delete'", "DELETE FROM audit_auditevent"],
    ids=["update", "delete"],
)
def test_raw_sql_update_is_refused_by_the_database(event, sql):
    # The triggers of migration 0002; an SQLite table rebuild in a later migration would drop them.
    refused = pytest.raises((IntegrityError, DatabaseError), match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEvent.objects.get().action == "membership.create"
