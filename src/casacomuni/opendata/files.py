"""A generator's table as the bytes of its CSV and JSON distributions.

CSV: UTF-8 (no BOM), comma-separated, one header row, CRLF line ends (RFC 4180), as the AgID open-data
guidelines ask. JSON: an array of objects, one per row, keys in the columns' order. Both are deterministic:
the same table always gives the same bytes, so an unchanged dataset keeps its SHA-256 and its ``modified``.

Text cells that a spreadsheet would run as a formula (= + - @, tab, carriage return first) get an apostrophe
in the CSV only (OWASP, "CSV Injection"); numbers are written as numbers, and the JSON keeps every text as is.
"""

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

from casacomuni.lib.spreadsheets import no_formula
from casacomuni.opendata.generators import Table


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return no_formula(value)
    return str(value)


def json_value(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def render_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def render_json(table: Table) -> bytes:
    records = [
        {column: json_value(value) for column, value in zip(table.columns, row, strict=True)}
        for row in table.rows
    ]
    return json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")


RENDERERS = {"CSV": render_csv, "JSON": render_json}
