import pytest

from casacomuni.accounts.testing import make_user
from casacomuni.inbox import kinds
from casacomuni.inbox.kinds import NEVER_OFF, ONLY_IMMEDIATE, NoticeKind
from casacomuni.lib.navigation import Section

# Kinds of the tests' own, so that the tests do not depend on what the other apps declare.
OPEN = NoticeKind("tests.open", "Avvisi di prova", Section.NETWORK)
LOCKED = NoticeKind("tests.locked", "Avvisi di sicurezza", Section.ADMINISTRATION, NEVER_OFF)
RECEIPT = NoticeKind("tests.receipt", "Ricevute", Section.PROCUREMENT, ONLY_IMMEDIATE)


@pytest.fixture(autouse=True)
def test_kinds():
    kinds.register(OPEN, LOCKED, RECEIPT)
    yield
    kinds.unregister(OPEN, LOCKED, RECEIPT)


@pytest.fixture
def anna(db):
    return make_user("anna", first_name="Anna", last_name="Rossi")


@pytest.fixture
def bruno(db):
    return make_user("bruno", first_name="Bruno", last_name="Verdi")
