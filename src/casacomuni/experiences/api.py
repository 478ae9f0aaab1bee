"""API of the experiences, mounted at /api/v1: the published experiences, read by anybody (no token), with
their results, documents and how many Provinces want to replicate them. Drafts and experiences under review
are never answered (404), whoever asks: the API is the public face of the good practices.
"""

import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.conf import settings
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from casacomuni.experiences.models import Experience, ServiceArea
from casacomuni.lib.bounds import MAX_OFFSET
from casacomuni.lib.problems import PROBLEM_SCHEMA
from casacomuni.lib.search import MAX_LENGTH

router = Router(tags=["experiences"])

# The Italian API guidelines ask every number to state its format (ruleset rules integer-format and
# number-format).
Int64 = Annotated[int, Field(json_schema_extra={"format": "int64"})]
Int32 = Annotated[int, Field(json_schema_extra={"format": "int32"})]
Figure = Annotated[Decimal, Field(json_schema_extra={"format": "decimal"}, description="Two decimals")]


class ExperiencesPageInput(LimitOffsetPagination.Input):
    limit: Int32 = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT)
    offset: Int32 = Field(0, ge=0, le=MAX_OFFSET)


class ExperiencesPageOutput(LimitOffsetPagination.Output):
    items: list[Any]
    count: Int32


class ExperiencesPage(LimitOffsetPagination):
    """The platform's limit/offset pagination (casacomuni.api.pagination, same bounds), with its integers'
    formats stated. The schemas have names of their own: the contract gives no two schemas one name."""

    Input = ExperiencesPageInput
    Output = ExperiencesPageOutput


def problems(*statuses: int) -> dict:
    """The operation's error answers as problem+json (there is no 401 nor 403: the operations are public)."""
    descriptions = {400: "Invalid parameters", 404: "No published experience with this id"}
    return {
        "responses": {
            status: {
                "description": descriptions[status],
                "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}},
            }
            for status in statuses
        }
    }


class ExperienceResultOut(Schema):
    indicator: str
    value: Figure
    unit: str


class ExperienceDocumentOut(Schema):
    title: str
    file_name: str = Field(alias="original_name")
    size: Int64 = Field(description="Bytes")
    url: str

    @staticmethod
    def resolve_url(obj, context):
        path = reverse("experiences:document", args=[obj.experience_id, obj.pk])
        return context["request"].build_absolute_uri(path)


class ExperienceOut(Schema):
    id: Int64
    title: str
    province: str = Field(description="Abbreviation (sigla) of the Province")
    region: str
    area: ServiceArea
    start_year: Int32
    comuni_count: Int32 = Field(description="Comuni involved")
    replications: Int32 = Field(description="Provinces that said they want to replicate it")
    published_at: datetime.datetime | None
    page_url: str

    @staticmethod
    def resolve_province(obj):
        return obj.province.province.sigla

    @staticmethod
    def resolve_region(obj):
        return obj.province.province.region.name

    @staticmethod
    def resolve_replications(obj):
        return obj.replications_count

    @staticmethod
    def resolve_page_url(obj, context):
        return context["request"].build_absolute_uri(reverse("experiences:detail", args=[obj.pk]))


class ExperienceDetailOut(ExperienceOut):
    problem: str
    solution: str
    organisation: str
    staff: Int32 | None
    cost_amount: Figure | None = Field(description="Euro")
    cost_notes: str
    contact_name: str
    contact_role: str
    contact_email: str
    results: list[ExperienceResultOut]
    documents: list[ExperienceDocumentOut]

    @staticmethod
    def resolve_results(obj):
        return list(obj.results.all())

    @staticmethod
    def resolve_documents(obj):
        return list(obj.documents.all())


class ExperienceFilters(Schema):
    q: str = Field("", max_length=MAX_LENGTH, description="Words to find (Italian full-text search)")
    area: ServiceArea | None = None
    region: str = Field("", max_length=2, description="ISTAT code of the region")
    province: str = Field("", max_length=2, description="Abbreviation (sigla) of the Province, any case")


EXPERIENCE_ID = Path(..., description="A published experience's id")


def published():
    return (
        Experience.objects.published()
        .select_related("province__province__region")
        .annotate(replications_count=Count("replications"))
    )


@router.get(
    "/experiences",
    response=list[ExperienceOut],
    auth=None,
    summary="The published experiences",
    openapi_extra=problems(400),
)
@paginate(ExperiencesPage)
def list_experiences(request, filters: Query[ExperienceFilters]):
    """The Provinces' experiences UPI published, newest first, searched by text, service area, region or
    Province."""
    experiences = published().search(filters.q)
    if filters.area:
        experiences = experiences.filter(area=filters.area)
    if filters.region.strip():
        experiences = experiences.in_region(filters.region.strip())
    if filters.province.strip():
        experiences = experiences.of_province(filters.province.strip().upper())
    return experiences.order_by("-published_at", "-pk")


@router.get(
    "/experiences/{experience_id}",
    response=ExperienceDetailOut,
    auth=None,
    summary="A published experience, with its results and documents",
    openapi_extra=problems(404),
)
def get_experience(request, experience_id: Int64 = EXPERIENCE_ID):
    """The whole description: problem, solution, organisation, costs, results with their figures, documents
    and the office to contact."""
    return get_object_or_404(published().prefetch_related("results", "documents"), pk=experience_id)
