"""The cross-tenant matrix: every URL and every API operation, every role, another tenant's objects.

Each URL pattern and API operation of the platform must be classified below; an unclassified one fails
``test_every_url_is_classified`` / ``test_every_api_operation_is_classified``, so each new view joins the
matrix when it is written. For every persona (one per role, see casacomuni.accounts.testing) the matrix
asks for the objects of another tenant — the other province, a sibling comune, another operator — and
accepts only 403 or 404; list pages and list operations must not show another tenant's rows.
"""

from collections.abc import Callable

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from casacomuni.accounts.testing import PERSONAS, World
from casacomuni.api.core import api

# Pages anyone may open: reference data, public information, authentication.
PUBLIC_URLS = {
    "web:accessibility",
    "web:legal",
    "web:privacy",
    "accounts:login",
    "accounts:logout",
    "accounts:password_reset_confirm",
    "territory:regions",
    "territory:region",
    "territory:province",
    "territory:municipality",
    "territory:search",
    "territory:province_boundary",
    "territory:province_municipalities_boundary",
    "api:openapi-json",
    "api:openapi-view",
}
# Pages about the logged-in user or the organisation it acts for only: no other tenant's id can be put in
# their URL (forms that create rows check the target's scope in the service: see accounts/tests).
OWN_URLS = {
    "web:dashboard",
    "accounts:otp",
    "accounts:switch",
    "accounts:profile",
    "accounts:password_change",
    "accounts:union_create",
}


def foreign_organizations(world: World, persona: str):
    """Organisations of other tenants for this persona (UPI may see every organisation by design)."""
    if persona == "dirigente_upi":
        return []
    others = [
        world.elsewhere.province_org,
        world.elsewhere.comune,
        world.elsewhere.union,
        world.other_operator,
    ]
    if PERSONAS[persona][0] in {"home.comune", "home.union", "operator"}:
        others += [world.home.sibling_comune, world.home.province_org]
    return others


def foreign_memberships(world, persona):
    from casacomuni.accounts.models import Membership

    return list(Membership.objects.filter(organization__in=foreign_organizations(world, persona)))


def foreign_tokens(world, persona):
    from casacomuni.accounts.models import ApiToken

    return list(ApiToken.objects.exclude(membership__user=world.personas[persona]))


def foreign_audit_events(world, persona):
    from casacomuni.audit.models import AuditEvent

    return list(AuditEvent.objects.filter(organization__in=foreign_organizations(world, persona)))


# Pages that show one object: the kwargs of every object of another tenant.
OBJECT_URLS: dict[str, Callable] = {
    "accounts:union_edit": lambda w, p: (
        [{"pk": o.pk} for o in foreign_organizations(w, p) if o.kind == "union"]
        + ([{"pk": w.home.union.pk}] if p != "amministratore_provincia" else [])
    ),
    "accounts:deactivate_member": lambda w, p: [{"pk": m.pk} for m in foreign_memberships(w, p)],
    "accounts:revoke_token": lambda w, p: [{"pk": t.pk} for t in foreign_tokens(w, p)],
    "audit:event": lambda w, p: [{"pk": e.pk} for e in foreign_audit_events(w, p)],
}
# List pages: no row of another tenant may appear (checked by the other tenants' names).
LIST_URLS = {
    "accounts:members",
    "accounts:organizations",
    "accounts:unions",
    "accounts:province_admins",
    "audit:events",
}

# API operations ("METHOD /path" as in the OpenAPI document).
PUBLIC_OPERATIONS = {
    "GET /api/v1/status",
    "GET /api/v1/territory/regions",
    "GET /api/v1/territory/provinces",
    "GET /api/v1/territory/provinces/{sigla}",
    "GET /api/v1/territory/provinces/{sigla}/boundary",
    "GET /api/v1/territory/municipalities",
    "GET /api/v1/territory/municipalities/{istat_code}",
}
OWN_OPERATIONS = {"GET /api/v1/me"}
OBJECT_OPERATIONS: dict[str, Callable] = {
    "GET /api/v1/organizations/{organization_id}": lambda w, p: [
        {"organization_id": o.pk} for o in foreign_organizations(w, p)
    ],
}
LIST_OPERATIONS = {"GET /api/v1/organizations", "GET /api/v1/memberships", "GET /api/v1/audit/events"}


def url_names(resolver: URLResolver | None = None, namespace: str = "") -> dict[str, str]:
    """Every named URL pattern as ``namespace:name`` -> route."""
    names = {}
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names.update(url_names(pattern, inner))
        elif isinstance(pattern, URLPattern) and pattern.name:
            names[f"{namespace}{pattern.name}"] = str(pattern.pattern)
    return names


def api_operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, methods in schema["paths"].items() for method in methods}


def test_every_url_is_classified():
    classified = PUBLIC_URLS | OWN_URLS | set(OBJECT_URLS) | LIST_URLS
    # The API's own URL patterns are covered operation by operation below.
    unclassified = {name for name in url_names() if name not in classified and not name.startswith("api:")}
    assert not unclassified, f"Classify these URLs in tests/test_cross_tenant.py: {sorted(unclassified)}"


def test_every_api_operation_is_classified():
    classified = PUBLIC_OPERATIONS | OWN_OPERATIONS | set(OBJECT_OPERATIONS) | LIST_OPERATIONS
    unclassified = api_operations() - classified
    assert not unclassified, (
        f"Classify these API operations in tests/test_cross_tenant.py: {sorted(unclassified)}"
    )


@pytest.fixture
def tenant_world(world):
    """The world with a token and an audit trail on each side, so that every kind of object exists twice."""
    from django.db import transaction

    from casacomuni.accounts.actor import Actor
    from casacomuni.accounts.services import create_api_token
    from casacomuni.audit.services import record_event

    for name, membership in world.memberships.items():
        create_api_token(Actor(user=world.personas[name], membership=membership), membership, f"token {name}")
    for side in (world.home, world.elsewhere):
        for organization in (side.province_org, side.comune, side.sibling_comune, side.union):
            with transaction.atomic():
                record_event(Actor.system("test"), "test.event", organization, {}, organization=organization)
    return world


def login(client, world, persona):
    client.force_login(world.personas[persona])
    session = client.session
    session["casacomuni_membership_id"] = world.memberships[persona].pk
    session.save()


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_object_pages_of_other_tenants_are_unreachable(client, tenant_world, persona):
    login(client, tenant_world, persona)
    for name, foreign in OBJECT_URLS.items():
        for kwargs in foreign(tenant_world, persona):
            url = reverse(name, kwargs=kwargs)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code in (403, 404, 405), (
                    f"{persona} {method.upper()} {url}: {response.status_code}"
                )


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_list_pages_show_no_other_tenant(client, tenant_world, persona):
    login(client, tenant_world, persona)
    foreign_names = [o.name for o in foreign_organizations(tenant_world, persona)]
    for name in LIST_URLS:
        response = client.get(reverse(name))
        assert response.status_code in (200, 403), f"{persona} {name}: {response.status_code}"
        content = response.content.decode()
        leaked = [foreign for foreign in foreign_names if foreign in content]
        assert not leaked, f"{persona} sees {leaked} on {name}"


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_api_objects_of_other_tenants_are_unreachable(client, tenant_world, persona):
    login(client, tenant_world, persona)
    for operation, foreign in OBJECT_OPERATIONS.items():
        method, path = operation.split(" ", 1)
        for kwargs in foreign(tenant_world, persona):
            response = client.generic(method, path.format(**kwargs))
            assert response.status_code in (403, 404), (
                f"{persona} {method} {path} {kwargs}: {response.status_code}"
            )
            assert response["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_api_lists_show_no_other_tenant(client, tenant_world, persona):
    login(client, tenant_world, persona)
    foreign_names = [o.name for o in foreign_organizations(tenant_world, persona)]
    for operation in LIST_OPERATIONS:
        method, path = operation.split(" ", 1)
        response = client.generic(method, f"{path}?limit=500")
        assert response.status_code in (200, 403), f"{persona} {operation}: {response.status_code}"
        leaked = [foreign for foreign in foreign_names if foreign in response.content.decode()]
        assert not leaked, f"{persona} sees {leaked} through {operation}"


def test_anonymous_requests_to_private_pages_go_to_login(client, tenant_world):
    for name in OWN_URLS - {"accounts:switch"} | LIST_URLS:
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"], name


def test_anonymous_api_calls_are_refused(client, tenant_world):
    for operation in OWN_OPERATIONS | LIST_OPERATIONS:
        method, path = operation.split(" ", 1)
        response = client.generic(method, path)
        assert response.status_code == 401, operation
