"""The cross-tenant matrix: every URL and every API operation, every role, another tenant's objects.

Each URL pattern and API operation of the platform must be classified below; an unclassified one fails
``test_every_url_is_classified`` / ``test_every_api_operation_is_classified``, so each new view joins the
matrix when it is written. For every persona (one per role, see casacomuni.accounts.testing) the matrix
asks for the objects of another tenant — the other province, a sibling comune, another operator — and
accepts only 403 or 404; list pages and list operations must not show another tenant's rows.
"""

import json
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from casacomuni.accounts.roles import Role
from casacomuni.accounts.testing import PERSONAS, World
from casacomuni.agreements.services import TRANSITION_ROLES
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
    "territory:provinces_boundary",
    "procurement:anomaly_calculator",
    "procurement:route_calculator",
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
    # The form of a new request: the Comune writes only for itself (the service checks its adhesion).
    "procurement:request_create",
    # The operator applies for itself; the SUA registers an operator in its own albo.
    "procurement:register_apply",
    "procurement:register_create",
    "documents:default_template",
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
        home = world.home
        own = own_organization(world, persona)
        others += [o for o in (home.comune, home.sibling_comune, home.union, home.province_org) if o != own]
    return others


def own_organization(world: World, persona: str):
    return world.memberships[persona].organization


def foreign_names(world: World, persona: str, listing: str) -> list[str]:
    """What must not appear on a list: other tenants' organisations, agreements, services and templates.

    On the lists in COUNTERPARTY_LISTS a Comune's own Province is the other party of its agreements, so its
    name is shown there by design."""
    organizations = foreign_organizations(world, persona)
    if listing in COUNTERPARTY_LISTS:
        province = world.home.province_org
        organizations = [o for o in organizations if o != province]
    names = [o.name for o in organizations]
    names += [a.title for a in foreign_agreements(world, persona)]
    names += [s.name for s in foreign_catalogue(world, persona)]
    names += [t.original_name for t in foreign_templates(world, persona)]
    names += [r.title for r in foreign_requests(world, persona)]
    names += [r.title for r in foreign_market_releases(world, persona)]
    if persona != "dirigente_upi":  # UPI lists every organisation by design; it reads no albo (403 above)
        names += [r.operator.name for r in foreign_registrations(world, persona)]
    names += [d.original_name for d in foreign_operator_documents(world, persona)]
    return names


def foreign_memberships(world, persona):
    from casacomuni.accounts.models import Membership

    return list(Membership.objects.filter(organization__in=foreign_organizations(world, persona)))


def foreign_tokens(world, persona):
    from casacomuni.accounts.models import ApiToken

    return list(ApiToken.objects.exclude(membership__user=world.personas[persona]))


def foreign_audit_events(world, persona):
    """Events of other tenants' chains; for UPI, the chains of the Comuni and Unioni (UPI reads only its own,
    the Provinces' and the platform's)."""
    from casacomuni.audit.models import AuditEvent

    if persona == "dirigente_upi":
        return list(AuditEvent.objects.filter(organization__kind__in=["municipality", "union"]))
    return list(AuditEvent.objects.filter(organization__in=foreign_organizations(world, persona)))


def foreign_agreements(world, persona):
    """Agreements to which the persona's organisation is not a party: UPI sees aggregates only."""
    from django.db.models import Q

    from casacomuni.agreements.models import Agreement

    own = own_organization(world, persona)
    return list(Agreement.objects.exclude(Q(province=own) | Q(municipality=own)))


def foreign_catalogue(world, persona):
    """Services of another Province's catalogue (UPI sees every catalogue by design)."""
    from casacomuni.agreements.models import Service

    if persona == "dirigente_upi":
        return []
    return list(Service.objects.exclude(province__province_id=own_organization(world, persona).province_id))


def services_not_editable(world, persona):
    """Only the Province's administrator edits its catalogue: every service, for anyone else."""
    from casacomuni.agreements.models import Service

    if persona == "amministratore_provincia":
        return list(Service.objects.exclude(province=own_organization(world, persona)))
    return list(Service.objects.all())


def services_not_joinable(world, persona):
    """A Comune's (Unione's) referent asks to join its own Province's services only."""
    from casacomuni.agreements.models import Service

    if PERSONAS[persona][1] != Role.MUNICIPALITY_REFERENT:
        return list(Service.objects.all())
    return foreign_catalogue(world, persona)


def join_requests_not_answerable(world, persona):
    from casacomuni.agreements.models import JoinRequest

    if persona == "amministratore_provincia":
        return list(JoinRequest.objects.exclude(service__province=own_organization(world, persona)))
    return list(JoinRequest.objects.all())


def foreign_templates(world, persona):
    """Document templates are the Province administrator's own: every other persona reaches none."""
    from casacomuni.documents.models import DocumentTemplate

    if persona == "amministratore_provincia":
        return list(DocumentTemplate.objects.exclude(owner=own_organization(world, persona)))
    return list(DocumentTemplate.objects.all())


def foreign_requests(world, persona):
    """Procurement requests the persona may not read: a Comune reads its own, the Province's administrator and
    SUA officers those addressed to their SUA; nobody else reads any."""
    from casacomuni.procurement.models import ProcurementRequest

    own = own_organization(world, persona)
    if persona in ("amministratore_provincia", "funzionario_sua"):
        return list(ProcurementRequest.objects.exclude(province=own))
    if PERSONAS[persona][0] in {"home.comune", "home.union"}:
        return list(ProcurementRequest.objects.exclude(municipality=own))
    return list(ProcurementRequest.objects.all())


def foreign_registrations(world, persona):
    """Entries of the operators' register the persona may not read: the SUA reads its own albo, an operator its
    own entries, a Comune (Unione) the approved entries of its Province's albo."""
    from casacomuni.procurement.register_models import RegisteredOperator

    own = own_organization(world, persona)
    if persona in ("amministratore_provincia", "funzionario_sua"):
        return list(RegisteredOperator.objects.exclude(province=own))
    if own.kind == "operator":
        return list(RegisteredOperator.objects.exclude(operator=own))
    if own.kind in ("municipality", "union"):
        return list(
            RegisteredOperator.objects.exclude(state="approved", province__province_id=own.province_id)
        )
    return list(RegisteredOperator.objects.all())


def foreign_operator_documents(world, persona):
    """Documents of the register: only the SUA of the albo and the operator itself read them."""
    from casacomuni.procurement.register_models import OperatorDocument

    own = own_organization(world, persona)
    if persona in ("amministratore_provincia", "funzionario_sua"):
        return list(OperatorDocument.objects.exclude(registration__province=own))
    return list(OperatorDocument.objects.exclude(registration__operator=own))


def foreign_market_releases(world, persona):
    """ANAC releases of other tenants: a Province reads those of its territory's comuni, a Comune its own."""
    from casacomuni.procurement.market_models import MarketRelease

    own = own_organization(world, persona)
    if own.kind == "province":
        return list(MarketRelease.objects.exclude(organization__province_id=own.province_id))
    if own.kind in ("municipality", "union"):
        return list(MarketRelease.objects.exclude(organization=own))
    return list(MarketRelease.objects.all())


def agreement_urls(world, persona, **extra):
    return [{"pk": a.pk, **extra} for a in foreign_agreements(world, persona)]


# Pages that show one object: the kwargs of every object of another tenant.
OBJECT_URLS: dict[str, Callable] = {
    "accounts:union_edit": lambda w, p: (
        [{"pk": o.pk} for o in foreign_organizations(w, p) if o.kind == "union"]
        + ([{"pk": w.home.union.pk}] if p != "amministratore_provincia" else [])
    ),
    "accounts:deactivate_member": lambda w, p: [{"pk": m.pk} for m in foreign_memberships(w, p)],
    "accounts:revoke_token": lambda w, p: [{"pk": t.pk} for t in foreign_tokens(w, p)],
    "audit:event": lambda w, p: [{"pk": e.pk} for e in foreign_audit_events(w, p)],
    "agreements:detail": agreement_urls,
    "agreements:transition": lambda w, p: [
        kwargs for name in TRANSITION_ROLES for kwargs in agreement_urls(w, p, transition=name)
    ],
    "agreements:file": lambda w, p: [
        kwargs for which in ("resolution", "signed") for kwargs in agreement_urls(w, p, which=which)
    ],
    "agreements:docx": agreement_urls,
    "agreements:pdf": agreement_urls,
    "agreements:service_edit": lambda w, p: [{"pk": s.pk} for s in services_not_editable(w, p)],
    "agreements:join_request": lambda w, p: [{"pk": s.pk} for s in services_not_joinable(w, p)],
    "agreements:join_request_answer": lambda w, p: [{"pk": j.pk} for j in join_requests_not_answerable(w, p)],
    "documents:template_download": lambda w, p: [{"pk": t.pk} for t in foreign_templates(w, p)],
    "documents:template_preview": lambda w, p: [{"pk": t.pk} for t in foreign_templates(w, p)],
    "procurement:request_detail": lambda w, p: [{"pk": r.pk} for r in foreign_requests(w, p)],
    "procurement:request_resubmit": lambda w, p: [{"pk": r.pk} for r in foreign_requests(w, p)],
    "procurement:request_action": lambda w, p: [
        {"pk": r.pk, "action": action}
        for r in foreign_requests(w, p)
        for action in ("accept", "ask_changes", "reject", "withdraw")
    ],
    "procurement:request_attachment": lambda w, p: [
        {"pk": r.pk, "attachment_pk": a.pk} for r in foreign_requests(w, p) for a in r.attachments.all()
    ],
    "procurement:market_release": lambda w, p: [{"pk": r.pk} for r in foreign_market_releases(w, p)],
    "procurement:register_detail": lambda w, p: [{"pk": r.pk} for r in foreign_registrations(w, p)],
    "procurement:register_document_add": lambda w, p: [{"pk": r.pk} for r in foreign_registrations(w, p)],
    "procurement:register_document": lambda w, p: [
        {"pk": d.registration_id, "document_pk": d.pk} for d in foreign_operator_documents(w, p)
    ],
    "procurement:register_action": lambda w, p: [
        {"pk": r.pk, "action": action}
        for r in foreign_registrations(w, p)
        for action in ("approve", "reject", "suspend", "reinstate", "remove")
    ],
}
# List pages: no row of another tenant may appear (checked by the other tenants' names).
LIST_URLS = {
    "accounts:members",
    "accounts:organizations",
    "accounts:unions",
    "accounts:province_admins",
    "audit:events",
    "agreements:list",
    "agreements:services",
    # Forms that offer a choice of Comuni and services: the choices are a list too.
    "agreements:create",
    "agreements:service_create",
    # UPI's aggregates by Province; everybody else is refused.
    "agreements:national",
    "agreements:national_csv",
    "agreements:national_xlsx",
    "documents:templates",
    "procurement:request_list",
    "procurement:market",
    "procurement:register_list",
    "procurement:register_mine",
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
    "GET /api/v1/codes/cig/{code}",
    "GET /api/v1/codes/cup/{code}",
    "GET /api/v1/codes/cpv/{code}",
    "GET /api/v1/codes/fiscal/{code}",
    "POST /api/v1/procurement/anomaly-threshold",
    "POST /api/v1/procurement/route",
    "POST /api/v1/procurement/oepv-score",
}
OWN_OPERATIONS = {"GET /api/v1/me"}
OBJECT_OPERATIONS: dict[str, Callable] = {
    "GET /api/v1/organizations/{organization_id}": lambda w, p: [
        {"organization_id": o.pk} for o in foreign_organizations(w, p)
    ],
    "GET /api/v1/agreements/{agreement_id}": lambda w, p: [
        {"agreement_id": a.pk} for a in foreign_agreements(w, p)
    ],
    "POST /api/v1/agreements/{agreement_id}/transitions": lambda w, p: [
        {"agreement_id": a.pk} for a in foreign_agreements(w, p)
    ],
    "GET /api/v1/procurement/requests/{request_id}": lambda w, p: [
        {"request_id": r.pk} for r in foreign_requests(w, p)
    ],
    "POST /api/v1/procurement/requests/{request_id}/attachments": lambda w, p: [
        {"request_id": r.pk} for r in foreign_requests(w, p)
    ],
    "POST /api/v1/procurement/requests/{request_id}/actions": lambda w, p: [
        {"request_id": r.pk} for r in foreign_requests(w, p)
    ],
    "PUT /api/v1/procurement/requests/{request_id}": lambda w, p: [
        {"request_id": r.pk} for r in foreign_requests(w, p)
    ],
    "GET /api/v1/operators/{registration_id}": lambda w, p: [
        {"registration_id": r.pk} for r in foreign_registrations(w, p)
    ],
    "POST /api/v1/operators/{registration_id}/decisions": lambda w, p: [
        {"registration_id": r.pk} for r in foreign_registrations(w, p)
    ],
    "POST /api/v1/operators/{registration_id}/documents": lambda w, p: [
        {"registration_id": r.pk} for r in foreign_registrations(w, p)
    ],
}
# Forms sent with write operations, so that the request passes validation and meets the tenancy check.
# JSON bodies sent with write operations, valid so that the request meets the tenancy check.
REQUEST_BODY = {
    "title": "Gara",
    "description": "Lavori",
    "contract_kind": "works",
    "cpv_code": "45214210",
    "base_amount": "150000.00",
    "funding_source": "own_budget",
    "rup_name": "Maria Rossi",
}
OPERATION_JSON = {
    "POST /api/v1/procurement/requests/{request_id}/actions": {"action": "withdraw", "reason": ""},
    "PUT /api/v1/procurement/requests/{request_id}": REQUEST_BODY,
    "POST /api/v1/operators/{registration_id}/decisions": {"action": "remove", "reason": "Prova"},
}
# A callable gives a fresh form each time (an uploaded file is read once).
OPERATION_FORMS = {
    "POST /api/v1/agreements/{agreement_id}/transitions": lambda: {"transition": "activate"},
    "POST /api/v1/procurement/requests/{request_id}/attachments": lambda: {
        "kind": "specifications",
        "file": SimpleUploadedFile("capitolato.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    },
    "POST /api/v1/operators/{registration_id}/documents": lambda: {
        "kind": "durc",
        "expires_on": "2030-01-01",
        "file": SimpleUploadedFile("durc.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    },
}
LIST_OPERATIONS = {
    "GET /api/v1/organizations",
    "GET /api/v1/memberships",
    "GET /api/v1/audit/events",
    "GET /api/v1/services",
    "GET /api/v1/agreements",
    "GET /api/v1/adhesions",
    "GET /api/v1/national/service-coverage",
    "GET /api/v1/procurement/requests",
    "GET /api/v1/operators",
}
# Writes whose body names the rows they act on: the matrix names other tenants' rows (see below).
WRITE_OPERATIONS = {
    "POST /api/v1/agreements",
    "POST /api/v1/procurement/requests",
    "POST /api/v1/operators",
}
# Lists where a Comune's own Province appears as the other party (of its agreements, of its requests).
COUNTERPARTY_LISTS = {
    "GET /api/v1/agreements",
    "GET /api/v1/procurement/requests",
    "procurement:request_list",
    # An operator's own entries name the Provinces whose albo it joined.
    "GET /api/v1/operators",
    "procurement:register_mine",
}


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
    classified = (
        PUBLIC_OPERATIONS | OWN_OPERATIONS | set(OBJECT_OPERATIONS) | LIST_OPERATIONS | WRITE_OPERATIONS
    )
    unclassified = api_operations() - classified
    assert not unclassified, (
        f"Classify these API operations in tests/test_cross_tenant.py: {sorted(unclassified)}"
    )


@pytest.fixture
def tenant_world(world, settings, tmp_path):
    """The world with a token, an audit trail, a catalogue, agreements with their acts, a request to join and
    a document template on each side, so that every kind of object exists twice."""
    from django.db import transaction

    from casacomuni.accounts.actor import Actor
    from casacomuni.accounts.services import create_api_token
    from casacomuni.audit.services import record_event

    settings.MEDIA_ROOT = tmp_path
    for name, membership in world.memberships.items():
        create_api_token(Actor(user=world.personas[name], membership=membership), membership, f"token {name}")
    for side in (world.home, world.elsewhere):
        for organization in (side.province_org, side.comune, side.sibling_comune, side.union):
            with transaction.atomic():
                record_event(Actor.system("test"), "test.event", organization, {}, organization=organization)
        add_agreements(side)
        add_document_template(side, world.personas["amministratore_provincia"])
        add_procurement(side)
    add_register(world, world.home, world.operator)
    add_register(world, world.elsewhere, world.other_operator)
    return world


def add_procurement(side) -> None:
    """The Comune's request to its SUA (it has an adhesion in force: see add_agreements) with an attachment,
    and an ANAC market release for each local organisation."""
    from casacomuni.procurement.testing import make_attachment, make_release, make_request

    request = make_request(side.comune, title=f"Gara della scuola di {side.comune.name}")
    make_attachment(request)
    for party in (side.comune, side.sibling_comune, side.union):
        make_release(party, title=f"Fornitura di arredi per {party.name}")


def add_register(world, side, operator) -> None:
    """The albo of each side's SUA: an approved company of the territory and a pending one, each with a DURC,
    and the persona's own operator (home) or the other operator (elsewhere)."""
    from casacomuni.accounts.models import Organization
    from casacomuni.procurement.testing import make_operator_document, make_registration

    sigla = side.province.sigla
    for name, state in ((f"Costruzioni {sigla} S.p.A.", "approved"), (f"Servizi {sigla} S.r.l.", "pending")):
        company = Organization.objects.create(kind="operator", name=name)
        registration = make_registration(side.province_org, company, state=state)
        make_operator_document(registration, name=f"durc-{company.pk}-{sigla}.pdf")
    make_operator_document(
        make_registration(side.province_org, operator), name=f"durc-{operator.pk}-{sigla}.pdf"
    )


def add_agreements(side) -> None:
    """A published service, an active agreement with its acts for the Comune, drafts for the sibling Comune
    and the Unione, each with an adhesion, and the Comune's request to join a second service."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from casacomuni.agreements.models import Adhesion, Agreement, JoinRequest, Service

    today = timezone.localdate()
    sua, statistics = (
        Service.objects.create(
            province=side.province_org,
            kind=kind,
            name=f"{label} — {side.province.sigla}",
            description=label,
            cost_model="free",
            is_published=True,
        )
        for kind, label in (("sua", "Centrale unica di committenza"), ("statistics", "Ufficio di statistica"))
    )
    for party, state in ((side.comune, "active"), (side.sibling_comune, "draft"), (side.union, "draft")):
        agreement = Agreement(
            province=side.province_org,
            municipality=party,
            title=f"Convenzione SUA n. {party.pk}/{side.province.sigla}",
            legal_basis="Art. 30 TUEL",
            object="Centrale di committenza",
            governance="Conferenza dei sindaci",
            data_protection="Art. 28 GDPR",
            disputes="Foro competente",
            start_date=today - timedelta(days=30),
            end_date=today + timedelta(days=1000),
            state=state,
        )
        if state == "active":
            agreement.municipality_resolution_file.save("delibera.pdf", ContentFile(b"%PDF-1.4"), save=False)
            agreement.signed_file.save("firmata.pdf", ContentFile(b"%PDF-1.4"), save=False)
        agreement.save()
        Adhesion.objects.create(agreement=agreement, service=sua, start_date=agreement.start_date)
    JoinRequest.objects.create(municipality=side.comune, service=statistics)


def add_document_template(side, uploader) -> None:
    from django.core.files.base import ContentFile

    from casacomuni.documents.kinds import TemplateKind
    from casacomuni.documents.models import DocumentTemplate

    template = DocumentTemplate(
        owner=side.province_org,
        kind=TemplateKind.AGREEMENT,
        version=1,
        original_name=f"modello-{side.province.sigla}.docx",
        uploaded_by=uploader,
    )
    template.file.save("modello.docx", ContentFile(b"PK"), save=False)
    template.save()


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
    for name in LIST_URLS:
        response = client.get(reverse(name))
        assert response.status_code in (200, 403), f"{persona} {name}: {response.status_code}"
        content = response.content.decode(errors="replace")
        leaked = [foreign for foreign in foreign_names(tenant_world, persona, name) if foreign in content]
        assert not leaked, f"{persona} sees {leaked} on {name}"


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_api_objects_of_other_tenants_are_unreachable(client, tenant_world, persona):
    login(client, tenant_world, persona)
    for operation, foreign in OBJECT_OPERATIONS.items():
        method, path = operation.split(" ", 1)
        for kwargs in foreign(tenant_world, persona):
            if operation in OPERATION_FORMS:
                response = client.post(path.format(**kwargs), OPERATION_FORMS[operation]())
            elif operation in OPERATION_JSON:
                url = path.format(**kwargs)
                response = client.generic(
                    method, url, json.dumps(OPERATION_JSON[operation]), "application/json"
                )
            else:
                response = client.generic(method, path.format(**kwargs))
            assert response.status_code in (403, 404), (
                f"{persona} {method} {path} {kwargs}: {response.status_code}"
            )
            assert response["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_api_lists_show_no_other_tenant(client, tenant_world, persona):
    login(client, tenant_world, persona)
    for operation in LIST_OPERATIONS:
        method, path = operation.split(" ", 1)
        response = client.generic(method, f"{path}?limit=500")
        assert response.status_code in (200, 403), f"{persona} {operation}: {response.status_code}"
        names = foreign_names(tenant_world, persona, operation)
        leaked = [foreign for foreign in names if foreign in response.content.decode()]
        assert not leaked, f"{persona} sees {leaked} through {operation}"


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_api_writes_naming_other_tenants_rows_change_nothing(client, tenant_world, persona):
    """An agreement sent to another tenant's Comune, with another Province's service, is refused."""
    from casacomuni.agreements.models import Agreement, Service

    login(client, tenant_world, persona)
    before = Agreement.objects.count()
    elsewhere = tenant_world.elsewhere
    body = {
        "title": "Convenzione",
        "legal_basis": "Art. 30 TUEL",
        "object": "Servizi",
        "governance": "Conferenza dei sindaci",
        "data_protection": "Art. 28 GDPR",
        "disputes": "Foro competente",
        "start_date": "2026-01-01",
        "end_date": "2028-12-31",
    }
    own_services = list(
        Service.objects.filter(province=tenant_world.home.province_org).values_list("pk", flat=True)
    )
    foreign_services = list(
        Service.objects.filter(province=elsewhere.province_org).values_list("pk", flat=True)
    )
    attempts = [
        {"services": own_services, "municipalities": [elsewhere.comune.pk]},
        {"services": foreign_services, "municipalities": [tenant_world.home.comune.pk]},
    ]
    for attempt in attempts:
        response = client.post("/api/v1/agreements", body | attempt, content_type="application/json")
        assert response.status_code in (400, 403), f"{persona} {attempt}: {response.status_code}"
        assert response["Content-Type"].startswith("application/problem+json")
    assert Agreement.objects.count() == before


def test_anonymous_requests_to_private_pages_go_to_login(client, tenant_world):
    for name in OWN_URLS - {"accounts:switch"} | LIST_URLS:
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"], name


def test_anonymous_api_calls_are_refused(client, tenant_world):
    for operation in OWN_OPERATIONS | LIST_OPERATIONS | WRITE_OPERATIONS:
        method, path = operation.split(" ", 1)
        response = client.generic(method, path)
        assert response.status_code == 401, operation


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_api_requests_to_another_provinces_sua_change_nothing(client, tenant_world, persona):
    """A procurement request addressed to the SUA of another Province is refused, whoever sends it."""
    from casacomuni.procurement.models import ProcurementRequest

    login(client, tenant_world, persona)
    before = ProcurementRequest.objects.count()
    body = REQUEST_BODY | {"province": tenant_world.elsewhere.province_org.pk}
    response = client.post("/api/v1/procurement/requests", body, content_type="application/json")
    assert response.status_code in (400, 403), f"{persona}: {response.status_code} {response.content[:200]}"
    assert response["Content-Type"].startswith("application/problem+json")
    assert ProcurementRequest.objects.count() == before


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_api_entries_in_the_albo_land_only_in_an_albo_the_persona_may_write(client, tenant_world, persona):
    """An operator applies (pending) to whichever albo it names; the SUA enters operators only in its own albo,
    whatever Province the body names; every other role is refused and nothing is written."""
    from casacomuni.procurement.register_models import RegisteredOperator
    from casacomuni.procurement.testing import operator_data

    login(client, tenant_world, persona)
    before = set(RegisteredOperator.objects.values_list("pk", flat=True))
    body = operator_data(
        fiscal_code="04567890019",
        cpv_codes=["90911"],
        province=tenant_world.elsewhere.province_org.pk,
    )
    response = client.post("/api/v1/operators", body, content_type="application/json")
    created = RegisteredOperator.objects.exclude(pk__in=before)
    role = PERSONAS[persona][1]
    if role == Role.OPERATOR_REPRESENTATIVE:
        assert response.status_code == 201
        assert [(e.operator, e.state) for e in created] == [(tenant_world.operator, "pending")]
    elif role in (Role.SUA_OFFICER, Role.PROVINCE_ADMIN):
        assert response.status_code == 201
        assert [e.province for e in created] == [tenant_world.home.province_org]
    else:
        assert response.status_code == 403, f"{persona}: {response.status_code}"
        assert not created.exists()
