"""The 40-hour ledger's pages: a person's own hours, the organisation's ledger (a Comune's referent its staff,
the Province's training office its own and its territory's) with its CSV and XLSX files, and the upload of
hours done with other providers. Reads in ``training.ledger``, writes in ``training.services``."""

import csv
import io
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from openpyxl import Workbook

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import TRAINING_OFFICE_ROLES, OrganizationKind, Role
from casacomuni.lib.spreadsheets import no_formula
from casacomuni.training import ledger, profiles, services
from casacomuni.training.forms import STANDING_LABELS, ImportHoursForm, LedgerFilterForm
from casacomuni.training.models import Completion, ExternalHours, ImportRun, StaffMember
from casacomuni.training.rules import ledger as rules
from casacomuni.training.views.feedback import with_satisfaction

PAGE_SIZE = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ledger_organizations(user):
    """The organisations whose staff the user's ledger covers: the office's own and its territory's, the
    referent's own; 403 for anybody else."""
    office = tenancy.as_province(user, TRAINING_OFFICE_ROLES)
    if office is not None:
        return (
            Organization.objects.filter(province_id=office.province_id)
            .exclude(kind__in=(OrganizationKind.OPERATOR, OrganizationKind.UPI))
            .order_by("name")
        )
    party = tenancy.as_local_party(user)
    if party is not None and tenancy.has_role(user, Role.MUNICIPALITY_REFERENT):
        return Organization.objects.filter(pk=party.pk)
    raise PermissionDenied


def filtered_ledger(request):
    organizations = list(ledger_organizations(request.user))
    form = LedgerFilterForm(request.GET or None, organizations)
    year = form.value("year", date.today().year)
    people = form.filter(ledger.ledger_for(request.user, year))
    return form, organizations, year, people


@login_required
def organisation_ledger(request):
    form, organizations, year, people = filtered_ledger(request)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    today = date.today()
    names = {o.pk: o.name for o in organizations}
    summaries = [(names.get(pk, ""), s) for pk, s in ledger.organisation_summaries(request.user, year)]
    context = {
        "form": form,
        "year": year,
        "page": page,
        "rows": [
            (person, STANDING_LABELS[person.standing], rules.forecast(person.hours, today, year))
            for person in page
        ],
        "summaries": summaries,
        "office": tenancy.as_province(request.user, TRAINING_OFFICE_ROLES) is not None,
        "target": rules.TARGET_HOURS,
    }
    return render(request, "training/ledger.html", context)


def table(request) -> tuple[int, list[list]]:
    _form, _organizations, year, people = filtered_ledger(request)
    today = date.today()
    header = [
        _("Surname"),
        _("Name"),
        _("Organisation"),
        _("Hours on the platform"),
        _("Hours imported"),
        _("Hours"),
        _("Forecast at year end"),
        _("Standing"),
    ]
    lines = [
        [
            no_formula(person.last_name),
            no_formula(person.first_name),
            no_formula(person.organization.name),
            person.platform_hours.quantize(ledger.TENTH),
            person.imported_hours.quantize(ledger.TENTH),
            person.hours.quantize(ledger.TENTH),
            rules.forecast(person.hours, today, year),
            str(STANDING_LABELS[person.standing]),
        ]
        for person in people
    ]
    return year, [[str(h) for h in header], *lines]


def attachment(content, content_type: str, year: int, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_("training-hours")}-{year}.{extension}"'
    return response


@login_required
def ledger_csv(request):
    year, lines = table(request)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(lines)
    # The byte order mark makes spreadsheet programs read UTF-8 (accented names) correctly.
    return attachment(buffer.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8", year, "csv")


@login_required
def ledger_xlsx(request):
    year, lines = table(request)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(year)
    for line in lines:
        sheet.append(line)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return attachment(buffer.getvalue(), XLSX_TYPE, year, "xlsx")


@login_required
def my_hours(request):
    """The signed-in person's hours, for each staff record linked to the account."""
    form = LedgerFilterForm(request.GET or None, [])
    year = form.value("year", date.today().year)
    today = date.today()
    records = list(
        ledger.with_hours(StaffMember.objects.filter(user=request.user), year).select_related("organization")
    )
    start, end = ledger.year_range(year)
    completions = Completion.objects.filter(
        person__in=records, completed_on__range=(start, end), revoked_at__isnull=True
    ).select_related("enrolment__edition__module", "person__organization")
    completions = with_satisfaction(completions)
    external = ExternalHours.objects.filter(person__in=records, completed_on__range=(start, end))
    context = {
        "form": form,
        "year": year,
        "records": [
            (
                record,
                STANDING_LABELS[record.standing],
                rules.forecast(record.hours, today, year),
                rules.missing(record.hours),
                profiles.competences_gained(record),
            )
            for record in records
        ],
        "completions": completions,
        "external": external.select_related("person__organization"),
        "target": rules.TARGET_HOURS,
    }
    return render(request, "training/my_hours.html", context)


@login_required
def import_hours(request):
    """Upload a CSV of hours done with other providers for the staff of an organisation the user manages;
    the report lists the rows added and those skipped, and why. A bad file writes nothing."""
    organizations = list(ledger_organizations(request.user))
    form = ImportHoursForm(request.POST or None, request.FILES or None, organizations)
    report = None
    if request.method == "POST" and form.is_valid():
        organization = form.organizations[form.cleaned_data["organization"]]
        try:
            report = services.import_external_hours(
                Actor.from_request(request), organization, form.cleaned_data["file"]
            )
        except ValidationError as refused:
            form.add_error("file", refused.messages)
    runs = ImportRun.objects.filter(organization__in=organizations).select_related("organization")[:10]
    status = 400 if form.errors else 200
    context = {"form": form, "report": report, "runs": runs}
    return render(request, "training/import_hours.html", context, status=status)
