"""API of the agreements: the services catalogue, agreements and their acts, adhesions, national coverage.

Every read goes through the QuerySets' ``for_user``; every write through ``agreements.services``. A refused
transition is a 409 when the agreement as it stands refuses it (wrong state, term over, no renewal left, or
another agreement already covering one of its services on the same days) and a 400 when the act's data are missing or wrong.
"""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import StringConstraints

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import Role
from casacomuni.agreements import forms, selectors, services
from casacomuni.agreements.models import Adhesion, Agreement, AgreementState, Service, ServiceKind
from casacomuni.agreements.rules import lifecycle

router = Router(tags=["agreements"])

# The transitions a person requests; expiry is the system's, by date.
RequestedTransition = Literal[tuple(services.TRANSITION_ROLES)]
# Transitions whose act is a file -> whether a signed .p7m envelope is accepted besides a PDF.
ACT_FILES = {lifecycle.APPROVE_MUNICIPALITY: False, lifecycle.SIGN: True}


class AgreementPartyOut(Schema):
    id: int
    kind: str
    name: str
    province: str | None = Field(description="Sigla of the province")
    istat_code: str | None = Field(description="ISTAT code, for a Comune")

    @staticmethod
    def resolve_province(obj):
        return obj.province.sigla if obj.province_id else None

    @staticmethod
    def resolve_istat_code(obj):
        return obj.municipality.istat_code if obj.municipality_id else None


class ServiceOut(Schema):
    id: int
    province: str = Field(description="Sigla of the Province that offers the service")
    kind: ServiceKind
    name: str
    description: str
    delegated_functions: list[int] = Field(description="SUA functions delegated, ANAC codes 1-4")
    cost_model: str
    cost_amount: Decimal
    cost_minimum: Decimal | None
    cost_maximum: Decimal | None
    standard_clauses: str
    is_published: bool

    @staticmethod
    def resolve_province(obj):
        return obj.province.province.sigla


class ServiceBriefOut(Schema):
    id: int
    kind: ServiceKind
    name: str


class AgreementOut(Schema):
    id: int
    title: str
    state: AgreementState = Field(description="The state the recorded acts reached")
    standing: str = Field(
        description="The state corrected by the dates today: 'upcoming' for an agreement activated before "
        "its start date, 'expired' for one past its term not yet marked; otherwise the state"
    )
    in_force_today: bool = Field(description="Whether the agreement binds its parties today")
    province: AgreementPartyOut
    municipality: AgreementPartyOut = Field(description="The Comune or Unione")
    start_date: datetime.date
    end_date: datetime.date
    max_renewals: int
    renewals: int
    notice_days: int

    @staticmethod
    def resolve_standing(obj):
        return obj.standing()

    @staticmethod
    def resolve_in_force_today(obj):
        return obj.in_force(timezone.localdate())


class ResolutionOut(Schema):
    number: str
    date: datetime.date | None
    has_file: bool = False


class SignatureOut(Schema):
    date: datetime.date | None
    has_file: bool


class WithdrawalOut(Schema):
    by: str
    notice_date: datetime.date | None
    effective_date: datetime.date | None


class ActsOut(Schema):
    province_resolution: ResolutionOut
    municipality_resolution: ResolutionOut
    signature: SignatureOut
    withdrawal: WithdrawalOut | None


class AgreementAdhesionOut(Schema):
    id: int
    service: ServiceBriefOut
    start_date: datetime.date
    end_date: datetime.date | None
    last_day: datetime.date
    active_today: bool

    @staticmethod
    def resolve_active_today(obj):
        return obj.active_on(timezone.localdate())


class AgreementDetailOut(AgreementOut):
    legal_basis: str
    object: str
    governance: str
    rup_keeper: str
    data_protection: str
    disputes: str
    acts: ActsOut
    adhesions: list[AgreementAdhesionOut]
    allowed_transitions: list[str] = Field(
        description="The transitions the caller may request now, given the state and the caller's role"
    )

    @staticmethod
    def resolve_acts(obj):
        return acts_of(obj)

    @staticmethod
    def resolve_adhesions(obj):
        return list(obj.adhesions.select_related("service"))

    @staticmethod
    def resolve_allowed_transitions(obj, context):
        user = context["request"].user
        return [
            name
            for name in obj.allowed_transitions()
            if name in services.TRANSITION_ROLES and tenancy.has_role(user, *services.TRANSITION_ROLES[name])
        ]


class AdhesionAgreementOut(Schema):
    id: int
    state: AgreementState
    start_date: datetime.date
    end_date: datetime.date
    withdrawal_effective_date: datetime.date | None


class AdhesionOut(Schema):
    id: int
    active: bool = Field(description="Whether the adhesion is in force on the day asked for")
    municipality: AgreementPartyOut
    service: ServiceBriefOut
    agreement: AdhesionAgreementOut
    start_date: datetime.date
    end_date: datetime.date | None
    last_day: datetime.date

    @staticmethod
    def resolve_municipality(obj):
        return obj.agreement.municipality


class CoverageOut(Schema):
    province_code: str = Field(description="ISTAT code of the province")
    province_sigla: str
    province_name: str
    region_name: str
    service_kind: ServiceKind
    service_kind_label: str
    services: int = Field(description="Published services of that kind the Province offers")
    comuni_joined: int = Field(description="Comuni with an adhesion in force, directly or through a Unione")
    comuni_total: int = Field(description="Current comuni of the province")
    population_covered: int = Field(description="ISTAT population of the comuni joined")


class ServiceFilters(Schema):
    province: str = Field("", description="Sigla of the province, e.g. TV")
    kind: ServiceKind | None = None


class AgreementFilters(Schema):
    state: AgreementState | None = None
    municipality: str = Field("", description="ISTAT code of the Comune")


class AdhesionFilters(Schema):
    municipality: str = Field("", description="ISTAT code of the Comune")
    service: str = Field("", description="Service id or kind (e.g. sua)")
    on: datetime.date | None = Field(
        None, description="Day on which ``active`` is computed; today by default"
    )
    active: bool | None = Field(
        None, description="Only the adhesions in force (true) or not (false) that day"
    )


# Clauses are trimmed and must say something.
Clause = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class AgreementIn(Schema):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    legal_basis: Clause
    object: Clause
    governance: Clause
    data_protection: Clause
    disputes: Clause
    rup_keeper: Agreement.RupKeeper = Agreement.RupKeeper.MUNICIPALITY
    start_date: datetime.date
    end_date: datetime.date
    max_renewals: int = Field(1, ge=0, le=20)
    notice_days: int = Field(180, ge=0, le=3650)
    services: list[int] = Field(description="Ids of services of the Province's catalogue")
    municipalities: list[int] = Field(description="Ids of the organisations of the Comuni or Unioni")


class TransitionIn(Schema):
    transition: RequestedTransition
    number: str = Field("", max_length=50, description="Resolution number (approvals, renewal)")
    date: datetime.date | None = Field(None, description="Date of the resolution, signature or notice")
    new_end_date: datetime.date | None = Field(None, description="Renewal: the new end date")
    effective_date: datetime.date | None = Field(None, description="Withdrawal: the day it takes effect")


def agreements_for(request):
    return Agreement.objects.for_user(request.user).select_related(
        "province__province", "municipality__municipality", "municipality__province"
    )


def acts_of(agreement: Agreement) -> dict:
    withdrawal = None
    if agreement.withdrawn_by:
        withdrawal = {
            "by": agreement.withdrawn_by,
            "notice_date": agreement.withdrawal_notice_date,
            "effective_date": agreement.withdrawal_effective_date,
        }
    return {
        "province_resolution": {
            "number": agreement.province_resolution_number,
            "date": agreement.province_resolution_date,
        },
        "municipality_resolution": {
            "number": agreement.municipality_resolution_number,
            "date": agreement.municipality_resolution_date,
            "has_file": bool(agreement.municipality_resolution_file),
        },
        "signature": {"date": agreement.signed_on, "has_file": bool(agreement.signed_file)},
        "withdrawal": withdrawal,
    }


@router.get("/services", response=list[ServiceOut], summary="The services catalogue visible to the caller")
@paginate
def list_services(request, filters: Query[ServiceFilters]):
    """A Province sees its own catalogue, its Comuni the services it publishes, UPI every catalogue."""
    queryset = Service.objects.for_user(request.user).select_related("province__province")
    if filters.province:
        queryset = queryset.filter(province__province__sigla=filters.province.strip().upper())
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    return queryset.order_by("province__name", "kind", "name", "pk")


@router.get("/agreements", response=list[AgreementOut], summary="Agreements of the caller's organisation")
@paginate
def list_agreements(request, filters: Query[AgreementFilters]):
    queryset = agreements_for(request)
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    if filters.municipality:
        queryset = queryset.filter(municipality__municipality__istat_code=filters.municipality.strip())
    return queryset.order_by("-created_at", "pk")


@router.post(
    "/agreements", response={201: list[AgreementOut]}, summary="Send an agreement to one or many Comuni"
)
def create_agreements(request, payload: AgreementIn):
    """One agreement per Comune or Unione, each in draft with an adhesion to every service listed."""
    tenancy.require_role(request.user, *services.PROVINCE_MANAGERS)
    draft = services.AgreementDraft(
        **payload.dict(exclude={"services", "municipalities"}),
        services=visible(
            Service.objects.for_user(request.user),
            payload.services,
            _("These services are not in your catalogue: %(ids)s."),
        ),
    )
    parties = visible(
        Organization.objects.for_user(request.user),
        payload.municipalities,
        _("These Comuni or Unioni are not in your province: %(ids)s."),
    )
    try:
        created = services.create_agreements(Actor.from_request(request), draft, parties)
    except ValidationError as refused:
        if getattr(refused, "code", None) == "overlap":
            raise HttpError(409, " ".join(refused.messages)) from refused
        raise
    return Status(201, list(agreements_for(request).filter(pk__in=[a.pk for a in created]).order_by("pk")))


def visible(queryset, ids: list[int], message: str) -> list:
    """The rows of ``queryset`` with these ids, in their order; an id the caller cannot see is bad input."""
    rows = queryset.in_bulk(set(ids))
    missing = sorted(set(ids) - set(rows))
    if missing:
        raise ValidationError(message % {"ids": ", ".join(map(str, missing))})
    return [rows[pk] for pk in dict.fromkeys(ids)]


@router.get("/agreements/{agreement_id}", response=AgreementDetailOut, summary="One agreement with its acts")
def get_agreement(request, agreement_id: int):
    return get_object_or_404(agreements_for(request), pk=agreement_id)


@router.post(
    "/agreements/{agreement_id}/transitions",
    response=AgreementDetailOut,
    summary="Record an act that moves the agreement on (multipart form, with the act's file when needed)",
)
def perform_transition(request, agreement_id: int, data: Form[TransitionIn], file: File[UploadedFile] = None):
    agreement = get_object_or_404(agreements_for(request), pk=agreement_id)
    act = services.ActData(
        number=data.number.strip(),
        day=data.date,
        file=file,
        new_end_date=data.new_end_date,
        effective_date=data.effective_date,
    )
    # Who may record the act comes first: a refused role is a 403 whatever the act's data.
    tenancy.require_role(request.user, *services.TRANSITION_ROLES[data.transition])
    conflict = refused_as_it_stands(agreement, data.transition, timezone.localdate())
    if file is not None and not conflict and data.transition in ACT_FILES:
        # The same check as the pages: a PDF (or, for the signed agreement, a CAdES .p7m), by its content.
        forms.check_act_file(file, allow_p7m=ACT_FILES[data.transition])
    try:
        services.perform_transition(Actor.from_request(request), agreement, data.transition, act)
    except ValidationError as refused:
        if conflict or getattr(refused, "code", None) == "overlap":
            raise HttpError(409, " ".join(refused.messages)) from refused
        raise
    return agreements_for(request).get(pk=agreement.pk)


def refused_as_it_stands(agreement: Agreement, transition: str, today: datetime.date) -> bool:
    """Whether the agreement itself refuses the transition, whatever act comes with it (a conflict)."""
    if transition not in agreement.allowed_transitions():
        return True
    if transition == lifecycle.ACTIVATE:  # activation takes no act: only the agreement's term can refuse it
        return agreement.end_date < today
    if transition == lifecycle.RENEW:
        return agreement.renewals >= agreement.max_renewals
    return False


@router.get("/adhesions", response=list[AdhesionOut], summary="Adhesions of Comuni to services, on a day")
@paginate
def list_adhesions(request, filters: Query[AdhesionFilters]):
    """A Province sees its Comuni's adhesions, a Comune or Unione its own; ``active`` is computed on ``on``."""
    day = filters.on or timezone.localdate()
    queryset = (
        Adhesion.objects.for_user(request.user)
        .select_related(
            "service",
            "agreement__municipality__municipality",
            "agreement__municipality__province",
        )
        .annotate(active=Exists(Adhesion.objects.active_on(day).filter(pk=OuterRef("pk"))))
    )
    if filters.municipality:
        queryset = queryset.filter(
            agreement__municipality__municipality__istat_code=filters.municipality.strip()
        )
    if filters.service:
        queryset = queryset.filter(**service_lookup(filters.service.strip()))
    if filters.active is not None:
        queryset = queryset.filter(active=filters.active)
    return queryset.order_by("agreement__municipality__name", "service__name", "pk")


def service_lookup(value: str) -> dict:
    if value.isdigit():
        return {"service_id": int(value)}
    if value in ServiceKind.values:
        return {"service__kind": value}
    raise ValidationError(
        _("“%(value)s” is neither a service id nor a kind of service (%(kinds)s).")
        % {"value": value, "kinds": ", ".join(ServiceKind.values)}
    )


@router.get(
    "/national/service-coverage",
    response=list[CoverageOut],
    summary="UPI: per Province and kind of service, the Comuni that joined and the population covered",
)
@paginate
def service_coverage(request, on: datetime.date | None = None):
    tenancy.require_role(request.user, Role.UPI_ADMIN)
    return selectors.service_coverage(on or timezone.localdate())
