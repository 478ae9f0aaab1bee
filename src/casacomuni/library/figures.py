"""The figures of the model library: where a model is used, and UPI's measure of the transfer of models (adoptions
and uses per national model and per Province). Each is a fixed number of queries, whatever the data."""

from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.library.models import LibraryModel, ModelUse


@dataclass
class WhereUsed:
    """The copies of a model (each with ``up_to_date``), and how many times it and its copies were used."""

    copies: list[LibraryModel]
    uses: int

    @property
    def adoptions(self) -> int:
        return len(self.copies)


def uses_of(model: LibraryModel) -> Q:
    """The uses of ``model``'s versions and of its copies' versions."""
    return Q(version__model=model) | Q(version__model__origin_version__model=model)


def where_used(model: LibraryModel) -> WhereUsed:
    copies = list(
        LibraryModel.objects.copies_of(model)
        .select_related("owner", "origin_version")
        .order_by("owner__name")
    )
    current = model.current_version.number if model.current_version else None
    for copy in copies:
        copy.up_to_date = copy.origin_version is not None and copy.origin_version.number == current
    return WhereUsed(copies, ModelUse.objects.filter(uses_of(model)).count())


def _count(queryset, group: str) -> Coalesce:
    """``queryset`` (filtered on OuterRef) counted as a subquery, 0 when empty."""
    counted = queryset.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def transfer_by_model(upi: Organization):
    """UPI's published models with their adoptions, the copies behind the current version and the uses."""
    copies = LibraryModel.objects.filter(origin_version__model=OuterRef("pk"))
    return (
        LibraryModel.objects.filter(owner=upi, current_version__isnull=False)
        .select_related("current_version")
        .annotate(
            adoptions=_count(copies, "origin_version__model"),
            behind=_count(
                copies.filter(origin_version__number__lt=OuterRef("current_version__number")),
                "origin_version__model",
            ),
            uses=_count(ModelUse.objects.filter(version__model=OuterRef("pk")), "version__model")
            + _count(
                ModelUse.objects.filter(version__model__origin_version__model=OuterRef("pk")),
                "version__model__origin_version__model",
            ),
        )
        .order_by("-adoptions", "title", "pk")
    )


def transfer_by_province():
    """Every Province on the platform with its adoptions, its copies behind upstream, its own models and its uses."""
    models = LibraryModel.objects.filter(owner=OuterRef("pk"))
    copies = models.filter(origin_version__isnull=False)
    return (
        Organization.objects.filter(kind=OrganizationKind.PROVINCE, is_active=True)
        .annotate(
            adoptions=_count(copies, "owner"),
            behind=_count(
                copies.filter(origin_version__number__lt=F("origin_version__model__current_version__number")),
                "owner",
            ),
            own_models=_count(
                models.filter(origin_version__isnull=True, current_version__isnull=False), "owner"
            ),
            uses=_count(ModelUse.objects.filter(province=OuterRef("pk")), "province"),
        )
        .order_by("-adoptions", "name", "pk")
    )
