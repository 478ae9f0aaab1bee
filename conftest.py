"""Fixtures shared by every test: media in a temporary folder, fast password hashing, MFA off unless a test turns
it on, personas."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from casacomuni.accounts.models import ApiToken, hash_token
from casacomuni.accounts.testing import PASSWORD, make_world
from casacomuni.audit.tests.tampering import bypass_triggers, restore_triggers
from casacomuni.lib.sealing import generate_kek_setting

# The sealed envelopes' key-encryption key of this test run, for the whole session (the demo, loaded once per
# module, seals bids too): never the development key file under var/.
settings.CASACOMUNI_SEALING_KEYS = [generate_kek_setting("test")]


# Fixtures that give a test the database (pytest-django refuses it to every other test).
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}


def pytest_collection_modifyitems(items):
    """Tests that commit to the real database get the audit trail emptied before Django flushes it. Tests that
    cannot touch the database (no django_db mark, no database fixture) are marked ``once``: scripts/test runs
    them in one of its two passes, since the other database could not change their outcome."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        fixtures = set(getattr(item, "fixturenames", ()))
        transactional = marker is not None and marker.kwargs.get("transaction", False)
        if transactional or "live_server" in fixtures:
            item.fixturenames.append("empty_audit_trail")
        if marker is None and not fixtures & (DATABASE_FIXTURES | {"live_server"}):
            item.add_marker(pytest.mark.once)


@pytest.fixture
def empty_audit_trail(transactional_db):
    """After a transactional test Django empties every table: with TRUNCATE on PostgreSQL, which the audit
    table's triggers allow, but with DELETE on SQLite, which they refuse. So the trail is emptied first,
    with the triggers off for that moment only. Depending on ``transactional_db`` makes this teardown run
    before its flush."""
    yield
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            bypass_triggers(cursor)
            cursor.execute("DELETE FROM audit_auditevent")
            restore_triggers(cursor)


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    """The files tests write (uploads, generated acts and datasets, the demo's files) go to a temporary folder,
    never to the developer's media: one for the session (for each xdist worker), since the demo loaded once per
    module (demo.testing) keeps its files beyond any one test."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture
def media(settings, tmp_path):
    """An empty media folder of the test's own, for a test that looks at which files were written (or not)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Hashing is slow on purpose in production; tests hash many passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests of the second factor turn it on themselves; elsewhere administrators log in with a password.
    settings.CASACOMUNI_MFA_REQUIRED_FOR_ADMINS = False


@pytest.fixture
def world(db):
    """Two provinces with their organisations and one persona per role (see casacomuni.accounts.testing)."""
    return make_world()


@pytest.fixture
def login_as(client, world):
    """Log the test client in as a persona: ``login_as("funzionario_sua")``."""

    def login(name: str):
        client.force_login(world.personas[name])
        return client

    return login


@pytest.fixture
def as_persona(world):
    """Headers of a new personal access token of the persona, for the API: ``as_persona("dirigente_upi")``."""

    def headers(name: str) -> dict:
        raw = ApiToken.generate()
        ApiToken.objects.create(membership=world.memberships[name], name="test", token_hash=hash_token(raw))
        return {"Authorization": f"Bearer {raw}"}

    return headers


@pytest.fixture
def persona_password():
    return PASSWORD
