"""Test helpers: the real territory (all of Italy, from the packaged ISTAT list) in the test database.

Use the ``italy`` fixture. In another app's ``tests/conftest.py`` write
``from casacomuni.territory.testing import italy, italy_module  # noqa: F401``.
The territory is loaded once per test module (about 0.5 s on SQLite), outside the tests' transactions,
and removed when the module ends, so that tests building their own small territory
(``casacomuni.accounts.testing.make_world``) never meet it. Do not mix both in one module.
"""

import pytest
from django.db import transaction

from casacomuni.territory import istat, services
from casacomuni.territory.models import Municipality, Province, Region


def load_territory() -> None:
    """Write the packaged list unless comuni are already there.

    It skips the import's audit event: fixtures must leave no row in the append-only audit trail.
    """
    if not Municipality.objects.exists():
        with transaction.atomic():
            services._write_list(istat.parse_file(services.PACKAGED_LIST))


def unload_territory() -> None:
    with transaction.atomic():
        Municipality.objects.update(successor=None)
        Municipality.objects.all().delete()
        Province.objects.all().delete()
        Region.objects.all().delete()


@pytest.fixture(scope="module")
def italy_module(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_territory()
    yield
    with django_db_blocker.unblock():
        unload_territory()


@pytest.fixture
def italy(italy_module, db):
    """The whole territory; reloaded inside the test if a transactional test emptied the database."""
    load_territory()
