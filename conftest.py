"""Fixtures shared by every test: fast password hashing, MFA off unless a test turns it on, personas."""

import pytest

from casacomuni.accounts.testing import PASSWORD, make_world


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
def persona_password():
    return PASSWORD
