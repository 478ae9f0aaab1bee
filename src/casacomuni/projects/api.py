"""API of the applications, funded projects and results, mounted at /api/v1/eufunds.

Reads go through ``for_user`` (404 for another tenant's object), writes through ``projects.services``.
Errors (problem+json): 400 invalid data, 403 a role that may not act or a Comune without an EU-funds
adhesion, 404 an unknown or unreadable object (a call outside the caller's catalogue included), 409 an
action the application's status does not allow, or an expense for a period whose statement was submitted.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.api import OrganizationBriefOut
from casacomuni.accounts.roles import Role
from casacomuni.lib.bounds import Amount
from casacomuni.projects import project_services, selectors, services
from casacomuni.projects.models import (
    READER_ROLES,
    Application,
    ApplicationStatus,
    FundedProject,
    ProjectStatus,
    local_party,
    office_of,
)
from casacomuni.projects.rules import kpis as kpi_rules
from casacomuni.projects.rules import pipeline

router = Router(tags=["applications and funded projects"])


class CallRef(Schema):
    id: int
    title: str
    programme: str
    deadline: datetime.datetime | None


class ApplicationOut(Schema):
    id: int
    call: CallRef
    lead: OrganizationBriefOut = Field(description="The lead Comune or Unione")
    title: str
    status: ApplicationStatus
    proposed_by: str = Field(description="comune (interest flagged) or office (call proposed)")
    requested_amount: Decimal | None
    granted_amount: Decimal | None
    internal_deadline: datetime.date | None = Field(description="The call's deadline minus the lead time")
    created_at: datetime.datetime
    updated_at: datetime.datetime


class PartnerOut(Schema):
    name: str
    organization_id: int | None = Field(description="For a Comune or Unione of the Province")
    external_fiscal_code: str
    role: str


class TaskOut(Schema):
    title: str
    due_on: datetime.date | None
    done: bool


class ProjectDocumentOut(Schema):
    id: int
    original_name: str
    size: int
    uploaded_at: datetime.datetime


class ApplicationDetailOut(ApplicationOut):
    description: str
    lead_time_days: int
    outcome_note: str
    partners: list[PartnerOut]
    tasks: list[TaskOut]
    documents: list[ProjectDocumentOut]
    project_id: int | None = Field(description="The funded project it became")
    allowed_actions: list[str] = Field(description="What the caller may do now, given status and role")

    @staticmethod
    def resolve_partners(obj):
        return list(obj.partners.select_related("organization"))

    @staticmethod
    def resolve_tasks(obj):
        return list(obj.tasks.all())

    @staticmethod
    def resolve_documents(obj):
        return list(obj.documents.all())

    @staticmethod
    def resolve_project_id(obj):
        project = FundedProject.objects.filter(application=obj).values_list("pk", flat=True).first()
        return project

    @staticmethod
    def resolve_allowed_actions(obj, context):
        return services.allowed_actions(context["request"].user, obj)


class ApplicationFilters(Schema):
    status: ApplicationStatus | None = None
    call: int | None = Field(None, description="Id of the call")
    lead: str = Field("", description="ISTAT code of the lead Comune")


class ApplicationIn(Schema):
    call: int = Field(description="Id of a call of the caller's catalogue")
    lead: int | None = Field(
        None, description="The office only: id of the Comune or Unione the call is proposed to"
    )
    title: str = Field("", max_length=300, description="The call's title when empty")
    description: str = Field("", max_length=10000)
    requested_amount: Amount | None = None


class ProjectActionIn(Schema):
    granted_amount: Amount | None = Field(None, description="Required to fund")
    note: str = Field("", max_length=5000)


def applications_for(request):
    tenancy.require_role(request.user, *READER_ROLES)
    return Application.objects.for_user(request.user).select_related("call", "lead__municipality")


@router.get("/applications", response=list[ApplicationOut], summary="Applications for calls")
@paginate
def list_applications(request, filters: Query[ApplicationFilters]):
    """A Comune (Unione) sees the applications it leads or partners; the Province's EU-funds office those of
    its territory."""
    queryset = applications_for(request)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.call:
        queryset = queryset.filter(call_id=filters.call)
    if filters.lead:
        queryset = queryset.filter(lead__municipality__istat_code=filters.lead.strip())
    return queryset.order_by("-updated_at", "-pk")


@router.post(
    "/applications",
    response={201: ApplicationDetailOut},
    summary="Flag interest in a call (a Comune) or propose a call to a Comune (the office)",
)
def create_application(request, payload: ApplicationIn):
    """A Comune (Unione) flags interest: it needs an adhesion in force to its Province's EU-funds office.
    The office proposes a call to a Comune or Unione of its territory that has one. 404 for a call outside
    the caller's catalogue, 403 without the adhesion or the role."""
    from casacomuni.eufunds.models import Call

    tenancy.require_role(request.user, *READER_ROLES)
    get_object_or_404(Call.objects.for_user(request.user), pk=payload.call)
    actor = Actor.from_request(request)
    data = payload.dict(exclude={"call", "lead"})
    if office_of(request.user) is not None:
        if payload.lead is None:
            raise ValidationError({"lead": _("This field is required.")})
        created = services.propose_call(actor, payload.call, payload.lead, data)
    else:
        created = services.flag_interest(actor, payload.call, data)
    return Status(201, applications_for(request).get(pk=created.pk))


@router.get("/applications/{application_id}", response=ApplicationDetailOut, summary="One application")
def get_application(request, application_id: int):
    return get_object_or_404(applications_for(request), pk=application_id)


@router.post(
    "/applications/{application_id}/actions/{action}",
    response=ApplicationDetailOut,
    summary="Move an application: confirm, assess, design, submit, fund, reject or withdraw",
)
def perform_action(request, application_id: int, action: str, payload: ProjectActionIn):
    """The office performs every action; the lead Comune may confirm its interest and withdraw. 403 for a
    side that may not act, 409 when the status does not allow the action, 400 when a precondition is
    missing (submit: a requested amount; fund: the granted amount)."""
    application = get_object_or_404(applications_for(request), pk=application_id)
    if action not in pipeline.TRANSITIONS:
        raise HttpError(404, "There is no such action.")
    actor = Actor.from_request(request)
    side = services.acting_side(actor, application)
    if side not in pipeline.TRANSITIONS[action].actors:
        raise PermissionDenied
    if application.status not in pipeline.TRANSITIONS[action].sources:
        raise HttpError(409, str(services.refusal([pipeline.WRONG_STATUS]).messages[0]))
    try:
        services.perform_action(actor, application, action, payload.dict())
    except ValidationError as refused:
        if not hasattr(refused, "error_dict") and refused.code == "state":
            raise HttpError(409, " ".join(refused.messages)) from refused
        raise
    return applications_for(request).get(pk=application.pk)


# --- Funded projects ----------------------------------------------------------------------------------------


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
    try:
        expense = project_services.add_expense(
            Actor.from_request(request), project, payload.pop("period"), payload, file
        )
    except ValidationError as refused:
        if submitted_period(refused):
            raise HttpError(409, " ".join(refused.messages)) from refused
        raise
    return Status(201, expense)


def submitted_period(refused: ValidationError) -> bool:
    errors = getattr(refused, "error_dict", {}).get("period", [])
    return any(error.code == "submitted" for error in errors)


# --- Results ------------------------------------------------------------------------------------------------


class KpiOut(Schema):
    scope: str = Field(description="province, comune or national")
    province: str | None = Field(description="The Province's sigla, for its figures")
    organization: str | None = Field(description="The Comune or Unione, for its own figures")
    year: int | None = Field(description="Applications created in this year; null: every year")
    calls_screened: int
    interests: int
    applications: int
    submitted: int
    funded: int
    not_funded: int
    success_rate: Decimal | None = Field(description="Funded out of decided (0-1)")
    requested: Decimal
    granted: Decimal
    population: int
    granted_per_inhabitant: Decimal | None
    comuni_served: int
    small_comuni_served: int
    small_comuni: int
    small_coverage: Decimal | None = Field(description="Small Comuni served out of all small Comuni (0-1)")
    small_share: Decimal | None = Field(description="Small Comuni out of the Comuni served (0-1)")


class KpiFilters(Schema):
    province: str = Field("", description="Sigla of the Province (its office, or UPI)")
    year: int | None = Field(None, ge=2000, le=2100)


def kpi_body(results, scope, year, province=None, organization=None) -> dict:
    counts = results.counts
    return {
        "scope": scope,
        "province": province,
        "organization": organization,
        "year": year,
        **{
            name: getattr(counts, name)
            for name in ("calls_screened", "interests", "applications", "submitted")
        },
        **{
            name: getattr(counts, name)
            for name in ("funded", "not_funded", "requested", "granted", "population")
        },
        "success_rate": results.success_rate,
        "granted_per_inhabitant": results.granted_per_inhabitant,
        "comuni_served": counts.comuni_served,
        "small_comuni_served": counts.small_served,
        "small_comuni": counts.small_total,
        "small_coverage": results.small_coverage,
        "small_share": results.small_share,
    }


@router.get("/kpis", response=KpiOut, summary="Results of the EU-funds office")
def kpis(request, filters: Query[KpiFilters]):
    """The office reads its Province's figures (``province`` its own sigla or empty); UPI any Province's, or
    the national total without ``province``; a Comune (Unione) gets its own figures whatever ``province``
    says. 403 for another Province's office, 404 for an unknown sigla."""
    from casacomuni.territory.models import Province

    tenancy.require_role(request.user, *READER_ROLES, Role.UPI_ADMIN)
    sigla = filters.province.strip().upper()
    party = local_party(request.user)
    if party is not None:
        results = selectors.party_results(party, filters.year)
        return kpi_body(results, "comune", filters.year, organization=party.name)
    office = office_of(request.user)
    if office is not None:
        if sigla and sigla != office.province.sigla:
            get_object_or_404(Province, sigla=sigla)
            raise PermissionDenied
        results = selectors.province_results(office, filters.year)
        return kpi_body(results, "province", filters.year, province=office.province.sigla)
    if not tenancy.has_role(request.user, Role.UPI_ADMIN):
        raise PermissionDenied
    if not sigla:
        rows = selectors.national_results(filters.year)
        return kpi_body(selectors.national_total(rows, filters.year), "national", filters.year)
    province = get_object_or_404(Province, sigla=sigla)
    counts = selectors.province_counts(filters.year, [province.pk])[province.pk]
    return kpi_body(kpi_rules.results(counts), "province", filters.year, province=province.sigla)
