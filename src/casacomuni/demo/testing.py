"""Test helpers: the demo, loaded once per test module.

Loading the demo takes seconds; a module whose tests only read it loads it once, in a transaction that is
rolled back when the module ends, and each test runs in a savepoint inside it (what Django's
``TestCase.setUpTestData`` does for a class). In the module's conftest write
``from casacomuni.demo.testing import demo  # noqa: F401`` beside the territory's fixtures, and take ``demo``
(with ``italy``) in the tests.

The demo's files go to the session's temporary media folder (the root conftest's ``_media_root``), which
outlives the module. Callbacks registered with ``transaction.on_commit`` while loading never run, as in any test
inside a transaction.
"""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings


@pytest.fixture(scope="module")
def demo_module(italy_module, django_db_blocker):
    # The setting the root conftest gives every test, which a module fixture runs before.
    module_settings = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with module_settings:
        with django_db_blocker.unblock():
            module_transaction = transaction.atomic()
            module_transaction.__enter__()
            try:
                call_command("load_demo", verbosity=0)
            except BaseException:
                transaction.set_rollback(True)
                module_transaction.__exit__(None, None, None)
                raise
        yield
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            module_transaction.__exit__(None, None, None)


@pytest.fixture
def demo(demo_module, italy):
    """The demo's Provinces, people, agreements, requests and procedures; a test's changes are undone after it."""
