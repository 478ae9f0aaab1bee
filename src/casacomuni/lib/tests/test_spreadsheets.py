"""CSV injection (OWASP): a typed text a spreadsheet would run as a formula is written behind an apostrophe."""

import pytest

from casacomuni.lib.spreadsheets import no_formula


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+39 0422", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_a_text_a_spreadsheet_would_run_is_kept_as_text(text):
    assert no_formula(text) == "'" + text


@pytest.mark.parametrize("value", ["Comune di Treviso", "", "12,5 %", 42, -3, None])
def test_other_values_are_left_as_they_are(value):
    assert no_formula(value) == value
