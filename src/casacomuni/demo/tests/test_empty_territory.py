"""load_demo needs the territory; without it the user gets a clear message (kept apart from the modules
that load all of Italy, which stays loaded for the whole module)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def test_load_demo_refuses_an_empty_territory(db):
    with pytest.raises(CommandError, match="import_territory"):
        call_command("load_demo", verbosity=0)
