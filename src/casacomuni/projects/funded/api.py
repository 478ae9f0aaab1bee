"""API of the funded projects, part of the router mounted at /api/v1/eufunds (``projects.api``).

Reads go through ``FundedProject.objects.for_user`` (404 for another tenant's), writes through
``funded.services``. Errors (problem+json): 400 invalid data, 403 a role that may not act, 404 an unknown or
unreadable object, 409 an expense for a period whose statement was submitted.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.api import OrganizationBriefOut
from casacomuni.projects.funded import services as project_services
from casacomuni.projects.funded.models import FundedProject, ProjectStatus
from casacomuni.projects.parties import READER_ROLES

router = Router()


class FinancingOut(Schema):
    source: str
    amount: Decimal
    note: str


class MovementOut(Schema):
    kind: str
    amount: Decimal
    date: datetime.date
    document: str


class PhaseOut(Schema):
    name: str
    planned_start: datetime.date | None
    planned_end: datetime.date | None
    actual_start: datetime.date | None
    actual_end: datetime.date | None


class IndicatorOut(Schema):
    name: str
    unit: str
    planned: Decimal
    achieved: Decimal | None


class MilestoneOut(Schema):
    kind: str
    description: str
    due_on: datetime.date
    achieved: bool
    achieved_on: datetime.date | None


class CheckOut(Schema):
    kind: str
    passed: bool
    checked_on: datetime.date
    checked_by: str


class ExpenseOut(Schema):
    id: int
    description: str
    amount: Decimal
    date: datetime.date
    cig: str
    original_name: str


class PeriodOut(Schema):
    starts_on: datetime.date
    ends_on: datetime.date
    submitted_on: datetime.date | None
    expenses: list[ExpenseOut]

    @staticmethod
    def resolve_expenses(obj):
        return list(obj.expenses.all())


class ProjectOut(Schema):
    id: int
    cup: str
    title: str
    programme: str
    measure: str
    beneficiary: OrganizationBriefOut
    status: ProjectStatus
    is_pnrr: bool
    application_id: int | None
    financing_total: Decimal = Field(alias="fin_total")
    financing_public: Decimal = Field(alias="fin_public")
    commitments: Decimal
    payments: Decimal
    expenses_total: Decimal
    budget_total: Decimal = Field(description="The cost plan: the sum of the budget lines")
    cost_plan_gap: Decimal | None = Field(
        description="Budget lines minus financing when they differ (negative: the plan falls short of the "
        "financing); null when they match or no budget line is written yet"
    )


class ProjectDetailOut(ProjectOut):
    summary: str
    pnrr_measure: str
    start_date: datetime.date | None
    planned_end_date: datetime.date | None
    actual_end_date: datetime.date | None
    financing: list[FinancingOut]
    movements: list[MovementOut]
    phases: list[PhaseOut]
    indicators: list[IndicatorOut]
    milestones: list[MilestoneOut]
    checks: list[CheckOut]
    periods: list[PeriodOut]

    @staticmethod
    def resolve_financing(obj):
        return list(obj.financing.all())

    @staticmethod
    def resolve_movements(obj):
        return list(obj.movements.all())

    @staticmethod
    def resolve_phases(obj):
        return list(obj.phases.all())

    @staticmethod
    def resolve_indicators(obj):
        return list(obj.indicators.all())

    @staticmethod
    def resolve_milestones(obj):
        return list(obj.milestones.all())

    @staticmethod
    def resolve_checks(obj):
        return list(obj.checks.all())

    @staticmethod
    def resolve_periods(obj):
        return list(obj.periods.prefetch_related("expenses"))


class ProjectFilters(Schema):
    status: ProjectStatus | None = None
    cup: str = ""
    pnrr: bool | None = None


def projects_for(request):
    tenancy.require_role(request.user, *READER_ROLES)
    return (
        FundedProject.objects.for_user(request.user).with_totals().select_related("beneficiary__municipality")
    )


@router.get("/projects", response=list[ProjectOut], summary="Funded projects, with their totals")
@paginate
def list_projects(request, filters: Query[ProjectFilters]):
    """The beneficiary Comune (Unione) sees its projects, the Province's EU-funds office its territory's."""
    queryset = projects_for(request)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.cup:
        queryset = queryset.filter(cup=filters.cup.strip().upper())
    if filters.pnrr is not None:
        queryset = queryset.filter(is_pnrr=filters.pnrr)
    return queryset.order_by("-created_at", "-pk")


@router.get("/projects/{project_id}", response=ProjectDetailOut, summary="One funded project")
def get_project(request, project_id: int):
    return get_object_or_404(projects_for(request), pk=project_id)


class ExpenseIn(Schema):
    period: int = Field(description="The reporting period's id (see the project's ``periods``)")
    description: str
    amount: Decimal
    date: datetime.date
    cig: str = Field("", description="The CIG of the procurement the expense comes from, if any")


@router.post(
    "/projects/{project_id}/expenses",
    response={201: ExpenseOut},
    summary="Record an expense with its document in a reporting period (multipart form)",
)
def add_expense(request, project_id: int, data: Form[ExpenseIn], file: File[UploadedFile]):
    """The office or the beneficiary records an expense of an open period. 409 when the period's statement
    was already submitted (its expenses are what was declared), 400 for bad data (a date outside the
    period, a wrong CIG, a document that is not a PDF, DOCX, ODT or .p7m)."""
    project = get_object_or_404(projects_for(request), pk=project_id)
    payload = data.dict()
    period = payload.pop("period")
    try:
        expense = project_services.add_expense(
            Actor.from_request(request), project, period, project_services.ExpenseData(**payload), file
        )
    except ValidationError as refused:
        if submitted_period(refused):
            raise HttpError(409, " ".join(refused.messages)) from refused
        raise
    return Status(201, expense)


def submitted_period(refused: ValidationError) -> bool:
    errors = getattr(refused, "error_dict", {}).get("period", [])
    return any(error.code == "submitted" for error in errors)
