"""Reads of the indicators: who may see which comuni and Provinces, the years with data, the values."""

from casacomuni.accounts import tenancy
from casacomuni.accounts.roles import LOCAL_ROLES, PROVINCE_ROLES, OrganizationKind, Role
from casacomuni.indicators.models import Aggregate, Indicator, Observation, visible_municipalities_filter
from casacomuni.territory.models import Municipality, Province

# Who may read indicators at all: UPI, every role of a Province, the Comuni's and Unioni's people.
READER_ROLES = (Role.UPI_ADMIN, *PROVINCE_ROLES, *LOCAL_ROLES)


def visible_municipalities(user):
    """The current and former comuni whose values the acting organisation may read."""
    condition = visible_municipalities_filter(user)
    return Municipality.objects.none() if condition is None else Municipality.objects.filter(condition)


def visible_provinces(user):
    """Provinces whose comuni-by-comuni dashboard the user may open: UPI all, a Province its own."""
    org = tenancy.acting_organization(user)
    if org is None or not tenancy.has_role(user, Role.UPI_ADMIN, *PROVINCE_ROLES):
        return Province.objects.none()
    if org.kind == OrganizationKind.UPI:
        return Province.objects.all()
    if org.kind == OrganizationKind.PROVINCE:
        return Province.objects.filter(pk=org.province_id)
    return Province.objects.none()


def indicators():
    return list(Indicator.objects.active())


def years_with_data() -> list[int]:
    """Years with at least one computed value, newest first (one query on the small aggregates table)."""
    return sorted(set(Aggregate.objects.national().all_sizes().values_list("year", flat=True)), reverse=True)


def province_values(province, indicator, year: int):
    """The observations of the Province's comuni, with their comune, for one indicator and year."""
    return (
        Observation.objects.filter(indicator=indicator, province=province, year=year)
        .select_related("municipality")
        .order_by("municipality__name")
    )


def trend(indicator, province=None, size_class: str = ""):
    """The group's aggregates of every year, oldest first: a Province (or Italy when None), a class of
    size (or all comuni when empty)."""
    queryset = Aggregate.objects.filter(indicator=indicator, size_class=size_class)
    queryset = queryset.filter(province=province) if province else queryset.national()
    return list(queryset.order_by("year"))
