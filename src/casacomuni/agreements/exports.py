"""The national coverage as CSV and XLSX files, and the classes of the national map.

Cells that a spreadsheet would read as a formula (starting with = + - @, or a tab or carriage return) are
prefixed with an apostrophe: OWASP, "CSV Injection".
"""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from casacomuni.lib.spreadsheets import no_formula

# The columns of the exports: the keys of selectors.service_coverage rows and their headings.
COLUMNS = [
    ("province_code", gettext_lazy("Province ISTAT code")),
    ("province_sigla", gettext_lazy("Abbreviation")),
    ("province_name", gettext_lazy("Province")),
    ("region_name", gettext_lazy("Region")),
    ("service_kind", gettext_lazy("Kind of service (code)")),
    ("service_kind_label", gettext_lazy("Kind of service")),
    ("services", gettext_lazy("Services offered")),
    ("comuni_joined", gettext_lazy("Comuni joined")),
    ("comuni_total", gettext_lazy("Comuni of the province")),
    ("population_covered", gettext_lazy("Population covered")),
]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The map's classes by number of comuni joined: (lowest, highest or None, CSS class). Same colours in
# static/agreements/national-map.js and national.css.
LEGEND = [
    (0, 0, "coverage-0"),
    (1, 5, "coverage-1"),
    (6, 20, "coverage-2"),
    (21, 50, "coverage-3"),
    (51, None, "coverage-4"),
]


def table(rows: list[dict]) -> list[list]:
    return [[str(label) for _key, label in COLUMNS]] + [
        [no_formula(row[key]) for key, _label in COLUMNS] for row in rows
    ]


def file_name(extension: str) -> str:
    return f"{_('service-coverage')}-{timezone.localdate():%Y-%m-%d}.{extension}"


def csv_response(rows: list[dict]) -> HttpResponse:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table(rows))
    # The byte order mark makes spreadsheet programs read UTF-8 (accented names) correctly.
    response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_name("csv")}"'
    return response


def xlsx_response(rows: list[dict]) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Coverage")[:31]
    for line in table(rows):
        sheet.append(line)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{file_name("xlsx")}"'
    return response


def level_of(joined: int) -> int:
    for index, (lowest, highest, _css) in enumerate(LEGEND):
        if joined >= lowest and (highest is None or joined <= highest):
            return index
    return 0


def map_features(provinces: list[dict]) -> list[dict]:
    """What the map script needs for each province on the platform: its abbreviation, name, comuni joined
    and class. The other provinces of Italy are drawn in outline only, from the same outlines file."""
    return [
        {
            "sigla": row["province_sigla"],
            "name": row["province_name"],
            "joined": row["comuni_joined"],
            "level": level_of(row["comuni_joined"]),
        }
        for row in provinces
    ]
