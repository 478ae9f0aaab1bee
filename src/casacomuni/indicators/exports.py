"""A chart's rows as CSV: the numbers of the chart and of its table, with their headings.

Cells that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return) are
prefixed with an apostrophe (OWASP, "CSV Injection"): comune names are data from outside.
"""

import csv
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils.text import slugify

from casacomuni.lib.spreadsheets import no_formula


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value)  # a dot as decimal separator: the machine-readable form open data uses
    return no_formula(value)


def csv_response(chart, file_stem: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(heading) for _key, heading in chart.columns])
    for row in chart.rows:
        writer.writerow([safe_cell(row[key]) for key, _heading in chart.columns])
    # The byte order mark makes spreadsheet programs read UTF-8 (accented names) correctly.
    response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(file_stem)}-{chart.name}.csv"'
    return response
