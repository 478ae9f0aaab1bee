"""Art. 101 c.1 D.Lgs. 36/2023: the soccorso istruttorio gives "un termine non inferiore a cinque giorni e non
superiore a dieci giorni" (worked examples: a request on Monday 2 March 2026)."""

from datetime import date

import pytest

from casacomuni.procurement.rules import integration


@pytest.mark.parametrize(
    ("days", "lawful"), [(4, False), (5, True), (7, True), (10, True), (11, False), (0, False)]
)
def test_the_term_is_from_five_to_ten_days(days, lawful):
    assert (integration.term_problem(days) is None) is lawful


def test_the_term_counts_calendar_days_from_the_request():
    # Requested on Monday 2 March 2026 with 5 days: the operator answers by Saturday 7 March.
    assert integration.answer_deadline(date(2026, 3, 2), 5) == date(2026, 3, 7)
    # With 10 days, across the end of the month: by Thursday 12 March.
    assert integration.answer_deadline(date(2026, 3, 2), 10) == date(2026, 3, 12)
