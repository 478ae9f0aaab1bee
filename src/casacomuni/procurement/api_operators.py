"""API of the operators' register: the entries the caller may read (see register_models for who sees what).

Documents and decisions are listed only to the SUA keeping the albo and to the operator itself; for a
Comune they are null. Errors as problem+json: 403 a role that reads no albo, 404 an entry of another tenant.
"""

import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from casacomuni.accounts import tenancy
from casacomuni.procurement.register_models import (
    OPERATOR_ROLES,
    REGISTER_KEEPER_ROLES,
    REGISTER_READER_ROLES,
    CategoryKind,
    DocumentKind,
    OperatorDocument,
    RegisteredOperator,
    RegistrationState,
)

router = Router(tags=["operators' register"])


class PartyOut(Schema):
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
    operator: PartyOut
    province: PartyOut = Field(description="The Province whose SUA keeps the albo")
    state: RegistrationState
    categories: list[CategoryOut]
    applied_at: datetime.datetime
    approved_at: datetime.datetime | None
    has_valid_durc: bool = Field(description="A DURC in force today")

    @staticmethod
    def resolve_categories(obj):
        return list(obj.categories.all())


class DocumentOut(Schema):
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
    documents: list[DocumentOut] | None = Field(description="Null for a Comune")
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
    tenancy.require_role(request.user, *REGISTER_KEEPER_ROLES, *OPERATOR_ROLES, *REGISTER_READER_ROLES)
    return (
        RegisteredOperator.objects.for_user(request.user)
        .select_related("operator", "province")
        .prefetch_related("categories")
        .with_document_flags()
    )


@router.get("/operators", response=list[OperatorOut], summary="Entries of the operators' register")
@paginate(LimitOffsetPagination)
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
