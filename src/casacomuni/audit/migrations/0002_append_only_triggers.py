"""Database triggers that refuse UPDATE and DELETE on the audit trail, below the ORM.

The application already refuses to change events; the triggers also stop raw SQL and other clients.
A DBA can still drop or disable them, which is why ``casacomuni verify_audit`` checks the hash chain
and that these triggers are in place.

Both raise an integrity error (SQLite ``RAISE(ABORT)``; PostgreSQL SQLSTATE 23000), which Django
reports as ``IntegrityError``. TRUNCATE is left to database privileges: Django's test flush uses it
on PostgreSQL.

Warning: on SQLite, a later migration that rebuilds ``audit_auditevent`` (most ALTERs do) drops these
triggers with the old table; such a migration must create them again. The test
``test_raw_sql_update_is_refused_by_the_database`` fails if they are missing.
"""

from django.db import migrations

TABLE = "audit_auditevent"
MESSAGE = "audit events are append-only"

SQLITE_FORWARD = [
    f"CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
    f"CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete;",
]

POSTGRESQL_FORWARD = [
    f"""
    CREATE FUNCTION audit_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$;
    """,
    f"CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only();",
]
POSTGRESQL_BACKWARD = [
    f"DROP TRIGGER IF EXISTS audit_auditevent_append_only ON {TABLE};",
    "DROP FUNCTION IF EXISTS audit_auditevent_append_only();",
]

STATEMENTS = {
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
    "postgresql": (POSTGRESQL_FORWARD, POSTGRESQL_BACKWARD),
}


def statements_for(schema_editor, direction: int) -> list[str]:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise NotImplementedError(f"The audit trail's append-only triggers exist for SQLite and PostgreSQL, not {vendor}.")
    return STATEMENTS[vendor][direction]


# params=None: the PostgreSQL function contains a literal "%" that must not be read as a placeholder.
def install(apps, schema_editor):
    for statement in statements_for(schema_editor, 0):
        schema_editor.execute(statement, params=None)


def remove(apps, schema_editor):
    for statement in statements_for(schema_editor, 1):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
