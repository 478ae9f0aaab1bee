"""API of the procurement requests: a Comune submits and lists its requests, the SUA lists those addressed
to it. Reads go through ``ProcurementRequest.objects.for_user``, writes through procurement.services.

Errors: 400 invalid data (with a message per field), 403 no SUA adhesion or a role that may not act,
404 a request of another tenant, 409 an action or a resubmission that the request's state does not allow.
"""

import datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.api import OrganizationBriefOut
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import LOCAL_ROLES, SUA_ROLES, OrganizationKind
from casacomuni.lib.bounds import Amount
from casacomuni.procurement.calculators.api import RouteOut
from casacomuni.procurement.requests import services
from casacomuni.procurement.requests.models import (
    AttachmentKind,
    ContractKind,
    FundingSource,
    ProcurementRequest,
    RequestState,
)

router = Router(tags=["procurement requests"])


class RequestOut(Schema):
    id: int
    municipality: OrganizationBriefOut = Field(description="The requesting Comune or Unione")
    province: OrganizationBriefOut = Field(description="The Province whose SUA runs the procedure")
    title: str
    contract_kind: ContractKind
    cpv_code: str = Field(description="8 digits")
    base_amount: Decimal
    options_amount: Decimal
    total_amount: Decimal = Field(description="Base plus options and renewals (art. 14 c.4)")
    state: RequestState
    submitted_at: datetime.datetime


class AttachmentOut(Schema):
    id: int
    kind: AttachmentKind
    original_name: str
    size: int
    uploaded_at: datetime.datetime


class RequestDetailOut(RequestOut):
    description: str
    cpv_description: str
    cup: str = Field(description="Empty when there is no CUP")
    pnrr: bool
    funding_source: FundingSource
    rup_name: str
    rup_fiscal_code: str
    desired_award_date: datetime.date | None
    answer: str = Field(description="The SUA's reasons for its last answer")
    buyer_qualification: str
    sua_qualification: str
    route_verdict: RouteOut | None = Field(description="The procedure router's verdict at (re)submission")
    attachments: list[AttachmentOut]
    allowed_actions: list[str] = Field(description="What the caller may do now, given state and role")

    @staticmethod
    def resolve_route_verdict(obj):
        return obj.route_verdict or None

    @staticmethod
    def resolve_attachments(obj):
        return list(obj.attachments.all())

    @staticmethod
    def resolve_allowed_actions(obj, context):
        return services.allowed_actions(context["request"].user, obj)


class RequestChangeIn(Schema):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(min_length=1)
    contract_kind: ContractKind
    cpv_code: str = Field(max_length=12, description="8 digits, optionally with a dash and the check digit")
    base_amount: Amount = Field(description="Euro net of VAT")
    options_amount: Amount = Decimal("0")
    cup: str = Field("", max_length=15, description="Fifteen zeros or empty: no CUP")
    pnrr: bool = False
    funding_source: FundingSource
    rup_name: str = Field(min_length=1, max_length=200)
    rup_fiscal_code: str = Field("", max_length=16)
    desired_award_date: datetime.date | None = None


class RequestIn(RequestChangeIn):
    province: int | None = Field(
        None, description="Id of the Province organisation addressed; by default that of the SUA adhesion"
    )


class RequestFilters(Schema):
    state: RequestState | None = None
    municipality: str = Field("", description="ISTAT code of the Comune")


def requests_for(request):
    return ProcurementRequest.objects.for_user(request.user).select_related(
        "municipality__municipality", "province__municipality"
    )


def readable(request):
    tenancy.require_role(request.user, *SUA_ROLES, *LOCAL_ROLES)
    return requests_for(request)


@router.get(
    "/requests", response=list[RequestOut], summary="Procurement requests of the caller's organisation"
)
@paginate
def list_requests(request, filters: Query[RequestFilters]):
    """A Comune (Unione) sees its own requests; a Province's administrator and SUA officers those addressed
    to its SUA."""
    queryset = readable(request)
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    if filters.municipality:
        queryset = queryset.filter(municipality__municipality__istat_code=filters.municipality.strip())
    return queryset.order_by("-submitted_at", "-pk")


@router.post("/requests", response={201: RequestDetailOut}, summary="Submit a procurement request to the SUA")
def create_request(request, payload: RequestIn):
    """Only a Comune (Unione) with an agreement in force for the SUA service; 403 otherwise. The router's
    verdict is computed at once and returned."""
    tenancy.require_role(request.user, *LOCAL_ROLES)
    data = services.RequestData(**payload.dict(exclude={"province"}))
    province = None
    if payload.province is not None:
        province = Organization.objects.filter(pk=payload.province, kind=OrganizationKind.PROVINCE).first()
        if province is None:
            raise ValidationError({"province": _("There is no Province with this id.")})
    created = services.submit_request(Actor.from_request(request), data, province=province)
    return Status(201, requests_for(request).prefetch_related("attachments").get(pk=created.pk))


@router.get("/requests/{request_id}", response=RequestDetailOut, summary="One procurement request")
def get_request(request, request_id: int):
    return get_object_or_404(readable(request).prefetch_related("attachments"), pk=request_id)


@router.post(
    "/requests/{request_id}/attachments",
    response={201: list[AttachmentOut]},
    summary="Add a document to a request (multipart: kind and file; PDF, DOCX, ODT or .p7m up to 20 MB)",
)
def add_attachment(request, request_id: int, kind: Form[AttachmentKind], file: File[UploadedFile]):
    procurement_request = get_object_or_404(readable(request), pk=request_id)
    stored = services.add_attachments(
        Actor.from_request(request), procurement_request, [services.Upload(kind, file)]
    )
    return Status(201, stored)


class RequestActionIn(Schema):
    action: Literal["accept", "ask_changes", "reject", "withdraw"] = Field(
        description="accept, ask_changes, reject (the SUA); withdraw (the Comune)"
    )
    reason: str = Field("", max_length=5000, description="Required for ask_changes and reject")


ACTIONS = {
    services.ACCEPT: services.accept_request,
    services.ASK_CHANGES: services.ask_changes,
    services.REJECT: services.reject_request,
    services.WITHDRAW: lambda actor, request, reason: services.withdraw_request(actor, request),
}


def refuse_conflict(procurement_request: ProcurementRequest, action: str) -> None:
    """409 when the request's state does not allow ``action``, whatever data come with it."""
    try:
        services.refuse_unless_allowed(procurement_request, action)
    except ValidationError as refused:
        raise HttpError(409, " ".join(refused.messages)) from refused


def conflict_or_invalid(refused: ValidationError) -> Exception:
    """A refusal of the state machine (code "state": the state changed meanwhile) is a 409; bad data 400."""
    if not hasattr(refused, "error_dict") and refused.code == "state":
        return HttpError(409, " ".join(refused.messages))
    return refused


@router.post(
    "/requests/{request_id}/actions",
    response=RequestDetailOut,
    summary="Answer a request (the SUA: accept, ask_changes, reject) or withdraw it (the Comune)",
)
def perform_action(request, request_id: int, payload: RequestActionIn):
    """Reasons are required to ask for changes and to reject: the Comune reads them. 403 for a role that may
    not perform the action, 409 when the request's state does not allow it."""
    procurement_request = get_object_or_404(readable(request), pk=request_id)
    # Who may act comes first, then the state: a refused role is a 403 whatever the request's state.
    tenancy.require_role(request.user, *services.TRANSITIONS[payload.action][2])
    refuse_conflict(procurement_request, payload.action)
    try:
        ACTIONS[payload.action](Actor.from_request(request), procurement_request, payload.reason)
    except ValidationError as refused:
        raise conflict_or_invalid(refused) from refused
    return readable(request).prefetch_related("attachments").get(pk=procurement_request.pk)


@router.put(
    "/requests/{request_id}",
    response=RequestDetailOut,
    summary="Submit a request again, changed, after the SUA asked for changes",
)
def resubmit_request(request, request_id: int, payload: RequestChangeIn):
    """The Comune's referent or staff only; the whole request is sent again (as at creation, without the
    Province) and the router's verdict is taken again. 409 unless the SUA asked for changes."""
    procurement_request = get_object_or_404(readable(request), pk=request_id)
    tenancy.require_role(request.user, *LOCAL_ROLES)
    refuse_conflict(procurement_request, services.RESUBMIT)
    try:
        services.resubmit_request(
            Actor.from_request(request), procurement_request, services.RequestData(**payload.dict())
        )
    except ValidationError as refused:
        raise conflict_or_invalid(refused) from refused
    return readable(request).prefetch_related("attachments").get(pk=procurement_request.pk)
