"""API operations on the caller, organisations and memberships (always scoped by tenancy)."""

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from casacomuni.accounts.models import Membership, Organization

router = Router(tags=["accounts"])


class OrganizationBriefOut(Schema):
    """An organisation as the other pillars name it: the requesting Comune, a project's beneficiary..."""

    id: int
    name: str
    istat_code: str | None = Field(description="ISTAT code, for a Comune")

    @staticmethod
    def resolve_istat_code(obj):
        return obj.municipality.istat_code if obj.municipality_id else None


class OrganizationOut(Schema):
    id: int
    kind: str
    name: str
    fiscal_code: str
    ipa_code: str
    province: str | None
    municipality: str | None

    @staticmethod
    def resolve_province(obj):
        return obj.province.sigla if obj.province_id else None

    @staticmethod
    def resolve_municipality(obj):
        return obj.municipality.istat_code if obj.municipality_id else None


class MembershipOut(Schema):
    id: int
    username: str
    organization: OrganizationOut
    role: str
    is_active: bool

    @staticmethod
    def resolve_username(obj):
        return obj.user.username


class MeOut(Schema):
    username: str
    full_name: str
    acting_as: MembershipOut
    memberships: list[MembershipOut]


def organizations_for(request):
    return Organization.objects.for_user(request.user).select_related("province", "municipality")


@router.get("/me", response=MeOut, summary="The caller and the membership it acts through")
def me(request):
    memberships = (
        Membership.objects.filter(user=request.user)
        .active()
        .select_related("user", "organization__province", "organization__municipality")
    )
    return {
        "username": request.user.username,
        "full_name": request.user.get_full_name(),
        "acting_as": request.membership,
        "memberships": list(memberships),
    }


@router.get("/organizations", response=list[OrganizationOut], summary="Organisations visible to the caller")
@paginate
def list_organizations(request, kind: str | None = None):
    queryset = organizations_for(request).order_by("name", "pk")
    return queryset.filter(kind=kind) if kind else queryset


@router.get("/organizations/{organization_id}", response=OrganizationOut, summary="One organisation")
def get_organization(request, organization_id: int):
    return get_object_or_404(organizations_for(request), pk=organization_id)


@router.get("/memberships", response=list[MembershipOut], summary="Memberships the caller may see")
@paginate
def list_memberships(request):
    return (
        Membership.objects.for_user(request.user)
        .select_related("user", "organization__province", "organization__municipality")
        .order_by("organization__name", "pk")
    )
