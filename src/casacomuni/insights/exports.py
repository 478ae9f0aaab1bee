"""Exports of a campaign's answers (one edition): one row per target Comune, one column per question code.

The columns are the Comune's name and ISTAT code, the response's state, submission date and index, then
each question's code in the questionnaire's order; multiple choices are joined with ";", yes/no as
"si"/"no", files by their name. The same table in CSV (UTF-8 with BOM, for spreadsheets) and XLSX.
"""

import csv
import io
import re

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from casacomuni.insights.models import Campaign, QuestionKind
from casacomuni.insights.selectors import completion_rows
from casacomuni.lib.spreadsheets import no_formula

FIXED_COLUMNS = ("comune", "codice_istat", "stato", "inviato_il", "indice")


def export_value(question, value):
    if value is None:
        return ""
    if question.kind == QuestionKind.YES_NO:
        return "si" if value else "no"
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return ";".join(value)
    if question.kind == QuestionKind.INTEGER:
        return int(value)
    return value


def answers_table(campaign: Campaign) -> list[list]:
    """The header and one row per target Comune (three queries)."""
    questions = list(campaign.questionnaire.questions.all())
    rows = completion_rows(campaign)
    answers = {}
    for response_id, question_id, value in campaign.responses.values_list(
        "pk", "answers__question_id", "answers__value"
    ):
        answers.setdefault(response_id, {})[question_id] = value
    table = [[*FIXED_COLUMNS, *(q.code for q in questions)]]
    for row in rows:
        response = row.response
        values = answers.get(response.pk, {}) if response else {}
        municipality = row.comune.municipality
        table.append(
            [
                row.comune.name,
                municipality.istat_code if municipality else "",
                row.status,
                timezone.localdate(response.submitted_at).isoformat()
                if response and response.submitted_at
                else "",
                str(response.score) if response and response.score is not None else "",
                *(export_value(q, values.get(q.pk)) for q in questions),
            ]
        )
    return table


def as_csv(table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in table:
        writer.writerow([no_formula(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(table, campaign: Campaign) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(campaign.year)
    for row in table:
        sheet.append([no_formula(v) for v in row])
    for index in range(1, len(table[0]) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 18
    sheet.freeze_panes = "C2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_name(campaign: Campaign) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", campaign.title.lower()).strip("-")[:50] or "campagna"
    return f"{slug}-{campaign.year}"
