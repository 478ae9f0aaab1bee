import pytest

from casacomuni.training import framework
from casacomuni.training.models import Competence


@pytest.fixture(autouse=True)
def competence_framework(request):
    """The framework migration 0002 loads, back in place for the tests that use the database: a transactional
    test run before on the same worker (a browser test on PostgreSQL) empties every table."""
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        return
    request.getfixturevalue("db")
    if not Competence.objects.exists():
        framework.load(Competence)
