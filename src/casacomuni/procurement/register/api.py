"""API of the operators' register: the entries the caller may read (see register.models for who sees what),
and its writes: an operator applies, the SUA registers an operator itself, decides on an entry, and either
adds documents (e.g. a renewed DURC).

Documents and decisions are listed only to the SUA keeping the albo and to the operator itself; for a
Comune they are null. Errors as problem+json: 400 invalid data (a message per field), 403 a role that reads
no albo or may not act, 404 an entry of another tenant, 409 a decision the entry's state does not allow.
"""

import datetime
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
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import LOCAL_ROLES, OPERATOR_ROLES, SUA_ROLES, OrganizationKind
from casacomuni.procurement.register import services
from casacomuni.procurement.register.models import (
    CategoryKind,
    DocumentKind,
    OperatorDocument,
    RegisteredOperator,
    RegistrationState,
)

router = Router(tags=["operators' register"])


class AlboPartyOut(Schema):
    id: int
    name: str
    fiscal_code: str = Field(description="Partita IVA or codice fiscale")


class CategoryOut(Schema):
    kind: CategoryKind
    code: str = Field(description="CPV group (5 digits) or code (8 digits), or SOA category (OG1…OS35)")
    soa_class: str = Field(description="SOA class (I…VIII, III-bis, IV-bis); empty for CPV")
    label: str


class OperatorOut(Schema):
    id: int
    operator: AlboPartyOut
    province: AlboPartyOut = Field(description="The Province whose SUA keeps the albo")
    state: RegistrationState
    categories: list[CategoryOut]
    applied_at: datetime.datetime
    approved_at: datetime.datetime | None
    has_valid_durc: bool = Field(description="A DURC in force today")

    @staticmethod
    def resolve_categories(obj):
        return list(obj.categories.all())


class OperatorDocumentOut(Schema):
    id: int
    kind: DocumentKind
    original_name: str
    issued_on: datetime.date | None
    expires_on: datetime.date | None


class DecisionOut(Schema):
    action: str
    state: RegistrationState
    reason: str
    decided_at: datetime.datetime


class OperatorDetailOut(OperatorOut):
    pec: str
    address: str
    legal_representative_name: str
    reason: str | None = Field(description="Reasons of the last decision; null for a Comune")
    documents: list[OperatorDocumentOut] | None = Field(description="Null for a Comune")
    decisions: list[DecisionOut] | None = Field(description="Null for a Comune")

    @staticmethod
    def resolve_pec(obj):
        return obj.operator.pec

    @staticmethod
    def resolve_reason(obj):
        return obj.reason if obj.private else None

    @staticmethod
    def resolve_documents(obj):
        return obj.private_documents if obj.private else None

    @staticmethod
    def resolve_decisions(obj):
        return list(obj.decisions.all()) if obj.private else None


class OperatorFilters(Schema):
    category: str = Field("", max_length=12, description="SOA category (OG1) or CPV code/group")
    state: RegistrationState | None = None
    province: int | None = Field(None, description="Id of the Province organisation keeping the albo")


def readable(request):
    tenancy.require_role(request.user, *SUA_ROLES, *OPERATOR_ROLES, *LOCAL_ROLES)
    return (
        RegisteredOperator.objects.for_user(request.user)
        .select_related("operator", "province")
        .prefetch_related("categories")
        .with_document_flags()
    )


@router.get("/operators", response=list[OperatorOut], summary="Entries of the operators' register")
@paginate
def list_operators(request, filters: Query[OperatorFilters]):
    """The SUA: its own albo; an operator: its own entries; a Comune: the approved operators of its
    Province's albo."""
    queryset = readable(request)
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    if filters.province is not None:
        queryset = queryset.filter(province_id=filters.province)
    if filters.category.strip():
        queryset = queryset.in_category(filters.category)
    return queryset.order_by("operator__name", "pk")


@router.get("/operators/{registration_id}", response=OperatorDetailOut, summary="One entry of the register")
def get_operator(request, registration_id: int):
    entry = get_object_or_404(readable(request), pk=registration_id)
    # Documents, decisions and reasons: only for the SUA keeping the albo and the operator itself.
    entry.private = (
        RegisteredOperator.objects.for_user(request.user, documents=True).filter(pk=entry.pk).exists()
    )
    entry.private_documents = list(OperatorDocument.objects.for_user(request.user).filter(registration=entry))
    return entry


def detail(request, registration_id: int) -> RegisteredOperator:
    return get_operator(request, registration_id)


class EntryIn(Schema):
    name: str = Field(..., max_length=200, description="Company name")
    fiscal_code: str = Field(..., max_length=32, description="Partita IVA (11 digits) or codice fiscale")
    pec: str = Field(..., max_length=254, description="PEC address of the operator")
    address: str = Field(..., max_length=300, description="Registered office")
    legal_representative_name: str = Field(..., max_length=200)
    legal_representative_fiscal_code: str = Field(..., max_length=32, description="A person's codice fiscale")
    cpv_codes: list[str] = Field(
        [], max_length=200, description="CPV groups (5 digits) or codes (8 digits) of services and supplies"
    )
    soa_categories: list[str] = Field(
        [], max_length=100, description='SOA category and class of works, e.g. "OG1 III"'
    )
    province: int | None = Field(
        None, description="Id of the Province whose albo the operator applies to (operators only)"
    )


def entry_province(payload: EntryIn) -> Organization | None:
    if payload.province is None:
        return None
    return Organization.objects.filter(pk=payload.province, kind=OrganizationKind.PROVINCE).first()


def checked_entry(company: dict, payload: EntryIn) -> list[dict]:
    """The categories parsed from the lists; every wrong field, of the company or of the categories, is
    reported at once."""
    errors = {}
    try:
        categories = services.parse_categories(
            "\n".join(payload.cpv_codes), "\n".join(payload.soa_categories)
        )
    except ValidationError as refused:
        errors, categories = refused.message_dict, []
    try:
        services.clean_company(company)
    except ValidationError as refused:
        errors |= refused.message_dict
    if errors:
        raise ValidationError(errors)
    return categories


@router.post(
    "/operators",
    response={201: OperatorDetailOut},
    summary="Apply to a Province's albo (an operator) or enter an operator in one's own albo (the SUA)",
)
def create_entry(request, payload: EntryIn):
    """An operator's representative applies to the albo of ``province`` (pending until the SUA decides); the
    SUA's officer enters an operator in its own albo, approved at once. Documents follow with
    ``POST /operators/{id}/documents``."""
    tenancy.require_role(request.user, *SUA_ROLES, *OPERATOR_ROLES)
    company = payload.dict(exclude={"cpv_codes", "soa_categories", "province"})
    categories = checked_entry(company, payload)
    actor = Actor.from_request(request)
    data = services.CompanyData(**company)
    if tenancy.has_role(request.user, *OPERATOR_ROLES):
        created = services.apply_to_register(actor, entry_province(payload), data, categories)
    else:
        created = services.register_operator(actor, data, categories)
    return Status(201, detail(request, created.pk))


class DecisionIn(Schema):
    action: Literal["approve", "reject", "suspend", "reinstate", "remove"]
    reason: str = Field(
        "", max_length=5000, description="Required to reject, suspend and remove: the operator reads it"
    )


@router.post(
    "/operators/{registration_id}/decisions",
    response=OperatorDetailOut,
    summary="Decide on an entry of one's own albo (the SUA)",
)
def decide_entry(request, registration_id: int, payload: DecisionIn):
    entry = get_object_or_404(readable(request), pk=registration_id)
    tenancy.require_role(request.user, *SUA_ROLES)
    sources = services.TRANSITIONS[payload.action][0]
    if entry.state not in sources:
        raise HttpError(
            409,
            _("This entry is %(state)s: the decision is not possible now.")
            % {"state": entry.get_state_display().lower()},
        )
    services.decide(Actor.from_request(request), entry, payload.action, payload.reason)
    return detail(request, entry.pk)


@router.post(
    "/operators/{registration_id}/documents",
    response={201: list[OperatorDocumentOut]},
    summary="Add a document to an entry (multipart: kind, file, issued_on, expires_on; PDF or .p7m)",
)
def add_entry_document(
    request,
    registration_id: int,
    kind: Form[DocumentKind],
    file: File[UploadedFile],
    issued_on: Form[datetime.date | None] = None,
    expires_on: Form[datetime.date | None] = None,
):
    """The operator for its own entry, the SUA for its albo; a DURC, SOA certificate or insurance needs its
    expiry date, from which the reminders are sent."""
    entry = get_object_or_404(readable(request), pk=registration_id)
    try:
        stored = services.add_documents(
            Actor.from_request(request), entry, [services.DocumentUpload(kind, file, issued_on, expires_on)]
        )
    except ValidationError as refused:
        if not hasattr(refused, "error_dict") and refused.code == "state":
            raise HttpError(409, " ".join(refused.messages)) from refused
        raise
    return Status(201, stored)
