"""API of the applications for calls, part of the router mounted at /api/v1/eufunds (``projects.api``).

Reads go through ``Application.objects.for_user`` (404 for another tenant's, a call outside the caller's
catalogue included), writes through ``applications.services``. Errors (problem+json): 400 invalid data, 403
a role that may not act or a Comune without an EU-funds adhesion, 404 an unknown or unreadable object, 409 an
action the application's status does not allow.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.api import OrganizationBriefOut
from casacomuni.lib.bounds import Amount
from casacomuni.projects.applications import services
from casacomuni.projects.applications.models import Application, ApplicationStatus
from casacomuni.projects.funded.models import FundedProject
from casacomuni.projects.parties import READER_ROLES, office_of
from casacomuni.projects.rules import pipeline

router = Router()


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
    data = services.ApplicationData(**payload.dict(exclude={"call", "lead"}))
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
        services.perform_action(actor, application, action, services.ActionData(**payload.dict()))
    except ValidationError as refused:
        if not hasattr(refused, "error_dict") and refused.code == "state":
            raise HttpError(409, " ".join(refused.messages)) from refused
        raise
    return applications_for(request).get(pk=application.pk)
