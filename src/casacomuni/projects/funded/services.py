"""Write operations on funded projects: creation (from a funded application or directly), status and dates,
financing, budget, commitments and payments, phases, indicators, PNRR milestones and checks, reporting
periods and expenses, and the procurement request to the SUA that carries the project's CUP.

The Province's EU-funds office writes everything; the beneficiary Comune (Unione), the implementing body,
reports: movements, phases, indicators, milestones, checks, periods and expenses. Every write runs in one
transaction and records an audit event in the beneficiary's chain; bad input raises ValidationError.
"""

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import PurePosixPath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.roles import EUFUNDS_OFFICE_ROLES, LOCAL_ROLES
from casacomuni.audit.services import record_event
from casacomuni.lib import identifiers
from casacomuni.lib.bounds import max_decimal
from casacomuni.projects.applications.models import Application, ApplicationStatus
from casacomuni.projects.applications.services import amount, check_document, text
from casacomuni.projects.funded.models import (
    BudgetLine,
    ComplianceCheck,
    Expense,
    Financing,
    FinancingSource,
    FundedProject,
    Milestone,
    Movement,
    Phase,
    ProjectIndicator,
    ProjectStatus,
    ReportingPeriod,
)
from casacomuni.projects.parties import local_parties_of, local_party, office_of

OFFICE = "office"
BENEFICIARY = "beneficiary"

PROJECT_FIELDS = (
    "cup",
    "title",
    "summary",
    "programme",
    "measure",
    "status",
    "is_pnrr",
    "pnrr_measure",
    "start_date",
    "planned_end_date",
    "actual_end_date",
)
# The parts of a project added one row at a time: model, fields, who may add them, PNRR projects only.
ITEMS = {
    "financing": (Financing, ("source", "amount", "note"), {OFFICE}, False),
    "budget_line": (BudgetLine, ("description", "amount"), {OFFICE}, False),
    "movement": (Movement, ("kind", "amount", "date", "document"), {OFFICE, BENEFICIARY}, False),
    "phase": (
        Phase,
        ("name", "planned_start", "planned_end", "actual_start", "actual_end"),
        {OFFICE, BENEFICIARY},
        False,
    ),
    "indicator": (ProjectIndicator, ("name", "unit", "planned", "achieved"), {OFFICE, BENEFICIARY}, False),
    "milestone": (
        Milestone,
        ("kind", "description", "due_on", "achieved", "achieved_on"),
        {OFFICE, BENEFICIARY},
        True,
    ),
    "check": (
        ComplianceCheck,
        ("kind", "passed", "checked_on", "checked_by", "notes"),
        {OFFICE, BENEFICIARY},
        True,
    ),
    "period": (ReportingPeriod, ("starts_on", "ends_on", "submitted_on"), {OFFICE, BENEFICIARY}, False),
}


def acting_side(actor: Actor, project: FundedProject) -> str | None:
    office = office_of(actor.user)
    if office is not None and project.province_id == office.pk:
        return OFFICE
    party = local_party(actor.user)
    if party is not None and project.beneficiary_id == party.pk:
        return BENEFICIARY
    return None


def _locked(actor: Actor, project: FundedProject) -> FundedProject:
    visible = FundedProject.objects.for_user(actor.user).filter(pk=project.pk).values("pk")
    found = (
        FundedProject.objects.select_for_update()
        .filter(pk__in=visible)
        .select_related("beneficiary", "province")
        .first()
    )
    if found is None:
        raise PermissionDenied
    return found


def _checked_cup(value: str, exclude_pk=None) -> str:
    cup = str(value or "").strip()
    if not cup:
        raise ValidationError({"cup": _("This field is required.")})
    check = identifiers.check_cup(cup)
    if not check.valid:
        raise ValidationError({"cup": _(check.reason) % check.params})
    if check.no_cup:
        raise ValidationError({"cup": _("A funded project has a CUP: fifteen zeros are not accepted.")})
    if FundedProject.objects.filter(cup=check.code).exclude(pk=exclude_pk).exists():
        raise ValidationError({"cup": _("Another project already has this CUP.")})
    return check.code


def _validated(instance, fields, exclude=()) -> None:
    """Django's own field validation (types, choices, lengths, validators) as one ValidationError per field,
    and decimals within what the database reads back (lib.bounds)."""
    instance.full_clean(
        exclude=[f.name for f in instance._meta.fields if f.name not in fields or f.name in exclude]
    )
    too_large = {}
    decimals = [f for f in instance._meta.fields if f.name in fields and isinstance(f, models.DecimalField)]
    for field in decimals:
        value = getattr(instance, field.name)
        limit = max_decimal(field.decimal_places)
        if value is not None and abs(value) > limit:
            too_large[field.name] = _("Enter a value less than or equal to %(le)s.") % {
                "le": number_format(limit, field.decimal_places, use_l10n=True, force_grouping=True)
            }
    if too_large:
        raise ValidationError(too_large)


def _coerced(model, name: str, value):
    """A submitted value as the model field takes it: booleans as such, text stripped, empty as NULL or ""."""
    field = model._meta.get_field(name)
    if field.get_internal_type() == "BooleanField":
        return bool(value)
    if isinstance(value, str):
        value = value.strip()
    if value in ("", None):
        return (
            None if field.null else ("" if field.get_internal_type() in ("CharField", "TextField") else None)
        )
    return value


class Unset(enum.Enum):
    """A field a ProjectData leaves out: the project keeps its value (None would clear it)."""

    UNSET = enum.auto()


UNSET = Unset.UNSET


@dataclass(frozen=True, kw_only=True)
class ProjectData:
    """A funded project's data (``PROJECT_FIELDS``) as the office or the beneficiary enters them: a field left
    UNSET keeps its value (on creation: its default, or the funded application's title and programme);
    None clears it. On creation only: ``beneficiary`` (an organisation's id) for a project entered
    directly, ``financing_source`` for the granted amount of a funded application (EU by default)."""

    cup: str | Unset = UNSET
    title: str | Unset = UNSET
    summary: str | Unset = UNSET
    programme: str | Unset = UNSET
    measure: str | Unset = UNSET
    status: str | Unset = UNSET
    is_pnrr: bool | Unset = UNSET
    pnrr_measure: str | Unset = UNSET
    start_date: date | None | Unset = UNSET
    planned_end_date: date | None | Unset = UNSET
    actual_end_date: date | None | Unset = UNSET
    beneficiary: int | None = None
    financing_source: str = ""

    def given(self) -> dict:
        """The project's fields this data sets, by name."""
        return {name: value for name in PROJECT_FIELDS if (value := getattr(self, name)) is not UNSET}


def _project_values(data: dict, project: FundedProject | None = None) -> FundedProject:
    project = project or FundedProject()
    for name in PROJECT_FIELDS:
        if name in data:
            setattr(project, name, _coerced(FundedProject, name, data[name]))
    project.cup = _checked_cup(project.cup or "", exclude_pk=project.pk)
    if not project.status:
        project.status = ProjectStatus.NOT_STARTED
    _validated(project, PROJECT_FIELDS, exclude=("cup",))
    return project


@transaction.atomic
def create_project(actor: Actor, data: ProjectData, application: Application | None = None) -> FundedProject:
    """The office records a funded project: from one of its funded applications (beneficiary the lead, the
    granted amount as a first financing row of ``financing_source``, EU by default), or directly for a
    Comune or Unione (``beneficiary``, an id) of its Province."""
    tenancy.require_role(actor.user, *EUFUNDS_OFFICE_ROLES)
    office = office_of(actor.user)
    if office is None:
        raise PermissionDenied
    if application is not None:
        application = (
            Application.objects.for_user(actor.user)
            .select_for_update()
            .filter(pk=application.pk, province=office)
            .select_related("lead", "call")
            .first()
        )
        if application is None:
            raise PermissionDenied
        if application.status != ApplicationStatus.FUNDED:
            raise ValidationError(_("Only a funded application becomes a funded project."), code="state")
        if FundedProject.objects.filter(application=application).exists():
            raise ValidationError(_("This application already has its funded project."), code="state")
        beneficiary = application.lead
        values = {
            "title": application.title,
            "programme": application.call.programme or application.call.funder,
        } | {k: v for k, v in data.given().items() if v not in (None, "")}
    else:
        values = data.given()
        found = local_parties_of(office).filter(pk=data.beneficiary).first() if data.beneficiary else None
        if found is None:
            raise ValidationError({"beneficiary": _("Choose a Comune or Unione of your Province.")})
        beneficiary = found
    project = _project_values(values)
    project.application = application
    project.beneficiary = beneficiary
    project.province = office
    project.created_by = actor.user
    project.save()
    changes = {name: [None, getattr(project, name)] for name in PROJECT_FIELDS}
    changes["beneficiary"] = [None, beneficiary.pk]
    if application is not None:
        source = data.financing_source or FinancingSource.EU
        if source not in FinancingSource.values:
            raise ValidationError(
                {
                    "financing_source": _("Choose one of: %(expected)s.")
                    % {"expected": ", ".join(FinancingSource.values)}
                }
            )
        granted = application.granted_amount
        if granted is None:  # never: the pipeline funds an application only with its granted amount
            raise ValidationError(_("Enter the granted amount: a funded application needs it."), code="state")
        Financing.objects.create(
            project=project,
            source=source,
            amount=granted,
            note=application.call.title[:300],
        )
        changes["application"] = [None, application.pk]
        changes["financing"] = [None, {source: application.granted_amount}]
    record_event(actor, "funded_project.create", project, changes, organization=beneficiary)
    return project


@transaction.atomic
def update_project(actor: Actor, project: FundedProject, data: ProjectData) -> FundedProject:
    """The office or the beneficiary changes the project's data (status, dates, measure, PNRR flag)."""
    tenancy.require_role(actor.user, *EUFUNDS_OFFICE_ROLES, *LOCAL_ROLES)
    project = _locked(actor, project)
    if acting_side(actor, project) is None:
        raise PermissionDenied
    before = {name: getattr(project, name) for name in PROJECT_FIELDS}
    project = _project_values(data.given(), project)
    changes = {
        name: [old, getattr(project, name)] for name, old in before.items() if getattr(project, name) != old
    }
    if changes:
        project.save()
        record_event(actor, "funded_project.update", project, changes, organization=project.beneficiary)
    return project


@transaction.atomic
def add_item(actor: Actor, project: FundedProject, kind: str, data: Mapping[str, object]):
    """Add one row of ``kind`` (a key of ITEMS) to the project, ``data`` giving the values of the fields
    ITEMS lists for it (a field not given is empty), checked by the model's own validation; a check of a
    kind already ticked is updated (one per kind)."""
    if kind not in ITEMS:
        raise ValidationError(_("There is no such part of a project."), code="kind")
    model, fields, sides, pnrr_only = ITEMS[kind]
    tenancy.require_role(actor.user, *EUFUNDS_OFFICE_ROLES, *LOCAL_ROLES)
    project = _locked(actor, project)
    if acting_side(actor, project) not in sides:
        raise PermissionDenied(_("Your role does not allow this action."))
    if pnrr_only and not project.is_pnrr:
        raise ValidationError(_("Milestones, targets and checks belong to PNRR projects."), code="kind")
    values = {name: _coerced(model, name, data.get(name)) for name in fields}
    item: models.Model
    if kind == "check":
        item = ComplianceCheck.objects.filter(
            project=project, kind=values.get("kind")
        ).first() or ComplianceCheck(project=project)
        for name, value in values.items():
            setattr(item, name, value)
    else:
        item = model(project=project, **values)
    _validated(item, fields)
    item.save()
    record_event(
        actor,
        f"funded_project.{kind}_add",
        project,
        {name: [None, getattr(item, name)] for name in fields},
        organization=project.beneficiary,
    )
    return item


@dataclass(frozen=True, kw_only=True)
class ExpenseData:
    """An expense of a reporting period: what it was for, its amount in euro (a Decimal or text), its date and,
    when it came from a procurement, the CIG."""

    description: str
    amount: Decimal | str | None
    date: date
    cig: str = ""


@transaction.atomic
def add_expense(
    actor: Actor, project: FundedProject, period_id, data: ExpenseData, file: File | None
) -> Expense:
    """An expense of one of the project's reporting periods, with its document and, when it came from a
    procurement, the CIG (checked with its check characters)."""
    tenancy.require_role(actor.user, *EUFUNDS_OFFICE_ROLES, *LOCAL_ROLES)
    project = _locked(actor, project)
    if acting_side(actor, project) is None:
        raise PermissionDenied
    period = (
        ReportingPeriod.objects.filter(project=project, pk=getattr(period_id, "pk", period_id)).first()
        if period_id
        else None
    )
    if period is None:
        raise ValidationError({"period": _("Choose a reporting period of this project.")})
    if period.submitted_on is not None:
        # The statement went to the funder with these expenses: adding one would change what was declared.
        raise ValidationError(
            {
                "period": ValidationError(
                    _(
                        "The statement of this period was submitted on %(day)s: its expenses can no longer "
                        "change. Record the expense in an open period."
                    )
                    % {"day": period.submitted_on.strftime("%d/%m/%Y")},
                    code="submitted",
                )
            }
        )
    if file is None:
        raise ValidationError({"file": _("Attach the expense's document.")})
    check_document(file)
    name = file.name or ""  # never empty: check_document refuses a file without a name
    cig = text(data.cig, "cig", required=False, max_length=10)
    if cig:
        check = identifiers.check_cig(cig)
        if not check.valid:
            raise ValidationError({"cig": _(check.reason) % check.params})
        cig = check.code
    expense = Expense(
        period=period,
        description=text(data.description, "description", max_length=300),
        amount=amount(data.amount, field="amount", required=True, positive=True),
        date=data.date,
        cig=cig,
        original_name=PurePosixPath(name).name[:255],
        size=file.size,
    )
    _validated(expense, ("description", "amount", "date", "cig"))
    if not period.starts_on <= expense.date <= period.ends_on:
        raise ValidationError({"date": _("The date falls outside the reporting period.")})
    expense.file.save(name, file, save=False)
    expense.save()
    record_event(
        actor,
        "funded_project.expense_add",
        project,
        {
            "expense": [None, expense.description],
            "amount": [None, expense.amount],
            "cig": [None, cig],
            "period": [None, period.pk],
        },
        organization=project.beneficiary,
    )
    return expense


@transaction.atomic
def submit_statement(actor: Actor, project: FundedProject, period_id, day) -> ReportingPeriod:
    """Record that the statement of one reporting period went to the funder on ``day``: from then on its
    expenses are what was declared, and ``add_expense`` refuses new ones for it."""
    tenancy.require_role(actor.user, *EUFUNDS_OFFICE_ROLES, *LOCAL_ROLES)
    project = _locked(actor, project)
    if acting_side(actor, project) is None:
        raise PermissionDenied
    period = ReportingPeriod.objects.select_for_update().filter(project=project, pk=period_id).first()
    if period is None:
        raise ValidationError({"period": _("Choose a reporting period of this project.")})
    if period.submitted_on is not None:
        raise ValidationError(
            {
                "submitted_on": _("This statement was already submitted on %(day)s.")
                % {"day": f"{period.submitted_on:%d/%m/%Y}"}
            }
        )
    if day is None:
        raise ValidationError({"submitted_on": _("This field is required.")})
    if day > timezone.localdate():
        raise ValidationError({"submitted_on": _("The date cannot be in the future.")})
    if day < period.starts_on:
        raise ValidationError({"submitted_on": _("A statement is submitted after its period has started.")})
    period.submitted_on = day
    period.save(update_fields=["submitted_on"])
    record_event(
        actor,
        "funded_project.statement_submit",
        project,
        {"period": [None, period.pk], "submitted_on": [None, day]},
        organization=project.beneficiary,
    )
    return period


def _procurement_funding_source(project: FundedProject) -> str:
    """The procurement request's funding source: PNRR for a PNRR project, else the largest financing."""
    from casacomuni.procurement.requests.models import FundingSource

    if project.is_pnrr:
        return FundingSource.PNRR
    largest = project.financing.order_by("-amount", "pk").values_list("source", flat=True).first()
    sources: dict[str | None, str] = {
        FinancingSource.EU: FundingSource.EU,
        FinancingSource.STATE: FundingSource.STATE,
        FinancingSource.REGION: FundingSource.REGION,
        FinancingSource.COMUNE: FundingSource.OWN_BUDGET,
    }
    return sources.get(largest, FundingSource.OTHER)


@dataclass(frozen=True, kw_only=True)
class ProcurementData:
    """What a project does not know of the procurement its Comune asks the SUA for: the kind of contract,
    the CPV code, the base amount (a Decimal or text in euro), the RUP and, optionally, a description (the
    project's summary by default), options, the RUP's codice fiscale and the desired award date."""

    contract_kind: str
    cpv_code: str
    base_amount: Decimal | str | None
    rup_name: str
    description: str = ""
    options_amount: Decimal | str | None = None
    rup_fiscal_code: str = ""
    desired_award_date: date | None = None


@transaction.atomic
def request_procurement(actor: Actor, project: FundedProject, data: ProcurementData):
    """The beneficiary Comune asks its Province's SUA for a procedure for the project, through
    ``procurement.services.submit_request``: title, CUP, PNRR flag and funding source come from the project.
    Needs the Comune's adhesion to the SUA (AdhesionRequired otherwise). Returns the ProcurementRequest."""
    from casacomuni.procurement.requests import services as procurement

    tenancy.require_role(actor.user, *LOCAL_ROLES)
    project = _locked(actor, project)
    if acting_side(actor, project) != BENEFICIARY:
        raise PermissionDenied(_("Your role does not allow this action."))
    request_data = procurement.RequestData(
        title=project.title,
        description=data.description.strip() or project.summary or project.title,
        contract_kind=data.contract_kind,
        cpv_code=data.cpv_code,
        base_amount=data.base_amount,
        options_amount=data.options_amount or "0",
        cup=project.cup,
        pnrr=project.is_pnrr,
        funding_source=_procurement_funding_source(project),
        rup_name=data.rup_name,
        rup_fiscal_code=data.rup_fiscal_code,
        desired_award_date=data.desired_award_date,
    )
    created = procurement.submit_request(actor, request_data, today=timezone.localdate())
    record_event(
        actor,
        "funded_project.procurement_request",
        project,
        {"procurement_request": [None, created.pk]},
        organization=project.beneficiary,
    )
    return created
