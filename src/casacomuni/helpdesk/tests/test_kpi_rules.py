"""The office's indicators (rules.kpis) on a worked example of four requests in March 2026."""

from datetime import datetime
from decimal import Decimal

from casacomuni.helpdesk.rules import kpis

START, END = datetime(2026, 3, 1), datetime(2026, 4, 1)


def row(
    category, created, answered=None, answer_hours=None, resolved=None, hours=None, closed=None, rating=None
):
    return kpis.Row(category, created, answered, answer_hours, 8, resolved, hours, 40, closed, rating)


ROWS = [
    # first answer in 2 h, resolved in 10 h, rated 5
    row(
        "Gare",
        datetime(2026, 3, 2),
        datetime(2026, 3, 2),
        Decimal(2),
        datetime(2026, 3, 3),
        Decimal(10),
        datetime(2026, 3, 4),
        5,
    ),
    # first answer in 12 h (late), resolved in 50 h (late), rated 2
    row(
        "Gare",
        datetime(2026, 3, 2),
        datetime(2026, 3, 4),
        Decimal(12),
        datetime(2026, 3, 12),
        Decimal(50),
        datetime(2026, 3, 13),
        2,
    ),
    # opened in February, answered in March in 6 h: counts for the first answer, not as opened
    row("Bandi", datetime(2026, 2, 27), datetime(2026, 3, 2), Decimal(6)),
    # opened in March, nothing else yet
    row("Bandi", datetime(2026, 3, 20)),
]


def test_the_figures_of_one_category():
    gare = kpis.figures("Gare", ROWS[:2], START, END)
    assert (gare.opened, gare.resolved) == (2, 2)
    assert (gare.median_first_answer, gare.median_resolution) == (7.0, 30.0)
    assert (gare.first_answer_within, gare.resolution_within) == (0.5, 0.5)
    assert (gare.average_rating, gare.ratings) == (3.5, 2)


def test_the_lines_by_category_and_the_total():
    lines = kpis.by_category(ROWS, START, END, "Totale")
    assert [line.label for line in lines] == ["Bandi", "Gare", "Totale"]
    bandi, total = lines[0], lines[2]
    assert (bandi.opened, bandi.resolved, bandi.median_first_answer, bandi.average_rating) == (
        1,
        0,
        6.0,
        None,
    )
    assert (total.opened, total.resolved, total.median_first_answer) == (3, 2, 6.0)
    assert total.first_answer_within == round(2 / 3, 3)
