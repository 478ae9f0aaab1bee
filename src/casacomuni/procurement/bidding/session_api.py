"""API of the commission's session (mounted at /api/v1/procurement/bidding, beside ``bidding.api``): the SUA's
software names the commission and records its declarations, decides each bid's admission, asks for the
soccorso istruttorio, records the commissioners' technical coefficients, reads the session's log and gets its
minutes; an operator's software reads the requests addressed to it and answers them.

The same services as the session page (``bidding.session``, ``procedures.services.decide_bid``) check the
order of the steps, the deadlines and the roles again. Errors as problem+json in Italian: 400 a step refused
(the service's message; nothing changes), 403 a role that may not act, 404 a procedure of another Province,
a bid or member of another procedure, a request addressed to another operator.
"""

import datetime
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.lib.problems import documented
from casacomuni.procurement.bidding import receipts
from casacomuni.procurement.bidding import session as session_services
from casacomuni.procurement.bidding.api import Int64, SessionOut, id_path, session, sua_procedure
from casacomuni.procurement.bidding.models import CommissionMember, CommissionRole, IntegrationRequest
from casacomuni.procurement.procedures import services as ps
from casacomuni.procurement.procedures.models import Bid, Procedure

router = Router(tags=["online bids"])

SESSION = "/bidding/procedures/{procedure_id}/session"
PROCEDURE = "A procedure of my SUA"


# --- Schemas ------------------------------------------------------------------------------------------------


class CommissionMemberIn(Schema):
    name: str = Field(max_length=200)
    role: CommissionRole


class CommissionMemberOut(Schema):
    id: Int64
    name: str
    role: CommissionRole
    appointed_at: datetime.datetime
    declared_at: datetime.datetime | None = Field(
        description="When the SUA recorded the member's declaration of no conflict of interest (art. 16)"
    )


class AdmissionDecisionIn(Schema):
    decision: Literal["admit", "exclude"]
    reason: str = Field("", max_length=4000, description="Required to exclude: the operator is told it")


class IntegrationRequestIn(Schema):
    text: str = Field(max_length=4000, description="What the operator must complete or correct")
    days: int = Field(ge=1, le=60, json_schema_extra={"format": "int32"}, description="5 to 10 (art. 101)")


class IntegrationRequestOut(Schema):
    id: Int64
    bid_id: Int64 = Field(description="The bid the evaluation reads (procedures API)")
    procedure_id: Int64
    lot_number: int = Field(json_schema_extra={"format": "int32"})
    text: str
    requested_at: datetime.datetime
    deadline: datetime.datetime = Field(description="The last second to answer")
    answer: str
    answered_at: datetime.datetime | None
    with_document: bool = Field(description="The answer came with a document")

    @staticmethod
    def resolve_procedure_id(obj):
        return obj.bid.lot.procedure_id

    @staticmethod
    def resolve_lot_number(obj):
        return obj.bid.lot.number

    @staticmethod
    def resolve_with_document(obj):
        return bool(obj.answer_file)


class ScoresIn(Schema):
    coefficients: dict[Annotated[str, Field(max_length=20)], Annotated[str, Field(max_length=10)]] = Field(
        description='From 0 to 1, one per part of the technical criteria, by its code: {"A.1": "0.750"}',
        max_length=200,
    )


class ScoresOut(Schema):
    bid_id: Int64
    member_id: Int64
    coefficients: dict[str, str]


class LogEntryOut(Schema):
    at: datetime.datetime
    text: str


# --- The SUA ------------------------------------------------------------------------------------------------


def procedure_bid(procedure: Procedure, bid_id: int) -> Bid:
    return get_object_or_404(
        Bid.objects.select_related("lot__procedure"), pk=bid_id, lot__procedure=procedure
    )


def commission_of(procedure: Procedure, member_id: int) -> CommissionMember:
    return get_object_or_404(procedure.commission, pk=member_id)


@router.get(
    f"{SESSION}/commission",
    response=list[CommissionMemberOut],
    summary="The commission of a procedure, with its members' declarations",
    openapi_extra=documented(400, 404),
)
def list_commission(request, procedure_id: int = id_path(PROCEDURE)):
    """President first, then the members and the secretary, in the order they were appointed."""
    order = {CommissionRole.PRESIDENT: 0, CommissionRole.MEMBER: 1, CommissionRole.SECRETARY: 2}
    members = sua_procedure(request, procedure_id).commission.all()
    return sorted(members, key=lambda member: (order[member.role], member.pk))


@router.post(
    f"{SESSION}/commission",
    response={201: CommissionMemberOut},
    summary="Appoint a member of the commission (before the first envelope is opened)",
    openapi_extra=documented(400, 404),
)
def appoint_member(request, payload: CommissionMemberIn, procedure_id: int = id_path(PROCEDURE)):
    """One president; the commission no longer changes once an envelope has been opened."""
    procedure = sua_procedure(request, procedure_id)
    member = session_services.appoint_member(
        Actor.from_request(request), procedure, payload.name, payload.role
    )
    return Status(201, member)


@router.post(
    f"{SESSION}/commission/{{member_id}}/declaration",
    response=CommissionMemberOut,
    summary="Record a member's declaration of no conflict of interest",
    openapi_extra=documented(400, 404),
)
def record_declaration(
    request,
    procedure_id: int = id_path(PROCEDURE),
    member_id: int = id_path("A member of its commission"),
):
    """Art. 16 and art. 93 c.5 D.Lgs. 36/2023; recorded once, with its time: no envelope opens before every
    member has declared."""
    procedure = sua_procedure(request, procedure_id)
    return session_services.record_declaration(
        Actor.from_request(request), commission_of(procedure, member_id)
    )


@router.post(
    f"{SESSION}/bids/{{bid_id}}/decision",
    response=SessionOut,
    summary="Admit a bid or exclude it with the reasons, once its envelope A is open",
    openapi_extra=documented(400, 404),
)
def decide(
    request,
    payload: AdmissionDecisionIn,
    procedure_id: int = id_path(PROCEDURE),
    bid_id: int = id_path("A bid of the procedure (the session's admission.bid_id)"),
):
    """An excluded operator is told the reasons by e-mail (art. 90); the session answers with the admissions."""
    procedure = sua_procedure(request, procedure_id)
    ps.decide_bid(
        Actor.from_request(request), procedure_bid(procedure, bid_id), payload.decision, payload.reason
    )
    return session(request, sua_procedure(request, procedure_id))


@router.post(
    f"{SESSION}/bids/{{bid_id}}/integration-requests",
    response={201: IntegrationRequestOut},
    summary="Ask the operator to complete its administrative documents (soccorso istruttorio)",
    openapi_extra=documented(400, 404),
)
def request_integration(
    request,
    payload: IntegrationRequestIn,
    procedure_id: int = id_path(PROCEDURE),
    bid_id: int = id_path("A bid of the procedure whose admission is open"),
):
    """Art. 101 D.Lgs. 36/2023: after envelope A is opened, with a term of 5 to 10 days; the operator is
    e-mailed and answers on the platform."""
    procedure = sua_procedure(request, procedure_id)
    created = session_services.request_integration(
        Actor.from_request(request), procedure_bid(procedure, bid_id), payload.text, payload.days
    )
    return Status(201, IntegrationRequest.objects.select_related("bid__lot").get(pk=created.pk))


@router.put(
    f"{SESSION}/bids/{{bid_id}}/scores/{{member_id}}",
    response=ScoresOut,
    summary="Record a commissioner's technical coefficients for an admitted bid (quality and price)",
    openapi_extra=documented(400, 404),
)
def score(
    request,
    payload: ScoresIn,
    procedure_id: int = id_path(PROCEDURE),
    bid_id: int = id_path("An admitted bid of the procedure"),
    member_id: int = id_path("The president or a member of its commission"),
):
    """Once envelope B is open: a coefficient from 0 to 1 (three decimals) for every part of the technical
    criteria, replacing the member's earlier ones; the evaluation averages the commissioners' coefficients."""
    procedure = sua_procedure(request, procedure_id)
    bid = procedure_bid(procedure, bid_id)
    member = commission_of(procedure, member_id)
    session_services.score_bid(Actor.from_request(request), bid, member, payload.coefficients)
    recorded = bid.technical_coefficients.filter(member=member)
    return {
        "bid_id": bid.pk,
        "member_id": member.pk,
        "coefficients": {c.part: str(c.coefficient) for c in recorded},
    }


@router.get(
    f"{SESSION}/log",
    response=list[LogEntryOut],
    summary="The session's log: what was opened and decided, oldest first",
    openapi_extra=documented(400, 404),
)
def session_log(request, procedure_id: int = id_path("A procedure of my SUA, or one I bid on online")):
    """For the SUA, with the reasons of the exclusions; for an operator that submitted a bid online, read-only
    and without them. Never a document's content; the economic offers as read out when envelope C opened."""
    procedure = get_object_or_404(Procedure.objects.public(), pk=procedure_id)
    if not session_services.participates(request.user, procedure):
        raise PermissionDenied
    sua = tenancy.as_sua(request.user) is not None
    return session_services.session_log(procedure, with_reasons=sua)


@router.get(
    f"{SESSION}/minutes.pdf",
    summary="The minutes of the session, printed from its log",
    openapi_extra=documented(
        400,
        404,
        ok={
            200: {
                "description": "The minutes",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        },
    ),
)
def session_minutes(request, procedure_id: int = id_path(PROCEDURE)):
    """What the commission files: the commission, its declarations and every step with its time."""
    procedure = sua_procedure(request, procedure_id)
    pdf = receipts.session_minutes_pdf(procedure, session_services.session_log(procedure, with_reasons=True))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="verbale-seduta-{procedure.pk}.pdf"'
    return response


# --- The operator -------------------------------------------------------------------------------------------


def own_requests(request):
    """The requests addressed to the caller's operator (403 for any other role)."""
    operator = tenancy.as_operator(request.user)
    if operator is None:
        raise PermissionDenied
    return IntegrationRequest.objects.filter(bid__operator=operator).select_related("bid__lot")


@router.get(
    "/bidding/integration-requests",
    response=list[IntegrationRequestOut],
    summary="The requests to complete my documents (soccorso istruttorio), latest first",
    openapi_extra=documented(400),
)
def list_integration_requests(request):
    """Answered or not; an open one is answered by its deadline with the operation below."""
    return list(own_requests(request).order_by("-requested_at", "-pk")[:500])


@router.post(
    "/bidding/integration-requests/{request_id}/answer",
    response=IntegrationRequestOut,
    summary="Answer a request to complete my documents (multipart: answer, optional file)",
    openapi_extra=documented(400, 404),
)
def answer_integration_request(
    request,
    answer: Form[Annotated[str, Field(max_length=4000)]] = "",
    file: File[UploadedFile] = None,  # a PDF or a signed .p7m
    request_id: int = id_path("A request addressed to me"),
):
    """By its deadline, once: a text and, if it sends one, a PDF or a signed .p7m (up to 25 MB)."""
    pending = get_object_or_404(own_requests(request), pk=request_id)
    session_services.answer_integration(Actor.from_request(request), pending, answer, file)
    return own_requests(request).get(pk=pending.pk)
