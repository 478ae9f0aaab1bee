"""What the dashboard shows to the organisation a user acts for, read through the tenancy policy.

Every figure is one aggregate query whatever the number of organisations, so the page costs the same
for a Province with ten Comuni and for UPI with the whole country.
"""

from functools import cache
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.db.models import Count, Q, Sum

from casacomuni.accounts.models import Membership, Organization
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.territory.models import Municipality, Province


def summary(user, membership) -> dict:
    """The dashboard's context for ``user`` acting through ``membership`` (None: no organisation)."""
    if membership is None:
        return {"organization": None}
    org = membership.organization
    context = {"organization": org, "membership": membership, "territory": territory_label(org)}
    if org.kind == OrganizationKind.UPI:
        context.update(national_figures(user))
    elif org.kind == OrganizationKind.PROVINCE:
        context.update(province_figures(user, org))
    elif org.kind == OrganizationKind.MUNICIPALITY:
        context["municipality"] = org.municipality
        context["colleagues"] = colleagues(org)
    elif org.kind == OrganizationKind.UNION:
        context["union_members"] = union_members(org)
        context["colleagues"] = colleagues(org)
    else:
        context["colleagues"] = colleagues(org)
    context["cards"] = contributed_cards(user, membership)
    return context


@cache
def card_providers() -> tuple:
    """The functions with which apps add cards: the ``CARDS`` list of each installed app's ``cards`` module.

    Each is called as ``provider(user, membership)`` and returns None (nothing to show to this role) or a
    dict naming its ``template``, which the dashboard includes with the dict as ``card``. A provider must
    cost a fixed number of queries, as the rest of the dashboard does.
    """
    providers = []
    for config in apps.get_app_configs():
        name = f"{config.name}.cards"
        if find_spec(name) is not None:
            providers.extend(import_module(name).CARDS)
    return tuple(providers)


def contributed_cards(user, membership) -> list[dict]:
    return [card for provider in card_providers() if (card := provider(user, membership)) is not None]


def territory_label(org) -> str:
    if org.province is None:
        return ""
    return f"{org.province.name} ({org.province.sigla}), {org.province.region.name}"


def province_figures(user, org) -> dict:
    """The comuni of the Province's territory, how many are on the platform, and who works on it."""
    visible = Organization.objects.for_user(user).active()
    # A comune is on the platform when it has its own organisation or belongs to a registered Unione.
    union_links = Organization.member_municipalities.through.objects.filter(
        organization__in=visible.filter(kind=OrganizationKind.UNION)
    )
    on_platform = Q(pk__in=visible.filter(kind=OrganizationKind.MUNICIPALITY).values("municipality")) | Q(
        pk__in=union_links.values("municipality")
    )
    territory = Municipality.objects.current().filter(province_id=org.province_id)
    figures = territory.aggregate(
        comuni=Count("pk"),
        inhabitants=Sum("population"),
        comuni_covered=Count("pk", filter=on_platform),
        inhabitants_covered=Sum("population", filter=on_platform),
    )
    return {
        "figures": figures,
        "organizations_by_kind": organizations_by_kind(visible.exclude(pk=org.pk)),
        **people(visible),
    }


def national_figures(user) -> dict:
    """For UPI: how many of the 76 Provinces use the platform, and the organisations and people on it."""
    visible = Organization.objects.for_user(user).active()
    provinces = Province.objects.ordinary_statute().aggregate(
        total=Count("pk", distinct=True),
        joined=Count(
            "pk",
            distinct=True,
            filter=Q(organizations__kind=OrganizationKind.PROVINCE, organizations__is_active=True),
        ),
    )
    return {
        "provinces": provinces,
        "organizations_by_kind": organizations_by_kind(visible.exclude(kind=OrganizationKind.UPI)),
        **people(visible),
    }


def organizations_by_kind(organizations) -> list[dict]:
    rows = organizations.order_by().values("kind").annotate(count=Count("pk"))
    counts = {row["kind"]: row["count"] for row in rows}
    return [
        {"label": kind.label, "count": counts[kind.value]}
        for kind in OrganizationKind
        if kind.value in counts
    ]


def people(organizations) -> dict:
    """Active memberships of ``organizations`` by role, and how many distinct people hold them."""
    memberships = Membership.objects.active().filter(organization__in=organizations)
    rows = memberships.order_by().values("role").annotate(count=Count("pk"))
    counts = {row["role"]: row["count"] for row in rows}
    by_role = [{"label": role.label, "count": counts[role.value]} for role in Role if role.value in counts]
    return {"members_by_role": by_role, "people": memberships.values("user").distinct().count()}


def colleagues(org):
    """The people acting for the same organisation: a member may know who else works for it."""
    return (
        Membership.objects.active()
        .filter(organization=org)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username", "role")
    )


def union_members(org) -> dict:
    members = org.member_municipalities.current().select_related("province").order_by("name")
    return {"municipalities": members, **members.aggregate(count=Count("pk"), inhabitants=Sum("population"))}
