"""The progress on a training path on worked examples.

Source: the demo's path of each Province (``casacomuni.demo.training``), the three modules "Il RUP nel nuovo
codice dei contratti pubblici" (16 hours), "Rendicontare un progetto finanziato dall'Unione europea" (12) and
"Pubblicare dati aperti di qualità" (8), taken here with ids 11, 12 and 13 in this order."""

from decimal import Decimal

from casacomuni.training.rules import paths

PATH = (11, 12, 13)


def test_nobody_started_the_next_module_is_the_first():
    result = paths.progress(PATH, [])
    assert result == paths.Progress(completed=(), next=11, complete=False, total=3)
    assert result.done == 0


def test_modules_taken_out_of_order_leave_the_first_missing_as_next():
    """Data then procurement done: EU funds (12) is next, the completed ones in the path's order."""
    result = paths.progress(PATH, [13, 11])
    assert result.completed == (11, 13) and result.next == 12 and not result.complete


def test_completions_of_modules_outside_the_path_do_not_count():
    result = paths.progress(PATH, [11, 99, 12])
    assert result.completed == (11, 12) and result.next == 13 and result.done == 2


def test_every_module_done_completes_the_path_once_whatever_the_repetitions():
    result = paths.progress(PATH, [12, 11, 13, 11])
    assert result.complete and result.next is None and result.done == 3


def test_a_path_without_modules_is_never_complete():
    assert paths.progress((), [11]) == paths.Progress(completed=(), next=None, complete=False, total=0)


def test_the_hours_of_the_demo_path_are_sixteen_twelve_and_eight():
    assert paths.total_hours([Decimal(16), Decimal(12), Decimal(8)]) == Decimal(36)
    assert paths.total_hours([Decimal("0.5"), Decimal("1.5")]) == Decimal(2)
    assert paths.total_hours([]) == 0
