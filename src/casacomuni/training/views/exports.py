"""The training office's files of an edition, as CSV and XLSX: its attendance register (people × sessions with
the minutes, the share attended and the outcome) and its completions (certificate code, person, hours, day,
revocation). Only the office that runs the edition downloads them; every text cell is kept from being run as
a formula (``lib.spreadsheets.no_formula``), the XLSX holds values only."""

import csv
import io
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from casacomuni.lib.spreadsheets import no_formula
from casacomuni.training import services
from casacomuni.training.models import Attendance, Completion, Edition, StaffMember
from casacomuni.training.views.catalogue import PROBLEM_LABELS, get_edition, require_office
from casacomuni.training.views.ledger import XLSX_TYPE


def office_edition(request, pk) -> Edition:
    """An edition of the caller's training office: 404 for one it does not read, 403 for a Comune."""
    edition = get_edition(request, pk)
    if edition.module.province_id != require_office(request.user).pk:
        raise PermissionDenied
    return edition


def outcome_text(edition: Edition, outcome, completion: Completion | None) -> str:
    if completion is not None:
        text = _("Completed, certificate %(code)s") % {"code": completion.code}
        return f"{text} ({_('revoked')})" if completion.revoked_at else text
    labels = "; ".join(str(PROBLEM_LABELS[problem]) for problem in outcome.problems)
    if edition.state == "completed":
        return _("Not completed: %(reasons)s") % {"reasons": labels or "—"}
    return labels or _("Completes it")


def register_table(edition: Edition) -> list[list]:
    """One row per enrolled participant: the minutes of each session (empty when none was recorded), the
    total, the share of the sessions' time and the outcome. A fixed number of queries."""
    sessions = list(edition.sessions.all())
    minutes = {
        (enrolment, session): value
        for enrolment, session, value in Attendance.objects.filter(session__edition=edition).values_list(
            "enrolment_id", "session_id", "minutes"
        )
    }
    completions = {c.enrolment_id: c for c in Completion.objects.filter(enrolment__edition=edition)}
    organisations = dict(
        StaffMember.objects.filter(enrolments__edition=edition).values_list("pk", "organization__name")
    )
    header = [
        _("Surname"),
        _("Name"),
        _("Organisation"),
        *(f"{timezone.localtime(s.starts_at):%d/%m/%Y %H:%M}" for s in sessions),
        _("Minutes attended"),
        _("Attendance (%)"),
        _("Outcome"),
    ]
    rows = []
    outcomes = sorted(
        services.outcomes(edition),
        key=lambda o: (o.enrolment.person.last_name, o.enrolment.person.first_name),
    )
    for outcome in outcomes:
        enrolment, person = outcome.enrolment, outcome.enrolment.person
        cells = [minutes.get((enrolment.pk, session.pk)) for session in sessions]
        rows.append(
            [
                no_formula(person.last_name),
                no_formula(person.first_name),
                no_formula(organisations.get(person.pk, "")),
                *("" if value is None else value for value in cells),
                sum(value for value in cells if value is not None),
                outcome.attended_percent,
                no_formula(outcome_text(edition, outcome, completions.get(enrolment.pk))),
            ]
        )
    return [header, *rows]


def completions_table(edition: Edition) -> list[list]:
    completions = Completion.objects.filter(enrolment__edition=edition).select_related("person__organization")
    header = [
        _("Certificate code"),
        _("Surname"),
        _("Name"),
        _("Organisation"),
        _("Hours"),
        _("Completed on"),
        _("Revoked on"),
        _("Reason of the revocation"),
    ]
    rows = [
        [
            c.code,
            no_formula(c.person.last_name),
            no_formula(c.person.first_name),
            no_formula(c.person.organization.name),
            c.hours,
            c.completed_on,
            timezone.localdate(c.revoked_at) if c.revoked_at else "",
            no_formula(c.revocation_reason),
        ]
        for c in completions.order_by("person__last_name", "person__first_name", "pk")
    ]
    return [header, *rows]


def file_name(kind: str, edition: Edition, extension: str) -> str:
    code = "".join(ch if ch.isalnum() else "-" for ch in edition.code)
    return f"{kind}-{edition.pk}-{code}.{extension}"


def as_csv(table: list[list], name: str) -> HttpResponse:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows([[cell_text(cell) for cell in row] for row in table])
    # The byte order mark makes spreadsheet programs read UTF-8 (accented names) correctly.
    response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def cell_text(value) -> str:
    """Dates as YYYY-MM-DD, numbers with the decimal comma the Italian spreadsheets read."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return str(value).replace(".", ",")
    return str(value)


def as_xlsx(table: list[list], name: str, title: str) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for row in table:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def register_csv(request, pk):
    edition = office_edition(request, pk)
    return as_csv(register_table(edition), file_name(_("attendance-register"), edition, "csv"))


@login_required
def register_xlsx(request, pk):
    edition = office_edition(request, pk)
    table = register_table(edition)
    return as_xlsx(table, file_name(_("attendance-register"), edition, "xlsx"), _("Attendance register"))


@login_required
def completions_csv(request, pk):
    edition = office_edition(request, pk)
    return as_csv(completions_table(edition), file_name(_("certificates"), edition, "csv"))


@login_required
def completions_xlsx(request, pk):
    edition = office_edition(request, pk)
    table = completions_table(edition)
    return as_xlsx(table, file_name(_("certificates"), edition, "xlsx"), _("Certificates"))
