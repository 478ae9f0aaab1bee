import pytest

from casacomuni.accounts.actor import Actor
from casacomuni.helpdesk.testing import make_categories
from casacomuni.procurement.testing import sua_adhesion


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def desk(world):
    """The home Comune joined the SUA of its Province, which has the default categories; the personas as
    actors."""
    sua_adhesion(world.home, world.home.comune)
    world.categories = make_categories(world.home.province_org)
    world.actor = lambda persona: Actor.for_membership(world.memberships[persona])
    return world
