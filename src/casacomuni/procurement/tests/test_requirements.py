"""The winner's requirements (rules/requirements.py): which are required, and the state of each on a day.

Sources of the worked examples: D.Lgs. 36/2023 art. 17 c.5 (requirements verified before the award), art. 52
c.1 (direct awards below 40,000 euro: self-declaration checked by sample), artt. 94 c.6 and 95 c.2 (unpaid
social security contributions; the DURC certifies them absent), art. 100 c.4 with Allegato II.12 (SOA for
works of 150,000 euro or more); DM 30 January 2015 art. 7 c.1 (a DURC is valid 120 days from its issue)."""

from datetime import date
from decimal import Decimal

from casacomuni.procurement.rules import requirements as req

DAY = date(2026, 3, 2)


def durc(issued: date, expires: date | None = None) -> req.Document:
    return req.Document(req.DURC, issued, expires, "durc.pdf")


def states(rows) -> dict:
    return {row.kind: (row.required, row.state) for row in rows}


def test_a_durc_is_valid_120_days_from_its_issue_whatever_it_states():
    # DM 30/01/2015 art. 7 c.1: issued 1 November 2025, valid to 1 March 2026 (30+31+31+28 = 120 days).
    assert req.expiry(durc(date(2025, 11, 1))) == date(2026, 3, 1)
    # A stated expiry later than the 120th day is read as the 120th day; an earlier one stands.
    assert req.expiry(durc(date(2025, 11, 1), date(2026, 6, 30))) == date(2026, 3, 1)
    assert req.expiry(durc(date(2025, 11, 1), date(2026, 2, 1))) == date(2026, 2, 1)


def test_states_on_the_day_checked():
    assert req.state_on(durc(date(2025, 11, 1)), DAY) == req.EXPIRED  # ended on 1 March
    assert req.state_on(durc(date(2025, 11, 2)), DAY) == req.EXPIRING  # valid through its 120th day, 2 March
    # Issued 3 November: valid to 3 March, within 30 days of 2 March.
    assert req.state_on(durc(date(2025, 11, 3)), DAY) == req.EXPIRING
    assert req.state_on(durc(date(2026, 2, 1)), DAY) == req.VALID  # to 1 June
    assert req.state_on(None, DAY) == req.MISSING
    assert req.state_on(req.Document(req.DURC, None, None), DAY) == req.MISSING  # nothing to verify
    assert req.state_on(req.Document(req.OTHER, None, None, "dichiarazione.pdf"), DAY) == req.VALID


def test_the_durc_is_always_required_and_the_soa_from_150000_euro_of_works():
    works = req.check([durc(date(2026, 2, 1))], DAY, works=True, amount=Decimal("150000.00"))
    assert states(works) == {req.DURC: (True, req.VALID), req.SOA_CERTIFICATE: (True, req.MISSING)}
    assert [row.kind for row in req.blocking(works)] == [req.SOA_CERTIFICATE]
    below = req.check([durc(date(2026, 2, 1))], DAY, works=True, amount=Decimal("149999.99"))
    assert states(below) == {req.DURC: (True, req.VALID)} and not req.blocking(below)
    services = req.check([], DAY, works=False, amount=Decimal("500000"))
    assert states(services) == {req.DURC: (True, req.MISSING)}


def test_a_renewed_durc_supersedes_the_expired_one_but_not_before_its_issue():
    documents = [durc(date(2025, 9, 1)), durc(date(2026, 2, 20))]
    assert states(req.check(documents, DAY, works=False, amount=Decimal("1")))[req.DURC] == (True, req.VALID)
    # On 1 February 2026 the renewal did not exist yet: the old one (ended 30 December 2025) is what there was.
    on_first = req.check(documents, date(2026, 2, 1), works=False, amount=Decimal("1"))
    assert states(on_first)[req.DURC] == (True, req.EXPIRED)


def test_a_direct_award_below_40000_euro_requires_nothing_to_sign():
    rows = req.check([], DAY, works=True, amount=Decimal("39999.99"), direct_award=True)
    assert states(rows) == {req.DURC: (False, req.MISSING)} and not req.blocking(rows)
    assert rows[0].basis.startswith("art. 52 c.1")
    at_40000 = req.check([], DAY, works=False, amount=Decimal("40000"), direct_award=True)
    assert [row.kind for row in req.blocking(at_40000)] == [req.DURC]


def test_insurance_and_declarations_are_listed_not_required():
    documents = [
        durc(date(2026, 2, 1)),
        req.Document(req.INSURANCE, date(2025, 1, 1), date(2026, 1, 1), "polizza.pdf"),
        req.Document(req.OTHER, date(2025, 6, 1), None, "dichiarazione art. 94.pdf"),
    ]
    rows = req.check(documents, DAY, works=False, amount=Decimal("200000"))
    assert [(row.kind, row.required, row.state) for row in rows] == [
        (req.DURC, True, req.VALID),
        (req.INSURANCE, False, req.EXPIRED),
        (req.OTHER, False, req.VALID),
    ]
    assert not req.blocking(rows)
