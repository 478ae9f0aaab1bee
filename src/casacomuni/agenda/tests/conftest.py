"""One world for the module: two Provinces with one of each dated object on each side (the other apps' own
builders), their dates moved to today (``agenda.testing``), built once in a transaction rolled back at the end
of the module; each test runs in a savepoint inside it."""

import pytest
from django.db import transaction
from django.test import override_settings


def build_world():
    from casacomuni.accounts.testing import make_world
    from casacomuni.agenda.testing import add_agenda
    from casacomuni.eufunds.testing import add_eufunds
    from casacomuni.helpdesk.testing import add_helpdesk
    from casacomuni.insights.testing import add_insights
    from casacomuni.procurement.testing import add_procedures, sua_adhesion
    from casacomuni.projects.testing import add_projects
    from casacomuni.training.testing import add_training

    world = make_world()
    world.objects = {}
    for name, side in (("home", world.home), ("elsewhere", world.elsewhere)):
        # The Comune asks its SUA for help (helpdesk): it joined the service.
        sua_adhesion(side, side.comune)
        world.objects[name] = {
            "eufunds": add_eufunds(side, world),
            "projects": add_projects(side, world),
            "insights": add_insights(side, world),
            "procedures": add_procedures(side, world),
            "training": add_training(side, world),
            "helpdesk": add_helpdesk(side, world),
            "agenda": add_agenda(side, world),
        }
    return world


@pytest.fixture(scope="module")
def agenda_world_module(django_db_setup, django_db_blocker):
    hashers = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with hashers, django_db_blocker.unblock():
        module_transaction = transaction.atomic()
        module_transaction.__enter__()
        try:
            world = build_world()
        except BaseException:
            transaction.set_rollback(True)
            module_transaction.__exit__(None, None, None)
            raise
    yield world
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        module_transaction.__exit__(None, None, None)


@pytest.fixture
def agenda_world(agenda_world_module, db):
    """The module's world; a test's changes are undone after it (the ``db`` fixture's savepoint)."""
    return agenda_world_module
