"""API of the open-data catalogues.

Public (no token): the published datasets, optionally of one Province (``province=SIGLA``), and one
published dataset. For a Province's administrator and data officers: create a dataset from a data
source (and publish it at once), and regenerate one of their datasets now. Errors: 400 invalid data or a
file refused by the privacy guard, 403 another role, 404 a dataset of another Province or not published.
"""

import datetime

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.roles import DATA_OFFICE_ROLES
from casacomuni.opendata import services
from casacomuni.opendata.models import Dataset, Distribution, FileFormat, Frequency, Licence, Theme
from casacomuni.opendata.rules import dcatapit

router = Router(tags=["open data"])


def absolute(request, name: str, **kwargs) -> str:
    return request.build_absolute_uri(reverse(f"opendata:{name}", kwargs=kwargs))


class DistributionOut(Schema):
    format: FileFormat = Field(description="EU file-type code")
    format_uri: str
    download_url: str
    byte_size: int
    sha256: str
    row_count: int
    generated_at: datetime.datetime

    @staticmethod
    def resolve_format_uri(obj):
        return dcatapit.file_type_uri(obj.format)

    @staticmethod
    def resolve_download_url(obj, context):
        dataset = obj.dataset
        return absolute(
            context["request"],
            "download",
            sigla=dataset.province.province.sigla,
            slug=dataset.slug,
            extension=obj.extension,
        )


class DatasetOut(Schema):
    id: int
    province: str = Field(description="Abbreviation (sigla) of the Province")
    identifier: str | None = Field(
        description="codiceIPA:ID (DCAT-AP_IT); null until the catalogue has an IPA code"
    )
    slug: str
    title: str
    description: str
    theme: Theme = Field(description="EU data-theme code")
    theme_uri: str
    accrual_periodicity: Frequency = Field(description="EU frequency code")
    accrual_periodicity_uri: str
    keywords: list[str]
    license: Licence
    generator: str
    published: bool
    issued: datetime.datetime | None
    modified: datetime.datetime | None = Field(description="Last change of the content")
    last_error: str
    page_url: str | None = Field(description="Public page; null while not published")
    distributions: list[DistributionOut]

    @staticmethod
    def resolve_province(obj):
        return obj.province.province.sigla

    @staticmethod
    def resolve_identifier(obj):
        catalog = getattr(obj.province, "opendata_catalog", None)
        return obj.identifier(catalog.ipa_code) if catalog else None

    @staticmethod
    def resolve_theme_uri(obj):
        return dcatapit.theme_uri(obj.theme)

    @staticmethod
    def resolve_accrual_periodicity_uri(obj):
        return dcatapit.frequency_uri(obj.accrual_periodicity)

    @staticmethod
    def resolve_page_url(obj, context):
        if not obj.published:
            return None
        return absolute(context["request"], "dataset_page", sigla=obj.province.province.sigla, slug=obj.slug)

    @staticmethod
    def resolve_distributions(obj):
        return list(obj.distributions.all())


class DatasetFilters(Schema):
    province: str = Field("", max_length=2, description="Abbreviation (sigla) of the Province, any case")


def with_details(queryset):
    distributions = Distribution.objects.select_related("dataset__province__province").order_by("format")
    return queryset.select_related("province__province", "province__opendata_catalog").prefetch_related(
        Prefetch("distributions", queryset=distributions)
    )


@router.get("/datasets", response=list[DatasetOut], auth=None, summary="Published open datasets")
@paginate
def list_datasets(request, filters: Query[DatasetFilters]):
    queryset = Dataset.objects.published()
    if filters.province.strip():
        queryset = queryset.of_sigla(filters.province.strip())
    return with_details(queryset).order_by("province__province__sigla", "title", "pk")


@router.get("/datasets/{dataset_id}", response=DatasetOut, auth=None, summary="One published open dataset")
def get_dataset(request, dataset_id: int):
    return get_object_or_404(with_details(Dataset.objects.published()), pk=dataset_id)


class DatasetIn(Schema):
    generator: str = Field(max_length=40, description="Code of the data source (see the officers' page)")
    slug: str | None = Field(None, max_length=80, description="Identifier; the generator's code by default")
    title: str | None = Field(None, max_length=200, description="The generator's title by default")
    description: str | None = None
    theme: Theme | None = None
    accrual_periodicity: Frequency | None = None
    keywords: list[str] | None = None
    license: Licence | None = Field(None, description="CC BY 4.0 by default")
    publish: bool = Field(False, description="Publish at once (the Province's catalogue needs an IPA code)")


@router.post("/datasets", response={201: DatasetOut}, summary="Create an open dataset from a data source")
def create_dataset(request, payload: DatasetIn):
    """The Province's administrator and data officers only; the files are generated at once and refused
    (400) if they would publish personal data."""
    tenancy.require_role(request.user, *DATA_OFFICE_ROLES)
    created = services.create_dataset(Actor.from_request(request), services.NewDatasetData(**payload.dict()))
    return Status(201, with_details(Dataset.objects.for_user(request.user)).get(pk=created.pk))


@router.post(
    "/datasets/{dataset_id}/regenerate", response=DatasetOut, summary="Regenerate a dataset's files now"
)
def regenerate_dataset(request, dataset_id: int):
    """``modified`` moves only if the content changed."""
    tenancy.require_role(request.user, *DATA_OFFICE_ROLES)
    dataset = get_object_or_404(Dataset.objects.for_user(request.user), pk=dataset_id)
    services.regenerate_dataset(Actor.from_request(request), dataset)
    return with_details(Dataset.objects.for_user(request.user)).get(pk=dataset.pk)
