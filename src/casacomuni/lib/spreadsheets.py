"""Cells of the CSV and spreadsheet files people open in Excel or LibreOffice."""

# A cell starting with one of these is run as a formula by spreadsheets (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def no_formula(value):
    """``value``, or its text behind an apostrophe when a spreadsheet would run it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
