"""API of the SUA's procedures (mounted at /api/v1/procurement). Reads through ``Procedure.objects.for_user``
(404 for another tenant's procedure), writes through procedures.services.

Readers: the Province's administrator and SUA officers (their Province's procedures, bids included); the
referents and staff of a Comune (procedures with a lot of theirs: their lots only, never the bids). Others 403.
Errors (problem+json): 400 invalid data or an action the state or its preconditions refuse (the message says
why), 403 a role that may not act, 404 a procedure of another tenant.
"""

import datetime
from decimal import Decimal
from typing import Literal

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.api import OrganizationBriefOut
from casacomuni.accounts.roles import LOCAL_ROLES, SUA_ROLES
from casacomuni.lib.search import MAX_LENGTH
from casacomuni.procurement.procedures import services as ps
from casacomuni.procurement.procedures.models import (
    Bid,
    BidStatus,
    Criterion,
    Lot,
    LotState,
    Procedure,
    ProcedureState,
    ProcedureType,
)
from casacomuni.procurement.requests.models import ContractKind

router = Router(tags=["procurement procedures"])


class ProcedureOperatorOut(Schema):
    id: int
    name: str
    fiscal_code: str


class ProcedureOut(Schema):
    id: int
    ocid: str | None = Field(description="Assigned at publication: <prefix>-<id>")
    province: OrganizationBriefOut = Field(description="The Province whose SUA runs the procedure")
    title: str
    kind: ContractKind
    procedure_type: ProcedureType
    criterion: Criterion
    state: ProcedureState
    cpv: str
    published_at: datetime.datetime | None
    bid_deadline: datetime.datetime | None
    created_at: datetime.datetime
    buyers: list[OrganizationBriefOut] = Field(description="The Comuni buying (one per lot)")

    @staticmethod
    def resolve_buyers(obj):
        if isinstance(obj, dict):
            return obj["buyers"]
        return [lot.municipality for lot in obj.lots.all()]


class ProcedureBidOut(Schema):
    id: int
    operator: ProcedureOperatorOut
    received_at: datetime.datetime
    discount_percent: Decimal | None
    price: Decimal | None
    technical_score: Decimal | None
    status: BidStatus
    exclusion_reason: str
    source: str


class LotOut(Schema):
    id: int
    number: int
    title: str
    municipality: OrganizationBriefOut
    request_id: int | None
    cig: str
    cup: str
    cpv: str
    base_amount: Decimal = Field(description="Subject to discount")
    safety_costs: Decimal = Field(description="Not subject to discount")
    options_amount: Decimal
    state: LotState
    awarded_operator: ProcedureOperatorOut | None
    awarded_amount: Decimal | None = Field(description="Base amount less the winning discount (or the price)")
    award_date: datetime.date | None
    contract_date: datetime.date | None
    contract_amount: Decimal | None
    savings: Decimal | None = Field(description="Base amount − awarded amount")
    evaluation: dict | None = Field(description="Method, threshold and ranking, when evaluated")
    bids: list[ProcedureBidOut] | None = Field(description="For the SUA only; null for a Comune")


class TimelineStep(Schema):
    code: str
    label: str
    day: datetime.date | None


class ProcedureDetailOut(ProcedureOut):
    description: str
    state_reason: str
    cross_border_interest: bool
    anomaly_parameters: dict
    oepv_settings: dict
    lots: list[LotOut]
    total_savings: Decimal | None
    timeline: list[TimelineStep]
    allowed_actions: list[str] = Field(
        description="Actions of the state whose preconditions hold now (SUA only)"
    )


class ProcedureFilters(Schema):
    state: ProcedureState | None = None
    kind: ContractKind | None = None
    municipality: str = Field("", description="ISTAT code of a buyer Comune")
    q: str = Field(
        "", max_length=MAX_LENGTH, description="Words of the object or description, or a lot's CIG"
    )


def readable(request):
    tenancy.require_role(request.user, *SUA_ROLES, *LOCAL_ROLES)
    return Procedure.objects.for_user(request.user).select_related("province__municipality")


def lots_prefetch(user):
    """The procedures' lots the user reads: a Comune's list names only its own lots' buyer."""
    lots = Lot.objects.for_user(user).select_related("municipality__municipality").order_by("number")
    return Prefetch("lots", queryset=lots)


@router.get(
    "/procedures", response=list[ProcedureOut], summary="Procedures of the SUA, or with a lot of the Comune"
)
@paginate
def list_procedures(request, filters: Query[ProcedureFilters]):
    queryset = readable(request).search(filters.q).prefetch_related(lots_prefetch(request.user))
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.municipality:
        buyers = Lot.objects.filter(municipality__municipality__istat_code=filters.municipality.strip())
        queryset = queryset.filter(pk__in=buyers.values("procedure"))
    return queryset.order_by("-created_at", "-pk")


def lot_out(lot: Lot, evaluation, bids) -> dict:
    result = evaluation.result if evaluation else None
    return {
        "id": lot.pk,
        "number": lot.number,
        "title": lot.title,
        "municipality": lot.municipality,
        "request_id": lot.request_id,
        "cig": lot.cig,
        "cup": lot.cup,
        "cpv": lot.cpv,
        "base_amount": lot.base_amount,
        "safety_costs": lot.safety_costs,
        "options_amount": lot.options_amount,
        "state": lot.state,
        "awarded_operator": lot.awarded_operator,
        "awarded_amount": lot.awarded_amount,
        "award_date": lot.award_date,
        "contract_date": lot.contract_date,
        "contract_amount": lot.contract_amount,
        "savings": lot.savings,
        "evaluation": None
        if result is None
        else {
            "method": evaluation.method,
            "threshold": result.get("threshold"),
            "winner": result.get("winner"),
            "ranking": result.get("ranking", []),
            "excluded": result.get("excluded_names", result.get("excluded", [])),
            "computed_at": evaluation.computed_at.isoformat(),
        },
        "bids": bids,
    }


def detail(request, procedure: Procedure) -> dict:
    sua = tenancy.has_role(request.user, *SUA_ROLES)
    lots = list(
        Lot.objects.for_user(request.user)
        .filter(procedure=procedure)
        .select_related("municipality__municipality", "awarded_operator", "evaluation")
        .order_by("number")
    )
    bids = {}
    if sua:
        for bid in Bid.objects.filter(lot__in=lots).select_related("operator").order_by("pk"):
            bids.setdefault(bid.lot_id, []).append(bid)
    allowed = []
    if sua:
        allowed = [row["name"] for row in ps.available_actions(procedure) if not row["problems"]]
    totals = ps.savings(lots)
    return {
        "id": procedure.pk,
        "ocid": procedure.ocid,
        "province": procedure.province,
        "title": procedure.title,
        "kind": procedure.kind,
        "procedure_type": procedure.procedure_type,
        "criterion": procedure.criterion,
        "state": procedure.state,
        "cpv": procedure.cpv,
        "published_at": procedure.published_at,
        "bid_deadline": procedure.bid_deadline,
        "created_at": procedure.created_at,
        "buyers": [lot.municipality for lot in lots],
        "description": procedure.description,
        "state_reason": procedure.state_reason,
        "cross_border_interest": procedure.cross_border_interest,
        "anomaly_parameters": procedure.anomaly_parameters,
        "oepv_settings": procedure.oepv_settings,
        "lots": [
            lot_out(lot, getattr(lot, "evaluation", None), bids.get(lot.pk, []) if sua else None)
            for lot in lots
        ],
        "total_savings": totals["total"],
        "timeline": ps.timeline(procedure, lots),
        "allowed_actions": allowed,
    }


@router.get(
    "/procedures/{procedure_id}",
    response=ProcedureDetailOut,
    summary="One procedure: lots, award, savings, timeline",
)
def get_procedure(request, procedure_id: int):
    return detail(request, get_object_or_404(readable(request), pk=procedure_id))


class ProcedureIn(Schema):
    requests: list[int] = Field(min_length=1, description="Ids of accepted requests of the SUA's Province")
    title: str = Field("", max_length=300, description="Default: the request's object")


@router.post(
    "/procedures", response={201: ProcedureDetailOut}, summary="Prepare a procedure from accepted requests"
)
def create_procedure(request, payload: ProcedureIn):
    """The Province's administrator or SUA officers only. One request makes one lot; requests of several Comuni
    of the Province (same kind of contract) make an aggregated procedure with one lot per Comune."""
    tenancy.require_role(request.user, *SUA_ROLES)
    procedure = ps.create_procedure(Actor.from_request(request), payload.requests, payload.title)
    return Status(201, detail(request, readable(request).get(pk=procedure.pk)))


class ProcedureActionIn(Schema):
    reason: str = Field("", max_length=5000, description="Required to cancel and to declare deserted")


ActionName = Literal[
    "publish",
    "open_bids",
    "close_bids",
    "start_evaluation",
    "propose_award",
    "award",
    "sign_contract",
    "declare_deserted",
    "cancel",
]


@router.post(
    "/procedures/{procedure_id}/actions/{action}",
    response=ProcedureDetailOut,
    summary="Move a procedure: publish, open_bids, close_bids, start_evaluation, propose_award, award, "
    "sign_contract, declare_deserted, cancel",
)
def perform_action(request, procedure_id: int, action: ActionName, payload: ProcedureActionIn | None = None):
    procedure = get_object_or_404(readable(request), pk=procedure_id)
    tenancy.require_role(request.user, *SUA_ROLES)
    ps.transition_procedure(Actor.from_request(request), procedure, action, payload.reason if payload else "")
    return detail(request, readable(request).get(pk=procedure.pk))
