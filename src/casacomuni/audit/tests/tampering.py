"""Simulating a database administrator who switches off the append-only triggers and edits rows."""

from importlib import import_module

from django.db import connection


def bypass_triggers(cursor) -> None:
    """Switch off the append-only triggers, as a DBA tampering with the trail could."""
    if connection.vendor == "sqlite":
        cursor.execute("DROP TRIGGER audit_auditevent_no_update")
        cursor.execute("DROP TRIGGER audit_auditevent_no_delete")
    else:
        # ALTER TABLE refuses while the transaction has deferred foreign-key checks pending: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")


def restore_triggers(cursor) -> None:
    if connection.vendor == "sqlite":
        migration = import_module("casacomuni.audit.migrations.0002_append_only_triggers")
        for statement in migration.SQLITE_FORWARD:
            cursor.execute(statement)
    else:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
