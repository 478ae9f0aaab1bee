"""The cross-tenant matrix: every URL and every API operation, every role, another tenant's objects.

Each URL pattern and API operation of the platform must be classified below; an unclassified one fails
``test_every_url_is_classified`` / ``test_every_api_operation_is_classified``, so each new view joins the
matrix when it is written. For every persona (one per role, see casacomuni.accounts.testing) the matrix
asks for the objects of another tenant — the other province, a sibling comune, another operator — and
accepts only 403 or 404; list pages and list operations must not show another tenant's rows.
"""

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from casacomuni.accounts.roles import Role
from casacomuni.accounts.testing import PERSONAS, World
from casacomuni.agreements.services import TRANSITION_ROLES
from casacomuni.api.core import api
from casacomuni.indicators.testing import hidden_municipalities, hidden_provinces
from casacomuni.lib.pdf import act_pdf
from casacomuni.procurement.bidding.testing import espd_upload

# Pages anyone may open: reference data, public information, authentication.
PUBLIC_URLS = {
    "web:accessibility",
    "web:legal",
    "web:privacy",
    "accounts:login",
    "accounts:logout",
    "accounts:password_reset_confirm",
    # "Forgot your password?": the same answer for every address (see accounts/tests/test_password_reset.py).
    "accounts:password_reset",
    "accounts:password_reset_sent",
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
    # The Provinces' open-data catalogues (only what they published; unpublished datasets are objects below).
    "opendata:index",
    "opendata:catalog_page",
    "opendata:catalog_ttl",
    "opendata:catalog_jsonld",
    # The link in every digest e-mail: the token alone identifies the preference it turns off.
    "eufunds:digest_unsubscribe",
    # The SUA's OCDS publication: published procedures only (a draft has no OCID).
    "ocds:policy",
    "ocds:releases",
    "ocds:record",
    # A training certificate's verification (any code: a forged one gets the same 404) and its Open Badges
    # 2.0 hosted documents, public by design (badge backpacks fetch them): the holder's name only.
    "training:certificate_verify_form",
    "training:certificate_verify",
    "training:badge_assertion",
    "training:badge_issuer",
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
    # Asking to act for a company goes by its partita IVA (no id); the list shows the user's own requests
    # and those to decide for the operator it represents.
    "accounts:operator_join",
    "accounts:operator_requests",
    # The form of a new request: the Comune writes only for itself (the service checks its adhesion).
    "procurement:request_create",
    # The operator applies for itself; the SUA registers an operator in its own albo.
    "procurement:register_apply",
    "procurement:register_create",
    "documents:default_template",
    # A Comune flags interest for itself; the office proposes to adhering Comuni of its own Province.
    "projects:application_create",
    "projects:project_create",
    # The acting Province's open-data catalogue and its new datasets.
    "opendata:dataset_create",
    "opendata:catalog_edit",
    # The office enters a manual call or imports a file for its own Province; a referent sets the digest of its
    # own Comune; the preview takes ?comune= (checked in eufunds/tests: outside the Province it is a 404).
    "eufunds:call_create",
    "eufunds:import_calls",
    "eufunds:digest_preferences",
    "eufunds:digest_preview",
    "procurement:procedure_create",
    "insights:campaign_create",
    "insights:questionnaire_create",
    "insights:service_create",
    # The training office writes modules for its own Province; staff is added to the user's own Comune (the
    # referent) or to an organisation of the office's territory (the service checks it).
    "training:module_create",
    "training:staff_add",
    # The dashboard home redirects to the persona's own dashboard; the recomputation is national.
    "indicators:home",
    "indicators:compute",
    # The training office draws up the plan of its own Province.
    "training:plan_create",
    # The signed-in person's own training hours; the upload of hours for an organisation the user manages
    # (the choice offers only those: another one is refused, see training/tests/test_ledger_pages.py).
    "training:my_hours",
    "training:import_hours",
    # The training office writes paths of its own Province's modules (another Province's: see
    # training/tests/test_paths.py).
    "training:path_create",
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
    if not (persona == "dirigente_upi" and listing in AUDIT_LISTS):
        names += [r.title for r in foreign_requests(world, persona)]
    names += [r.title for r in foreign_market_releases(world, persona)]
    if persona != "dirigente_upi":  # UPI lists every organisation by design; it reads no albo (403 above)
        names += [r.operator.name for r in foreign_registrations(world, persona)]
    names += [d.original_name for d in foreign_operator_documents(world, persona)]
    names += [c.title for c in foreign_calls(world, persona)]
    names += [a.title for a in foreign_applications(world, persona)]
    names += [project.title for project in foreign_projects(world, persona)]
    names += [bid.receipt_code for bid in foreign_online_bids(world, persona)]
    names += [r.text for r in integration_requests_not_addressed(world, persona)]
    if not (persona == "dirigente_upi" and listing in AUDIT_LISTS):  # the trail names what the events act on
        names += [plan.title for plan in plans_not_readable(world, persona)]
        names += [module.title for module in foreign_modules(world, persona)]
        names += [path.title for path in foreign_paths(world, persona)]
        names += [model.title for model in library_models_not_readable(world, persona)]
        names += helpdesk_names_not_readable(world, persona)
    names += [person.last_name for person in foreign_training_staff(world, persona)]
    names += [notice.subject for notice in foreign_notifications(world, persona)]
    if listing in NOTICE_LISTS:
        shown = notice_names(world, persona)
        names = [name for name in names if name not in shown]
    return names


TRAINING_OFFICE = {"amministratore_provincia", "funzionario_formazione"}
TRAINING_REFERENTS = {"referente_comune", "referente_unione"}


def foreign_training_staff(world, persona):
    """Staff whose hours the persona may not read: the training office reads its territory's, a referent its
    own organisation's; nobody else reads any (the matrix's people are linked to no user)."""
    staff = [person for objects in world.objects.values() for person in objects["training"]["staff"]]
    if persona in TRAINING_OFFICE:
        return [p for p in staff if p.organization.province_id != world.home.province.pk]
    if persona in TRAINING_REFERENTS:
        return [p for p in staff if p.organization_id != own_organization(world, persona).pk]
    return staff


def office_or_local_scope(world, persona, queryset, local_filter):
    """Rows of ``queryset`` the persona may not read: for the Province's office those of another Province,
    for a Comune (Unione) those ``local_filter(own)`` does not select, for any other role all of them."""
    own = own_organization(world, persona)
    place = PERSONAS[persona][0]
    if place == "home.province_org":
        return list(queryset.exclude(province=own))
    if place in {"home.comune", "home.union"}:
        return list(queryset.exclude(local_filter(own)).distinct())
    return list(queryset)


def foreign_applications(world, persona):
    from django.db.models import Q

    from casacomuni.projects.models import Application

    return office_or_local_scope(
        world,
        persona,
        Application.objects.all(),
        lambda own: Q(lead=own) | Q(partners__organization=own),
    )


def foreign_projects(world, persona):
    from django.db.models import Q

    from casacomuni.projects.models import FundedProject

    return office_or_local_scope(world, persona, FundedProject.objects.all(), lambda own: Q(beneficiary=own))


EUFUNDS_OFFICE = {"amministratore_provincia", "funzionario_europa"}
DATA_OFFICE = {"amministratore_provincia", "funzionario_dati"}
# Comune personas who answer the campaigns sent to their Comune (an Unione is no respondent).
RESPONDENTS = {"referente_comune", "personale_comune"}


def objects_not_managed(world, persona, office: set, app: str, *names: str) -> list:
    """Objects of ``app`` the persona may not manage: for the Province's ``office``, those of the other
    Province; for anyone else, those of both Provinces."""
    sides = ["elsewhere"] if persona in office else ["home", "elsewhere"]
    return [world.objects[side][app][name] for side in sides for name in names]


SUA = {"amministratore_provincia", "funzionario_sua"}
# The personas of the Comune that buys the lots of each side's procedures.
BUYERS = {"referente_comune", "personale_comune"}


def foreign_procedures(world, persona):
    """Procedures the persona may not read: the SUA and the buying Comune read their side's."""
    return objects_not_managed(world, persona, SUA | BUYERS, "procedures", "procedure", "draft_procedure")


def procedures_not_managed(world, persona):
    return objects_not_managed(world, persona, SUA, "procedures", "procedure", "draft_procedure")


def clarifications_not_allowed(world, persona):
    """Any operator may ask about a published procedure, never about a draft."""
    if persona == "operatore_economico":
        return [objects["procedures"]["draft_procedure"] for objects in world.objects.values()]
    return procedures_not_managed(world, persona)


def foreign_campaigns(world, persona):
    """Campaigns the persona may not read: a Comune reads the campaigns sent to it (not the drafts), the
    data office its Province's."""
    if persona in RESPONDENTS:
        home = world.objects["home"]["insights"]
        return objects_not_managed(world, persona, set(), "insights", "campaign")[1:] + [
            home["draft_campaign"],
            world.objects["elsewhere"]["insights"]["draft_campaign"],
        ]
    return objects_not_managed(world, persona, DATA_OFFICE, "insights", "campaign", "draft_campaign")


def foreign_responses(world, persona):
    """Responses the persona may not read: another Province's; for roles outside the data office and the
    responding Comune, all."""
    office = DATA_OFFICE | RESPONDENTS
    return objects_not_managed(world, persona, office, "insights", "response", "file_response")


def foreign_insights(world, persona, name: str):
    """Questionnaires, sections, questions: only the data office of their Province manages them."""
    return objects_not_managed(world, persona, DATA_OFFICE, "insights", name)


def foreign_digital_services(world, persona):
    readers = DATA_OFFICE | RESPONDENTS | {"referente_unione"}
    return objects_not_managed(world, persona, readers, "insights", "digital_service")


EUFUNDS_READERS = EUFUNDS_OFFICE | {
    "referente_comune",
    "personale_comune",
    "referente_unione",
    "dirigente_upi",
}


def manual_calls(world) -> list:
    """The calls a Province entered itself (the imported catalogue is shared by every Province)."""
    return [objects["eufunds"]["call"] for objects in world.objects.values()]


def foreign_calls(world, persona):
    """Another Province's own calls; every manual call for a role that reads no catalogue; none for UPI."""
    if persona == "dirigente_upi":
        return []
    if persona in EUFUNDS_READERS:
        return [world.objects["elsewhere"]["eufunds"]["call"]]
    return manual_calls(world)


def calls_not_editable(world, persona):
    return objects_not_managed(world, persona, EUFUNDS_OFFICE, "eufunds", "call")


def national_calls(world, persona):
    """The national catalogue is read by all and changed only by its owners: UPI (and the system)."""
    return [] if persona == "dirigente_upi" else [world.national["call"]]


def criteria_not_editable(world, persona):
    """Another Province's criteria (any Province's for UPI), and the national ones for anyone but UPI."""
    provincial = [call.criteria.get() for call in calls_not_editable(world, persona)]
    national = [] if persona == "dirigente_upi" else [world.national["criterion"]]
    return provincial + national


def foreign_import_runs(world, persona):
    """UPI, owner of the national catalogue, reads every import's report."""
    if persona == "dirigente_upi":
        return []
    return objects_not_managed(world, persona, EUFUNDS_OFFICE, "eufunds", "import_run")


def unpublished_datasets(world):
    """Datasets no one may reach on the public pages and operations, whatever their Province."""
    return [objects["opendata"]["unpublished_dataset"] for objects in world.objects.values()]


def foreign_datasets(world, persona):
    """Datasets whose officers' pages the persona may not open: every dataset of another Province, and both
    of its own Province's datasets for anyone but its data officer and administrator."""
    return objects_not_managed(world, persona, DATA_OFFICE, "opendata", "dataset", "unpublished_dataset")


def foreign_memberships(world, persona):
    from casacomuni.accounts.models import Membership

    return list(Membership.objects.filter(organization__in=foreign_organizations(world, persona)))


def foreign_tokens(world, persona):
    from casacomuni.accounts.models import ApiToken

    return list(ApiToken.objects.exclude(membership__user=world.personas[persona]))


def foreign_join_requests(world, persona):
    """Requests to act for an operator: only its representative decides them."""
    from casacomuni.accounts.models import OperatorJoinRequest

    mine = world.operator if persona == "operatore_economico" else None
    return list(OperatorJoinRequest.objects.exclude(operator=mine))


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
    from casacomuni.procurement.requests.models import ProcurementRequest

    own = own_organization(world, persona)
    if persona in ("amministratore_provincia", "funzionario_sua"):
        return list(ProcurementRequest.objects.exclude(province=own))
    if PERSONAS[persona][0] in {"home.comune", "home.union"}:
        return list(ProcurementRequest.objects.exclude(municipality=own))
    return list(ProcurementRequest.objects.all())


def foreign_registrations(world, persona):
    """Entries of the operators' register the persona may not read: the SUA reads its own albo, an operator its
    own entries, a Comune (Unione) the approved entries of its Province's albo."""
    from casacomuni.procurement.register.models import RegisteredOperator

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
    from casacomuni.procurement.register.models import OperatorDocument

    own = own_organization(world, persona)
    if persona in ("amministratore_provincia", "funzionario_sua"):
        return list(OperatorDocument.objects.exclude(registration__province=own))
    return list(OperatorDocument.objects.exclude(registration__operator=own))


def foreign_market_releases(world, persona):
    """ANAC releases of other tenants: a Province reads those of its territory's comuni, a Comune its own."""
    from casacomuni.procurement.market.models import MarketRelease

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
    "accounts:operator_request_decide": lambda w, p: [
        {"pk": r.pk, "action": "approva"} for r in foreign_join_requests(w, p)
    ],
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
    "eufunds:call_detail": lambda w, p: [{"pk": c.pk} for c in foreign_calls(w, p)],
    "eufunds:call_edit": lambda w, p: [{"pk": c.pk} for c in calls_not_editable(w, p) + national_calls(w, p)],
    "eufunds:criterion_create": lambda w, p: [{"pk": c.pk} for c in calls_not_editable(w, p)],
    "eufunds:criterion_edit": lambda w, p: [{"pk": c.pk} for c in criteria_not_editable(w, p)],
    "eufunds:criterion_delete": lambda w, p: [{"pk": c.pk} for c in criteria_not_editable(w, p)],
    "procurement:procedure_detail": lambda w, p: [{"pk": x.pk} for x in foreign_procedures(w, p)],
    "procurement:procedure_public": lambda w, p: [
        {"pk": objects["procedures"]["draft_procedure"].pk} for objects in w.objects.values()
    ],
    "procurement:procedure_edit": lambda w, p: [{"pk": x.pk} for x in procedures_not_managed(w, p)],
    "procurement:procedure_action": lambda w, p: [
        {"pk": x.pk, "action": action}
        for x in procedures_not_managed(w, p)
        for action in ("publish", "cancel", "close_bids")
    ],
    "procurement:clarification_ask": lambda w, p: [{"pk": x.pk} for x in clarifications_not_allowed(w, p)],
    "procurement:clarification_answer": lambda w, p: [
        {"pk": x.procedure_id, "clarification_pk": x.pk}
        for x in objects_not_managed(w, p, SUA, "procedures", "clarification")
    ],
    **{
        name: lambda w, p: [
            {"pk": lot.procedure_id, "lot_pk": lot.pk}
            for lot in objects_not_managed(w, p, SUA, "procedures", "lot")
        ]
        for name in (
            "procurement:lot_edit",
            "procurement:lot_invitations",
            "procurement:bid_record",
            "procurement:lot_evaluate",
            "procurement:lot_award",
            "procurement:lot_contract",
        )
    },
    "procurement:bid_decide": lambda w, p: [
        {"pk": bid.lot.procedure_id, "bid_pk": bid.pk, "decision": decision}
        for bid in objects_not_managed(w, p, SUA, "procedures", "bid")
        for decision in ("admit", "exclude")
    ],
    "procurement:lot_minutes": lambda w, p: [
        {"pk": lot.procedure_id, "lot_pk": lot.pk, "fmt": fmt}
        for lot in objects_not_managed(w, p, SUA | BUYERS, "procedures", "lot")
        for fmt in ("pdf", "docx")
    ],
    "indicators:municipality": lambda w, p: [
        {"istat_code": m.istat_code} for m in hidden_municipalities(w, p)
    ],
    "indicators:municipality_csv": lambda w, p: [
        {"istat_code": m.istat_code, "chart": "trend"} for m in hidden_municipalities(w, p)
    ],
    "indicators:province": lambda w, p: [{"sigla": x.sigla} for x in hidden_provinces(w, p)],
    "indicators:province_csv": lambda w, p: [
        {"sigla": x.sigla, "chart": "ranking"} for x in hidden_provinces(w, p)
    ],
    # UPI's national table: a CSV of one chart, for UPI only.
    "indicators:national_csv": lambda w, p: [] if p == "dirigente_upi" else [{"chart": "ranking"}],
    "insights:campaign_detail": lambda w, p: [{"pk": c.pk} for c in foreign_campaigns(w, p)],
    "insights:response_form": lambda w, p: [{"pk": c.pk} for c in foreign_campaigns(w, p)],
    "insights:response_request_reopen": lambda w, p: [{"pk": c.pk} for c in foreign_campaigns(w, p)],
    "insights:campaign_export": lambda w, p: [
        {"pk": c.pk, "fmt": fmt}
        for c in objects_not_managed(w, p, DATA_OFFICE, "insights", "campaign")
        for fmt in ("csv", "xlsx")
    ],
    "insights:campaign_action": lambda w, p: [
        {"pk": c.pk, "action": action}
        for c in objects_not_managed(w, p, DATA_OFFICE, "insights", "campaign", "draft_campaign")
        for action in ("send", "close")
    ],
    "insights:response_detail": lambda w, p: [{"pk": r.pk} for r in foreign_responses(w, p)],
    "insights:response_reopen": lambda w, p: [
        {"pk": r.pk} for r in objects_not_managed(w, p, DATA_OFFICE, "insights", "response")
    ],
    "insights:answer_file": lambda w, p: [
        {"pk": r.pk, "question_pk": r.answers.get(file__gt="").question_id}
        for r in foreign_responses(w, p)
        if r.answers.filter(file__gt="").exists()
    ],
    "insights:questionnaire_detail": lambda w, p: [
        {"pk": q.pk} for q in foreign_insights(w, p, "questionnaire")
    ],
    "insights:questionnaire_copy": lambda w, p: [
        {"pk": q.pk} for q in foreign_insights(w, p, "questionnaire")
    ],
    "insights:section_create": lambda w, p: [{"pk": q.pk} for q in foreign_insights(w, p, "questionnaire")],
    "insights:section_delete": lambda w, p: [{"pk": x.pk} for x in foreign_insights(w, p, "section")],
    "insights:question_create": lambda w, p: [{"pk": x.pk} for x in foreign_insights(w, p, "section")],
    "insights:question_add": lambda w, p: [{"pk": x.pk} for x in foreign_insights(w, p, "section")],
    "insights:question_edit": lambda w, p: [{"pk": x.pk} for x in foreign_insights(w, p, "question")],
    "insights:question_move": lambda w, p: [{"pk": x.pk} for x in foreign_insights(w, p, "question")],
    "insights:question_delete": lambda w, p: [{"pk": x.pk} for x in foreign_insights(w, p, "question")],
    "insights:service_detail": lambda w, p: [{"pk": x.pk} for x in foreign_digital_services(w, p)],
    "eufunds:import_run": lambda w, p: [{"pk": run.pk} for run in foreign_import_runs(w, p)],
    "projects:application_detail": lambda w, p: [{"pk": a.pk} for a in foreign_applications(w, p)],
    "projects:application_edit": lambda w, p: [{"pk": a.pk} for a in foreign_applications(w, p)],
    "projects:application_partner_add": lambda w, p: [{"pk": a.pk} for a in foreign_applications(w, p)],
    "projects:application_task_add": lambda w, p: [{"pk": a.pk} for a in foreign_applications(w, p)],
    "projects:application_document_add": lambda w, p: [{"pk": a.pk} for a in foreign_applications(w, p)],
    "projects:application_project": lambda w, p: [{"pk": a.pk} for a in foreign_applications(w, p)],
    "projects:application_action": lambda w, p: [
        {"pk": a.pk, "action": action}
        for a in foreign_applications(w, p)
        for action in ("confirm", "assess", "design", "submit", "fund", "reject", "withdraw")
    ],
    "projects:application_partner_remove": lambda w, p: [
        {"pk": a.pk, "partner_pk": partner.pk}
        for a in foreign_applications(w, p)
        for partner in a.partners.all()
    ],
    "projects:application_task_done": lambda w, p: [
        {"pk": a.pk, "task_pk": task.pk} for a in foreign_applications(w, p) for task in a.tasks.all()
    ],
    "projects:application_document": lambda w, p: [
        {"pk": a.pk, "document_pk": d.pk} for a in foreign_applications(w, p) for d in a.documents.all()
    ],
    "projects:project_detail": lambda w, p: [{"pk": pr.pk} for pr in foreign_projects(w, p)],
    "projects:project_edit": lambda w, p: [{"pk": pr.pk} for pr in foreign_projects(w, p)],
    "projects:project_expense_add": lambda w, p: [{"pk": pr.pk} for pr in foreign_projects(w, p)],
    "projects:project_statement_submit": lambda w, p: [
        {"pk": pr.pk, "period_pk": period.pk} for pr in foreign_projects(w, p) for period in pr.periods.all()
    ],
    "projects:project_procurement": lambda w, p: [{"pk": pr.pk} for pr in foreign_projects(w, p)],
    "projects:project_add": lambda w, p: [
        {"pk": pr.pk, "part": part}
        for pr in foreign_projects(w, p)
        for part in (
            "financing",
            "budget_line",
            "movement",
            "phase",
            "indicator",
            "milestone",
            "check",
            "period",
        )
    ],
    "projects:project_expense_document": lambda w, p: [
        {"pk": pr.pk, "expense_pk": e.pk}
        for pr in foreign_projects(w, p)
        for period in pr.periods.all()
        for e in period.expenses.all()
    ],
    "opendata:dataset_edit": lambda w, p: [{"pk": d.pk} for d in foreign_datasets(w, p)],
    "opendata:dataset_action": lambda w, p: [
        {"pk": d.pk, "action": action}
        for d in foreign_datasets(w, p)
        for action in ("publish", "unpublish", "regenerate")
    ],
    "opendata:dataset_page": lambda w, p: [
        {"sigla": d.province.province.sigla, "slug": d.slug} for d in unpublished_datasets(w)
    ],
    "opendata:download": lambda w, p: [
        {"sigla": d.province.province.sigla, "slug": d.slug, "extension": extension}
        for d in unpublished_datasets(w)
        for extension in ("csv", "json")
    ],
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
OPERATOR = "operatore_economico"


def online(world, name: str) -> list:
    return [objects["online"][name] for objects in world.objects.values()]


def online_lots_refused(world, persona):
    """Only an operator of the platform opens the bid page of a lot open to it (its own bids only there)."""
    return online_lots_not_open(world, persona)


def foreign_online_bids(world, persona):
    """An operator's bids, receipts included, are its own: nobody else reads them."""
    mine = world.operator if persona == OPERATOR else None
    return [bid for bid in online(world, "bid") if bid.operator != mine]


OBJECT_URLS.update(
    {
        "procurement:online_bid": lambda w, p: [
            {"pk": lot.procedure_id, "lot_pk": lot.pk} for lot in online_lots_refused(w, p)
        ],
        "procurement:online_bid_action": lambda w, p: [
            {"pk": lot.procedure_id, "lot_pk": lot.pk, "action": action}
            for lot in online_lots_refused(w, p)
            for action in ("nuova", "documento", "offerta-economica", "conferma", "ritira")
        ],
        "procurement:online_bid_receipt": lambda w, p: [
            {"pk": bid.lot.procedure_id, "lot_pk": bid.lot_id, "bid_pk": bid.pk}
            for bid in foreign_online_bids(w, p)
        ],
        "procurement:bid_session": lambda w, p: [
            {"pk": x.pk} for x in objects_not_managed(w, p, SUA, "online", "procedure")
        ],
        "procurement:open_envelopes": lambda w, p: [
            {"pk": x.pk, "envelope": envelope}
            for x in objects_not_managed(w, p, SUA, "online", "procedure")
            for envelope in ("A", "C")
        ],
        # The log: the SUA of the procedure and the operators that bid on it online.
        "procurement:session_log": lambda w, p: [
            {"pk": x.pk}
            for x in objects_not_managed(w, p, SUA, "online", "procedure")
            if not (p == OPERATOR and x.pk == w.objects["home"]["online"]["procedure"].pk)
        ],
        "procurement:session_minutes": lambda w, p: [
            {"pk": x.pk} for x in objects_not_managed(w, p, SUA, "online", "procedure")
        ],
        "procurement:commission_add": lambda w, p: [
            {"pk": x.pk} for x in objects_not_managed(w, p, SUA, "online", "procedure")
        ],
        "procurement:commission_declaration": lambda w, p: [
            {"pk": m.procedure_id, "member_pk": m.pk}
            for m in objects_not_managed(w, p, SUA, "online", "member")
        ],
        "procurement:integration_request": lambda w, p: [
            {"pk": bid.lot.procedure_id, "bid_pk": bid.pk}
            for bid in objects_not_managed(w, p, SUA, "procedures", "bid")
        ],
        "procurement:technical_score": lambda w, p: [
            {"pk": bid.lot.procedure_id, "bid_pk": bid.pk, "member_pk": member.pk}
            for bid in objects_not_managed(w, p, SUA, "procedures", "bid")
            for member in online(w, "member")
        ],
        # Answered only by the operator asked, whose bid it is: no persona of the matrix is.
        "procurement:integration_answer": lambda w, p: [
            {"pk": r.bid.lot.procedure_id, "lot_pk": r.bid.lot_id, "request_pk": r.pk}
            for r in online(w, "integration")
        ],
        # Sealed until the commission opens its envelope after the deadline: nobody reads it, the SUA neither.
        "procurement:sealed_document": lambda w, p: [
            {"pk": d.bid.lot.procedure_id, "document_pk": d.pk} for d in online(w, "document")
        ],
    }
)


def training(world, name: str) -> list:
    return [objects["training"][name] for objects in world.objects.values()]


TRAINING_OFFICE = {"amministratore_provincia", "funzionario_formazione"}
LOCAL_PEOPLE = {"referente_comune", "personale_comune", "referente_unione"}


def plans_not_readable(world, persona):
    """A Province's plan is read by its training office and its Comuni and Unioni."""
    home = world.objects["home"]["training"]["plan"]
    readers = TRAINING_OFFICE | LOCAL_PEOPLE
    return [plan for plan in training(world, "plan") if not (persona in readers and plan == home)]


def certificates_not_readable(world, persona):
    """A certificate goes to its holder, its Comune's referent and its Province's training office only."""
    home = world.objects["home"]["training"]["completion"]
    readers = TRAINING_OFFICE | {"referente_comune", "personale_comune"}
    return [c for c in training(world, "completion") if not (c == home and persona in readers)]


def editions_not_readable(world, persona):
    """The office reads its Province's editions; its Comuni and Unioni the published ones only."""
    home = world.objects["home"]["training"]
    readable = {home["edition"]} if persona in TRAINING_OFFICE | LOCAL_PEOPLE else set()
    if persona in TRAINING_OFFICE:
        readable.add(home["draft_edition"])
    return [e for e in training(world, "edition") + training(world, "draft_edition") if e not in readable]


# The personas of the home Comune, whose staff member (``personale_comune``) is enrolled in the home edition.
TRAINING_COMUNE = {"referente_comune", "personale_comune"}


def foreign_modules(world, persona):
    """Modules the persona may not read: the office reads its Province's, the Comuni and the Unione of its
    territory the published ones; anybody else none."""
    readers = TRAINING_OFFICE | TRAINING_COMUNE | {"referente_unione"}
    modules = objects_not_managed(world, persona, readers, "training", "module", "draft_module")
    if persona in readers - TRAINING_OFFICE:
        modules.append(world.objects["home"]["training"]["draft_module"])
    return modules


def foreign_paths(world, persona):
    """Paths the persona may not read: as the modules, the office its Province's, the Comuni and the Unione
    of its territory the published ones; anybody else none."""
    readers = TRAINING_OFFICE | TRAINING_COMUNE | {"referente_unione"}
    paths = objects_not_managed(world, persona, readers, "training", "path", "draft_path")
    if persona in readers - TRAINING_OFFICE:
        paths.append(world.objects["home"]["training"]["draft_path"])
    return paths


def foreign_editions(world, persona):
    readers = TRAINING_OFFICE | TRAINING_COMUNE | {"referente_unione"}
    return objects_not_managed(world, persona, readers, "training", "edition")


def training_not_managed(world, persona, name: str):
    return objects_not_managed(world, persona, TRAINING_OFFICE, "training", name)


def foreign_enrolments(world, persona):
    """The home enrolment is of the home Comune's person (the ``personale_comune`` persona)."""
    return objects_not_managed(world, persona, TRAINING_OFFICE | TRAINING_COMUNE, "training", "enrolment")


def sessions_not_signed_in(world, persona):
    """Only a participant enrolled in the edition signs in to its sessions."""
    return objects_not_managed(world, persona, {"personale_comune"}, "training", "session")


OBJECT_URLS.update(
    {
        "training:derive_needs": lambda w, p: [
            {"campaign_pk": c.pk} for c in objects_not_managed(w, p, TRAINING_OFFICE, "training", "campaign")
        ],
        "training:plan": lambda w, p: [{"pk": plan.pk} for plan in plans_not_readable(w, p)],
        "training:plan_add": lambda w, p: [
            {"pk": plan.pk} for plan in objects_not_managed(w, p, TRAINING_OFFICE, "training", "plan")
        ],
        "training:certificate_pdf": lambda w, p: [{"code": c.code} for c in certificates_not_readable(w, p)],
        "training:edition_calendar": lambda w, p: [{"pk": e.pk} for e in editions_not_readable(w, p)],
        # Public, but only for a module in a catalogue or earned by somebody: never a draft.
        "training:badge_class": lambda w, p: [{"pk": e.module_id} for e in training(w, "draft_edition")],
        "training:module_detail": lambda w, p: [{"pk": m.pk} for m in foreign_modules(w, p)],
        "training:staff_detail": lambda w, p: [{"pk": s.pk} for s in foreign_training_staff(w, p)],
        # Training paths: read as the modules; written and published by the office of their Province only.
        "training:path_detail": lambda w, p: [{"pk": path.pk} for path in foreign_paths(w, p)],
        **{
            name: lambda w, p: [
                {"pk": path.pk}
                for path in objects_not_managed(w, p, TRAINING_OFFICE, "training", "path", "draft_path")
            ]
            for name in ("training:path_edit", "training:path_publish", "training:path_unpublish")
        },
        **{
            name: lambda w, p: [
                {"pk": m.pk}
                for m in objects_not_managed(w, p, TRAINING_OFFICE, "training", "module", "draft_module")
            ]
            for name in (
                "training:module_edit",
                "training:module_publish",
                "training:edition_create",
                "training:test_questions",
            )
        },
        **{
            name: lambda w, p: [{"pk": e.pk} for e in foreign_editions(w, p)]
            for name in ("training:edition_detail", "training:enrol", "training:enrolment_request")
        },
        "training:edition_action": lambda w, p: [
            {"pk": e.pk, "action": action}
            for e in training_not_managed(w, p, "edition")
            for action in ("apri", "chiudi", "annulla", "completa")
        ],
        "training:session_add": lambda w, p: [{"pk": e.pk} for e in training_not_managed(w, p, "edition")],
        "training:register": lambda w, p: [{"pk": s.pk} for s in training_not_managed(w, p, "session")],
        "training:sign_in": lambda w, p: [{"pk": s.pk} for s in sessions_not_signed_in(w, p)],
        **{
            name: lambda w, p: [{"pk": e.pk} for e in foreign_enrolments(w, p)]
            for name in ("training:enrolment_cancel", "training:enrolment_decide")
        },
        # The files of an edition (its register, its certificates): the training office that runs it only.
        **{
            name: lambda w, p: [{"pk": e.pk} for e in training_not_managed(w, p, "edition")]
            for name in (
                "training:register_csv",
                "training:register_xlsx",
                "training:completions_csv",
                "training:completions_xlsx",
            )
        },
        # The final test's questions, a second attempt, the satisfaction results and the revocation: the
        # training office of the Province that runs the edition only.
        **{
            name: lambda w, p: [{"pk": q.pk} for q in training_not_managed(w, p, "test_question")]
            for name in ("training:test_question_edit", "training:test_question_delete")
        },
        **{
            name: lambda w, p: [
                {"pk": e.pk}
                for e in objects_not_managed(w, p, TRAINING_OFFICE, "training", "edition", "draft_edition")
            ]
            for name in ("training:test_retry", "training:satisfaction_results")
        },
        "training:certificate_revoke": lambda w, p: [
            {"code": c.code} for c in training_not_managed(w, p, "completion")
        ],
        # The test and the questionnaire: the participant enrolled in the edition (who completed it) only.
        **{
            name: lambda w, p: [{"pk": e.pk} for e in editions_not_taken(w, p)]
            for name in ("training:final_test", "training:satisfaction")
        },
    }
)


def editions_not_taken(world, persona):
    """The home edition is the ``personale_comune`` persona's (enrolled, completed); nobody else's."""
    editions = objects_not_managed(
        world, persona, {"personale_comune"}, "training", "edition", "draft_edition"
    )
    if persona == "personale_comune":
        editions.append(world.objects["home"]["training"]["draft_edition"])
    return editions


def online_lots_not_open(world, persona):
    """Lots on which the persona may not bid: for the operator those of negotiated procedures it is not
    invited to (it gets a 404, as for a lot that does not exist), for any other role all of them (403)."""
    lots = online(world, "lot")
    if persona != OPERATOR:
        return lots
    return [lot for lot in lots if not lot.invitations.filter(operator=world.operator).exists()]


def foreign_sealed_documents(world, persona):
    """Another operator's documents, asked for through each lot (the persona's own one included)."""
    mine = world.operator if persona == OPERATOR else None
    return [
        {"lot_id": lot.pk, "document_id": document.pk}
        for document in online(world, "document")
        if document.bid.operator != mine
        for lot in online(world, "lot")
    ]


def integration_requests_not_addressed(world, persona):
    """A soccorso istruttorio's request is read and answered only by the operator it is addressed to."""
    mine = world.operator if persona == OPERATOR else None
    return [r for r in online(world, "integration") if r.bid.operator != mine]


def notice_names(world, persona) -> set[str]:
    """What the notices of the online procedures open to the persona name: their object, SUA and buyer."""
    if persona != OPERATOR:
        return set()
    return {
        name
        for lot in online(world, "lot")
        if lot.invitations.filter(operator=world.operator).exists()
        for name in (lot.procedure.title, lot.title, lot.procedure.province.name, lot.municipality.name)
    }


BIDDING_API = "/api/v1/procurement/bidding"
OPERATOR_LOT_OPERATIONS = (
    f"GET {BIDDING_API}/lots/{{lot_id}}/bid",
    f"POST {BIDDING_API}/lots/{{lot_id}}/bid/documents",
    f"PUT {BIDDING_API}/lots/{{lot_id}}/bid/economic-offer",
    f"PUT {BIDDING_API}/lots/{{lot_id}}/bid/grouping",
    f"POST {BIDDING_API}/lots/{{lot_id}}/bid/submit",
    f"POST {BIDDING_API}/lots/{{lot_id}}/bid/withdraw",
)

# List pages: no row of another tenant may appear (checked by the other tenants' names).
LIST_URLS = {
    "training:needs",
    "training:plans",
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
    "projects:application_list",
    "projects:project_list",
    "projects:results",
    "projects:national",
    "projects:projects_csv",
    "opendata:manage",
    "eufunds:call_list",
    "insights:campaign_list",
    "insights:editions",
    "insights:questionnaire_list",
    "insights:service_list",
    "indicators:national",
    "procurement:dashboard",
    "procurement:procedure_list",
    "procurement:national_dashboard",
    "procurement:procedures_csv",
    "training:module_list",
    "training:path_list",
    "training:staff_list",
    # The 40-hour ledger: the training office's territory, a referent's own staff; everybody else is refused.
    "training:ledger",
    "training:ledger_csv",
    "training:ledger_xlsx",
    # The training dashboards: a referent's own organisation, the office's Province and its territory, UPI's
    # counts per Province (no person); each refused to every other role.
    "training:dashboard_comune",
    "training:dashboard_comune_csv",
    "training:dashboard_province",
    "training:dashboard_province_csv",
    "training:dashboard_national",
    "training:dashboard_national_csv",
}

# --- Inbox: a person's notices are theirs alone, whatever organisation they act for (inbox/testing.py) --------
# Marking all read and the e-mail preferences act on the signed-in person only; another person's notice is a
# 404; the inbox lists no notice of anybody else (their subjects are checked in foreign_names).


def foreign_notifications(world, persona):
    from casacomuni.inbox.models import Notification

    return list(Notification.objects.exclude(recipient=world.personas[persona]))


OWN_URLS |= {"inbox:read_all", "inbox:preferences"}
OBJECT_URLS["inbox:open"] = lambda w, p: [{"pk": notice.pk} for notice in foreign_notifications(w, p)]
LIST_URLS.add("inbox:list")

# API operations ("METHOD /path" as in the OpenAPI document).
# --- The help desk (sportello): a request is read by its Comune and by the office of its service in its Province;
# internal notes, drafts of the FAQ and the categories by that office only (see helpdesk/testing.py).
HELPDESK_SUA_OFFICE = {"amministratore_provincia", "funzionario_sua"}
HELPDESK_COMUNE = {"referente_comune", "personale_comune"}
HELPDESK_PROVINCE = {"amministratore_provincia", "funzionario_sua", "funzionario_europa", "funzionario_dati"}
HELPDESK_PROVINCE |= {"funzionario_formazione"}


def helpdesk(world, name: str) -> list:
    return [objects["helpdesk"][name] for objects in world.objects.values()]


def help_requests_not_readable(world, persona):
    return objects_not_managed(world, persona, HELPDESK_SUA_OFFICE | HELPDESK_COMUNE, "helpdesk", "request")


def helpdesk_names_not_readable(world, persona) -> list[str]:
    """Subjects of requests and FAQ questions the persona may not read: a published entry is read in its
    Province (its offices, Comuni and Unione), a draft by its office only."""
    names = [r.subject for r in help_requests_not_readable(world, persona)]
    names += [
        f.question for f in objects_not_managed(world, persona, HELPDESK_SUA_OFFICE, "helpdesk", "draft_faq")
    ]
    readers = HELPDESK_PROVINCE | HELPDESK_COMUNE | {"referente_unione"}
    names += [f.question for f in objects_not_managed(world, persona, readers, "helpdesk", "faq")]
    return names


OWN_URLS |= {"helpdesk:create"}
LIST_URLS |= {"helpdesk:list", "helpdesk:faq", "helpdesk:kpis", "helpdesk:categories"}
OBJECT_URLS.update(
    {
        **{
            name: lambda w, p: [{"pk": r.pk} for r in help_requests_not_readable(w, p)]
            for name in ("helpdesk:detail", "helpdesk:faq_from_request")
        },
        # Every step reads the request through the same for_user (views/requests.py get_request): one step of
        # the office, its internal note and one of the Comune's stand for the eight.
        "helpdesk:step": lambda w, p: [
            {"pk": r.pk, "step": step}
            for r in help_requests_not_readable(w, p)
            for step in ("risolvi", "nota", "riapri")
        ],
        "helpdesk:attachment": lambda w, p: [
            {"pk": a.request_id, "attachment_pk": a.pk}
            for a in objects_not_managed(
                w, p, HELPDESK_SUA_OFFICE | HELPDESK_COMUNE, "helpdesk", "attachment"
            )
        ],
        "helpdesk:faq_edit": lambda w, p: [
            {"pk": f.pk}
            for f in objects_not_managed(w, p, HELPDESK_SUA_OFFICE, "helpdesk", "faq", "draft_faq")
        ],
        "helpdesk:category_edit": lambda w, p: [
            {"pk": c.pk} for c in objects_not_managed(w, p, HELPDESK_SUA_OFFICE, "helpdesk", "category")
        ],
    }
)


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
    # Published datasets only (see test_public_datasets_api_lists_only_published_ones).
    "GET /api/v1/opendata/datasets",
}
# The statistics of the caller's own Province or Comune (another Province's sigla: see
# test_procurement_stats_of_another_province_are_refused).
OWN_OPERATIONS = {"GET /api/v1/me", "GET /api/v1/procurement/stats", "GET /api/v1/training/ledger/me"}
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
    "GET /api/v1/eufunds/applications/{application_id}": lambda w, p: [
        {"application_id": a.pk} for a in foreign_applications(w, p)
    ],
    "POST /api/v1/eufunds/applications/{application_id}/actions/{action}": lambda w, p: [
        {"application_id": a.pk, "action": "withdraw"} for a in foreign_applications(w, p)
    ],
    "GET /api/v1/eufunds/calls/{call_id}": lambda w, p: [{"call_id": c.pk} for c in foreign_calls(w, p)],
    "GET /api/v1/eufunds/calls/{call_id}/eligibility": lambda w, p: [
        {"call_id": c.pk} for c in foreign_calls(w, p)
    ],
    "GET /api/v1/procurement/procedures/{procedure_id}": lambda w, p: [
        {"procedure_id": x.pk} for x in foreign_procedures(w, p)
    ],
    "POST /api/v1/procurement/procedures/{procedure_id}/actions/{action}": lambda w, p: [
        {"procedure_id": x.pk, "action": "cancel"} for x in procedures_not_managed(w, p)
    ],
    "GET /api/v1/insights/campaigns/{campaign_id}": lambda w, p: [
        {"campaign_id": c.pk} for c in foreign_campaigns(w, p)
    ],
    "GET /api/v1/insights/campaigns/{campaign_id}/responses": lambda w, p: [
        {"campaign_id": c.pk} for c in foreign_campaigns(w, p)
    ],
    "POST /api/v1/insights/campaigns/{campaign_id}/responses": lambda w, p: [
        {"campaign_id": c.pk} for c in foreign_campaigns(w, p)
    ],
    "POST /api/v1/insights/responses/{response_id}/reopen": lambda w, p: [
        {"response_id": r.pk} for r in foreign_responses(w, p)
    ],
    "GET /api/v1/eufunds/projects/{project_id}": lambda w, p: [
        {"project_id": pr.pk} for pr in foreign_projects(w, p)
    ],
    "POST /api/v1/eufunds/projects/{project_id}/expenses": lambda w, p: [
        {"project_id": pr.pk} for pr in foreign_projects(w, p)
    ],
    "GET /api/v1/opendata/datasets/{dataset_id}": lambda w, p: [
        {"dataset_id": d.pk} for d in unpublished_datasets(w)
    ],
    "POST /api/v1/opendata/datasets/{dataset_id}/regenerate": lambda w, p: [
        {"dataset_id": d.pk} for d in foreign_datasets(w, p)
    ],
}
OBJECT_OPERATIONS.update(
    {
        **{
            operation: lambda w, p: [{"lot_id": lot.pk} for lot in online_lots_not_open(w, p)]
            for operation in OPERATOR_LOT_OPERATIONS
        },
        f"DELETE {BIDDING_API}/lots/{{lot_id}}/bid/documents/{{document_id}}": foreign_sealed_documents,
        f"GET {BIDDING_API}/receipts/{{code}}.pdf": lambda w, p: [
            {"code": bid.receipt_code} for bid in foreign_online_bids(w, p)
        ],
        # The session is the SUA's; before the deadline it does not name the bidders to the SUA either.
        f"GET {BIDDING_API}/procedures/{{procedure_id}}/session": lambda w, p: [
            {"procedure_id": x.pk} for x in objects_not_managed(w, p, SUA, "online", "procedure")
        ],
        f"POST {BIDDING_API}/procedures/{{procedure_id}}/session/open/{{envelope}}": lambda w, p: [
            {"procedure_id": x.pk, "envelope": envelope}
            for x in objects_not_managed(w, p, SUA, "online", "procedure")
            for envelope in ("A", "C")
        ],
        **{
            f"{method} {BIDDING_API}/procedures/{{procedure_id}}/session/{step}": lambda w, p: [
                {"procedure_id": x.pk} for x in objects_not_managed(w, p, SUA, "online", "procedure")
            ]
            for method, step in (("GET", "commission"), ("POST", "commission"), ("GET", "minutes.pdf"))
        },
        f"POST {BIDDING_API}/procedures/{{procedure_id}}/session/commission/{{member_id}}/declaration": (
            lambda w, p: [
                {"procedure_id": m.procedure_id, "member_id": m.pk}
                for m in objects_not_managed(w, p, SUA, "online", "member")
            ]
        ),
        **{
            f"POST {BIDDING_API}/procedures/{{procedure_id}}/session/bids/{{bid_id}}/{step}": lambda w, p: [
                {"procedure_id": bid.lot.procedure_id, "bid_id": bid.pk}
                for bid in objects_not_managed(w, p, SUA, "procedures", "bid")
            ]
            for step in ("decision", "integration-requests")
        },
        f"PUT {BIDDING_API}/procedures/{{procedure_id}}/session/bids/{{bid_id}}/scores/{{member_id}}": (
            lambda w, p: [
                {"procedure_id": bid.lot.procedure_id, "bid_id": bid.pk, "member_id": member.pk}
                for bid in objects_not_managed(w, p, SUA, "procedures", "bid")
                for member in online(w, "member")
            ]
        ),
        # The log: the SUA of the procedure and the operators that bid on it online (as on the page).
        f"GET {BIDDING_API}/procedures/{{procedure_id}}/session/log": lambda w, p: [
            {"procedure_id": x.pk}
            for x in objects_not_managed(w, p, SUA, "online", "procedure")
            if not (p == OPERATOR and x.pk == w.objects["home"]["online"]["procedure"].pk)
        ],
        f"POST {BIDDING_API}/integration-requests/{{request_id}}/answer": lambda w, p: [
            {"request_id": r.pk} for r in integration_requests_not_addressed(w, p)
        ],
    }
)
TRAINING_API = "/api/v1/training"


def attendance_not_recordable(world, persona):
    """Session and enrolment pairs whose minutes the persona may not record: the training office records them
    in its own sessions for the participants of the same edition; nobody else records any."""
    home = world.objects["home"]["training"]
    return [
        {"session_id": session.pk, "enrolment_id": enrolment.pk}
        for session in training(world, "session")
        for enrolment in training(world, "enrolment")
        if not (persona in TRAINING_OFFICE and session == home["session"] and enrolment == home["enrolment"])
    ]


OBJECT_OPERATIONS.update(
    {
        f"GET {TRAINING_API}/modules/{{module_id}}": lambda w, p: [
            {"module_id": m.pk} for m in foreign_modules(w, p)
        ],
        f"GET {TRAINING_API}/paths/{{path_id}}": lambda w, p: [
            {"path_id": x.pk} for x in foreign_paths(w, p)
        ],
        **{
            operation: lambda w, p: [{"edition_id": e.pk} for e in editions_not_readable(w, p)]
            for operation in (
                f"GET {TRAINING_API}/editions/{{edition_id}}",
                f"GET {TRAINING_API}/editions/{{edition_id}}/enrolments",
                f"POST {TRAINING_API}/editions/{{edition_id}}/enrolments",
            )
        },
        f"POST {TRAINING_API}/enrolments/{{enrolment_id}}/cancel": lambda w, p: [
            {"enrolment_id": e.pk} for e in foreign_enrolments(w, p)
        ],
        f"GET {TRAINING_API}/sessions/{{session_id}}/register": lambda w, p: [
            {"session_id": s.pk} for s in training_not_managed(w, p, "session")
        ],
        f"PUT {TRAINING_API}/sessions/{{session_id}}/register/{{enrolment_id}}": attendance_not_recordable,
        f"GET {TRAINING_API}/completions/{{completion_id}}": lambda w, p: [
            {"completion_id": c.pk} for c in certificates_not_readable(w, p)
        ],
    }
)
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
    "POST /api/v1/eufunds/applications/{application_id}/actions/{action}": {"note": ""},
    "POST /api/v1/insights/campaigns/{campaign_id}/responses": {"answers": {}, "submit": False},
    "POST /api/v1/procurement/procedures/{procedure_id}/actions/{action}": {"reason": "Annullata per prova"},
    "POST /api/v1/insights/responses/{response_id}/reopen": {"reason": "Dato da correggere"},
    f"PUT {BIDDING_API}/lots/{{lot_id}}/bid/economic-offer": {
        "discount_percent": "10.0000",
        "labour_costs": "1000.00",
        "safety_costs": "100.00",
    },
    f"PUT {BIDDING_API}/lots/{{lot_id}}/bid/grouping": {"grouping": "single", "members": []},
    f"POST {BIDDING_API}/procedures/{{procedure_id}}/session/commission": {
        "name": "Anna Verdi",
        "role": "member",
    },
    f"POST {BIDDING_API}/procedures/{{procedure_id}}/session/bids/{{bid_id}}/decision": {"decision": "admit"},
    f"POST {BIDDING_API}/procedures/{{procedure_id}}/session/bids/{{bid_id}}/integration-requests": {
        "text": "Manca la garanzia.",
        "days": 5,
    },
    f"PUT {BIDDING_API}/procedures/{{procedure_id}}/session/bids/{{bid_id}}/scores/{{member_id}}": {
        "coefficients": {"A": "1"}
    },
    f"POST {TRAINING_API}/editions/{{edition_id}}/enrolments": {"person_id": 1},
    f"PUT {TRAINING_API}/sessions/{{session_id}}/register/{{enrolment_id}}": {"minutes": 10},
}
# A callable gives a fresh form each time (an uploaded file is read once).
OPERATION_FORMS = {
    f"POST {BIDDING_API}/lots/{{lot_id}}/bid/documents": lambda: {
        "envelope": "A",
        "kind": "espd",
        "file": espd_upload(),
    },
    "POST /api/v1/agreements/{agreement_id}/transitions": lambda: {"transition": "activate"},
    f"POST {BIDDING_API}/integration-requests/{{request_id}}/answer": lambda: {"answer": "Allegata."},
    "POST /api/v1/procurement/requests/{request_id}/attachments": lambda: {
        "kind": "specifications",
        "file": SimpleUploadedFile(
            "capitolato.pdf", act_pdf(["Documento di prova"]), content_type="application/pdf"
        ),
    },
    "POST /api/v1/eufunds/projects/{project_id}/expenses": lambda: {
        "period": "1",
        "description": "Fattura",
        "amount": "100.00",
        "date": "2026-01-15",
        "file": SimpleUploadedFile("fattura.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    },
    "POST /api/v1/operators/{registration_id}/documents": lambda: {
        "kind": "durc",
        "expires_on": "2030-01-01",
        "file": SimpleUploadedFile(
            "durc.pdf", act_pdf(["Documento di prova"]), content_type="application/pdf"
        ),
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
    "GET /api/v1/eufunds/applications",
    "GET /api/v1/eufunds/projects",
    "GET /api/v1/eufunds/kpis",
    "GET /api/v1/eufunds/calls",
    "GET /api/v1/insights/campaigns",
    "GET /api/v1/procurement/procedures",
    # Values name comuni by ISTAT code: see test_indicator_values_of_hidden_comuni_are_not_listed.
    "GET /api/v1/insights/indicators",
    # An operator's own bids: the procedures open to it now, its receipts (see NOTICE_LISTS).
    f"GET {BIDDING_API}/procedures",
    f"GET {BIDDING_API}/receipts",
    f"GET {BIDDING_API}/integration-requests",
    # Training: the catalogue of the caller's Province, the completions and the ledger of the staff it reads.
    f"GET {TRAINING_API}/modules",
    f"GET {TRAINING_API}/paths",
    f"GET {TRAINING_API}/editions",
    f"GET {TRAINING_API}/completions",
    f"GET {TRAINING_API}/ledger",
    f"GET {TRAINING_API}/ledger/summary",
}
# Lists of procedures open to an operator and of its receipts: they name what the published notice names (the
# object, the SUA's Province, the buying Comune), also when that is another tenant of the platform.
NOTICE_LISTS = {f"GET {BIDDING_API}/procedures", f"GET {BIDDING_API}/receipts"}
# Writes whose body names the rows they act on: the matrix names other tenants' rows (see below).
WRITE_OPERATIONS = {
    "POST /api/v1/agreements",
    "POST /api/v1/procurement/requests",
    "POST /api/v1/operators",
    "POST /api/v1/eufunds/applications",
    "POST /api/v1/opendata/datasets",
    "POST /api/v1/eufunds/imports",
    "POST /api/v1/insights/campaigns",
    "POST /api/v1/procurement/procedures",
}
# Lists where a Comune's own Province appears as the other party (of its agreements, of its requests).
COUNTERPARTY_LISTS = {
    "GET /api/v1/agreements",
    "GET /api/v1/procurement/requests",
    "procurement:request_list",
    # An operator's own entries name the Provinces whose albo it joined.
    "GET /api/v1/operators",
    "procurement:register_mine",
    # The procedures of a Comune's lots are run by its Province's SUA.
    "GET /api/v1/procurement/procedures",
    "procurement:procedure_list",
    # The training modules and paths a Comune reads are its Province's (each names the Province that runs it).
    f"GET {TRAINING_API}/modules",
    f"GET {TRAINING_API}/paths",
    # The campaigns sent to a Comune come from its Province.
    "GET /api/v1/insights/campaigns",
    "insights:campaign_list",
}
# --- The model library -------------------------------------------------------------------------------------
# UPI's published models are read by everyone; a Province's published models (its own and its adopted copies) by
# its people, its Comuni and Unioni, and UPI; a draft by its own library only (see LibraryModelQuerySet.for_user).
PROVINCE_PEOPLE = {
    "amministratore_provincia",
    "funzionario_sua",
    "funzionario_europa",
    "funzionario_dati",
    "funzionario_formazione",
}
LOCAL_READERS = {"referente_comune", "personale_comune", "referente_unione"}


def library_models(world) -> dict:
    """Every model of the matrix, by (side, name); UPI's under ("national", name)."""
    found = {("national", name): world.library_national[name] for name in ("national", "national_draft")}
    for side in ("home", "elsewhere"):
        for name in ("own", "draft", "copy"):
            found[(side, name)] = world.objects[side]["library"][name]
    return found


def library_models_not_readable(world, persona):
    def readable(side, name):
        if side == "national":
            return name == "national" or persona == "dirigente_upi"
        if persona == "dirigente_upi":
            return name != "draft"
        return side == "home" and (
            persona in PROVINCE_PEOPLE or (persona in LOCAL_READERS and name != "draft")
        )

    return [model for (side, name), model in library_models(world).items() if not readable(side, name)]


def library_models_not_editable(world, persona):
    def editable(side):
        return (side == "national" and persona == "dirigente_upi") or (
            side == "home" and persona in PROVINCE_PEOPLE
        )

    return [model for (side, _name), model in library_models(world).items() if not editable(side)]


def library_versions(models) -> list:
    return [version for model in models for version in model.versions.all()]


def library_versions_refused(world, persona, roles: set):
    """Versions the persona may not start from, adopt: all of them for a persona without ``roles``, the
    unreadable ones for the others (a readable one of the wrong kind is refused with a message on its page)."""
    if persona not in roles:
        return library_versions(library_models(world).values())
    return library_versions(library_models_not_readable(world, persona))


def library_copies_not_updatable(world, persona):
    """Copies (and models) whose update the persona may not see or act on: only the home Province's people
    update the home copy."""
    home_copy = world.objects["home"]["library"]["copy"]
    return [m for m in library_models(world).values() if not (m == home_copy and persona in PROVINCE_PEOPLE)]


OWN_URLS |= {"library:model_create"}  # a model goes into the actor's own library (the service decides which)
LIST_URLS |= {
    "library:model_list",
    "library:transfer",
}  # the transfer: UPI's aggregates; anyone else is refused
# A Comune reads its own Province's library: the Province's name is the owner of what it lists.
COUNTERPARTY_LISTS |= {"library:model_list"}
OBJECT_URLS.update(
    {
        "library:model_detail": lambda w, p: [{"pk": m.pk} for m in library_models_not_readable(w, p)],
        "library:version_create": lambda w, p: [{"pk": m.pk} for m in library_models_not_editable(w, p)],
        **{
            name: lambda w, p: [{"pk": m.pk} for m in library_copies_not_updatable(w, p)]
            for name in ("library:update", "library:update_accept", "library:update_dismiss")
        },
        "library:version_publish": lambda w, p: [
            {"pk": v.pk} for v in library_versions(library_models_not_editable(w, p))
        ],
        "library:version_adopt": lambda w, p: [
            {"pk": v.pk} for v in library_versions_refused(w, p, PROVINCE_PEOPLE)
        ],
        "library:start_template": lambda w, p: [
            {"pk": v.pk} for v in library_versions_refused(w, p, {"amministratore_provincia"})
        ],
        "library:start_questionnaire": lambda w, p: [
            {"pk": v.pk}
            for v in library_versions_refused(w, p, {"amministratore_provincia", "funzionario_dati"})
        ],
        "library:file_download": lambda w, p: [
            {"pk": f.pk}
            for version in library_versions(library_models_not_readable(w, p))
            for f in version.files.all()
        ],
    }
)

# UPI reads the audit chains of the Provinces by design (see audit.models), where the SUA's procedures
# name the requests they were built from.
AUDIT_LISTS = {"audit:events", "GET /api/v1/audit/events"}


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
def tenant_world(world):
    """The world with a token, an audit trail, a catalogue, agreements with their acts, a request to join and
    a document template on each side, so that every kind of object exists twice."""
    from django.db import transaction

    from casacomuni.accounts.actor import Actor
    from casacomuni.accounts.services import create_api_token
    from casacomuni.audit.services import record_event

    for name, membership in world.memberships.items():
        create_api_token(
            Actor(user=world.personas[name], membership=membership),
            membership,
            f"token {name}",
            timezone.now() + timedelta(days=1),
        )
    for side in (world.home, world.elsewhere):
        for organization in (side.province_org, side.comune, side.sibling_comune, side.union):
            with transaction.atomic():
                record_event(Actor.system("test"), "test.event", organization, {}, organization=organization)
        add_agreements(side)
        add_document_template(side, world.personas["amministratore_provincia"])
        add_procurement(side)
    add_register(world, world.home, world.operator)
    add_register(world, world.elsewhere, world.other_operator)
    add_join_requests(world)
    add_pillar_objects(world)
    add_online_bids(world)
    return world


def add_pillar_objects(world) -> None:
    """One of each object of the EU-funds and data pillars on each side, from each app's own factory:
    ``world.objects[side][app][name]``."""
    from casacomuni.agenda.testing import add_agenda
    from casacomuni.eufunds.testing import add_eufunds, add_national_catalogue
    from casacomuni.experiences.testing import add_experiences
    from casacomuni.helpdesk.testing import add_helpdesk
    from casacomuni.inbox.testing import add_inbox
    from casacomuni.indicators.testing import add_indicators
    from casacomuni.insights.testing import add_insights
    from casacomuni.library.testing import add_library
    from casacomuni.opendata.testing import add_opendata
    from casacomuni.procurement.procedures.testing import add_procedure_history
    from casacomuni.procurement.testing import add_procedures
    from casacomuni.projects.testing import add_projects
    from casacomuni.training.testing import add_training

    world.national = add_national_catalogue()
    world.objects = {}
    for name, side in (("home", world.home), ("elsewhere", world.elsewhere)):
        world.objects[name] = {
            "eufunds": add_eufunds(side, world),
            "projects": add_projects(side, world),
            "insights": add_insights(side, world),
            "procedures": add_procedures(side, world),
            "procedure_history": add_procedure_history(side, world),
            "indicators": add_indicators(side, world),
            "opendata": add_opendata(side, world),
            "training": add_training(side, world),
            "experiences": add_experiences(side, world),
            "helpdesk": add_helpdesk(side, world),
            "inbox": add_inbox(side, world),
            "library": add_library(side, world),
            # Last: it moves the dates of the objects above to today, for the calendars and feeds.
            "agenda": add_agenda(side, world),
        }


def add_online_bids(world) -> None:
    from casacomuni.procurement.bidding.testing import add_online_bids as add

    add(world)


def add_join_requests(world) -> None:
    """A person asks to act for each operator."""
    from casacomuni.accounts.models import OperatorJoinRequest
    from casacomuni.accounts.testing import make_user

    for operator in (world.operator, world.other_operator):
        OperatorJoinRequest.objects.create(operator=operator, user=make_user(f"richiedente_{operator.pk}"))


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


def body_of(response) -> bytes:
    """The whole body, also of a streamed response (the CSV exports)."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def login(client, world, persona):
    client.force_login(world.personas[persona])
    session = client.session
    session["casacomuni_membership_id"] = world.memberships[persona].pk
    session.save()


def check_object_pages_of_other_tenants_are_unreachable(client, tenant_world, persona):
    for name, foreign in OBJECT_URLS.items():
        for kwargs in foreign(tenant_world, persona):
            url = reverse(name, kwargs=kwargs)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code in (403, 404, 405), (
                    f"{persona} {method.upper()} {url}: {response.status_code}"
                )


def check_list_pages_show_no_other_tenant(client, tenant_world, persona):
    for name in LIST_URLS:
        response = client.get(reverse(name))
        assert response.status_code in (200, 403), f"{persona} {name}: {response.status_code}"
        content = body_of(response).decode(errors="replace")
        leaked = [foreign for foreign in foreign_names(tenant_world, persona, name) if foreign in content]
        assert not leaked, f"{persona} sees {leaked} on {name}"


def check_api_objects_of_other_tenants_are_unreachable(client, tenant_world, persona):
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


def check_api_lists_show_no_other_tenant(client, tenant_world, persona):
    for operation in LIST_OPERATIONS:
        method, path = operation.split(" ", 1)
        response = client.generic(method, f"{path}?limit=500")
        assert response.status_code in (200, 403), f"{persona} {operation}: {response.status_code}"
        names = foreign_names(tenant_world, persona, operation)
        leaked = [foreign for foreign in names if foreign in response.content.decode()]
        assert not leaked, f"{persona} sees {leaked} through {operation}"


def check_api_writes_naming_other_tenants_rows_change_nothing(client, tenant_world, persona):
    """An agreement sent to another tenant's Comune, with another Province's service, is refused."""
    from casacomuni.agreements.models import Agreement, Service

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
        if response.status_code == 405:  # a form that only takes POST: anonymous posts go to the login too
            response = client.post(reverse(name))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"], name


def test_anonymous_api_calls_are_refused(client, tenant_world):
    for operation in OWN_OPERATIONS | LIST_OPERATIONS | WRITE_OPERATIONS:
        method, path = operation.split(" ", 1)
        response = client.generic(method, path)
        assert response.status_code == 401, operation


def check_api_requests_to_another_provinces_sua_change_nothing(client, tenant_world, persona):
    """A procurement request addressed to the SUA of another Province is refused, whoever sends it."""
    from casacomuni.procurement.requests.models import ProcurementRequest

    before = ProcurementRequest.objects.count()
    body = REQUEST_BODY | {"province": tenant_world.elsewhere.province_org.pk}
    response = client.post("/api/v1/procurement/requests", body, content_type="application/json")
    assert response.status_code in (400, 403), f"{persona}: {response.status_code} {response.content[:200]}"
    assert response["Content-Type"].startswith("application/problem+json")
    assert ProcurementRequest.objects.count() == before


def check_api_entries_in_the_albo_land_only_in_an_albo_the_persona_may_write(client, tenant_world, persona):
    """An operator applies (pending) to whichever albo it names; the SUA enters operators only in its own albo,
    whatever Province the body names; every other role is refused and nothing is written."""
    from casacomuni.procurement.register.models import RegisteredOperator
    from casacomuni.procurement.testing import operator_data

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


def test_public_datasets_api_lists_only_published_ones(client, tenant_world):
    response = client.get("/api/v1/opendata/datasets?limit=500")
    listed = {item["id"] for item in response.json()["items"]}
    assert not listed & {d.pk for d in unpublished_datasets(tenant_world)}
    assert {objects["opendata"]["dataset"].pk for objects in tenant_world.objects.values()} <= listed


def check_indicator_values_of_hidden_comuni_are_not_listed(client, tenant_world, persona):
    response = client.get("/api/v1/insights/indicators?limit=500")
    assert response.status_code in (200, 403), f"{persona}: {response.status_code}"
    if response.status_code == 200:
        listed = {item["municipality"] for item in response.json()["items"]}
        hidden = {m.istat_code for m in hidden_municipalities(tenant_world, persona)}
        assert not listed & hidden, f"{persona} sees the values of {sorted(listed & hidden)}"


def check_procurement_stats_of_another_province_are_refused(client, tenant_world, persona):
    response = client.get(f"/api/v1/procurement/stats?province={tenant_world.elsewhere.province.sigla}")
    if persona == "dirigente_upi":
        assert response.status_code == 200
    else:
        assert response.status_code in (403, 404), f"{persona}: {response.status_code}"


# --- Experiences (network pillar): published ones are public, the others their Province's and UPI's -----------


def experiences(world, *names: str) -> list:
    return [objects["experiences"][name] for objects in world.objects.values() for name in names]


def own_province_experience(world, persona, experience) -> bool:
    return PERSONAS[persona][0] == "home.province_org" and experience.province == world.home.province_org


def experiences_not_readable(world, persona):
    """Unpublished experiences: UPI reads them all (it reviews them), a Province's people their own only."""
    if persona == "dirigente_upi":
        return []
    unpublished = experiences(world, "draft", "submitted")
    return [e for e in unpublished if not own_province_experience(world, persona, e)]


def experiences_not_authored(world, persona):
    """Every experience but the persona's own Province's: only its people change and submit them."""
    every = experiences(world, "published", "draft", "submitted")
    return [e for e in every if not own_province_experience(world, persona, e)]


def experience_documents_not_readable(world, persona):
    unreadable = experiences_not_readable(world, persona)
    return [d for d in experiences(world, "draft_document") if d.experience in unreadable]


def experience_documents_not_authored(world, persona):
    documents = experiences(world, "draft_document", "published_document")
    return [d for d in documents if not own_province_experience(world, persona, d.experience)]


def experiences_not_replicable(world, persona):
    """A Province's people replicate the published experiences they read; anybody else none."""
    if PERSONAS[persona][0] == "home.province_org":
        return experiences_not_readable(world, persona)
    return experiences(world, "published", "draft", "submitted")


PUBLIC_URLS |= {"experiences:list", "experiences:map"}
OWN_URLS |= {"experiences:create"}
OBJECT_URLS.update(
    {
        "experiences:detail": lambda w, p: [{"pk": e.pk} for e in experiences_not_readable(w, p)],
        "experiences:document": lambda w, p: [
            {"pk": d.experience_id, "document_pk": d.pk} for d in experience_documents_not_readable(w, p)
        ],
        **{
            name: lambda w, p: [{"pk": e.pk} for e in experiences_not_authored(w, p)]
            for name in ("experiences:edit", "experiences:document_add", "experiences:submit")
        },
        "experiences:document_remove": lambda w, p: [
            {"pk": d.experience_id, "document_pk": d.pk} for d in experience_documents_not_authored(w, p)
        ],
        **{
            name: lambda w, p: (
                [] if p == "dirigente_upi" else [{"pk": e.pk} for e in experiences(w, "submitted")]
            )
            for name in ("experiences:publish", "experiences:return")
        },
        "experiences:replicate": lambda w, p: [{"pk": e.pk} for e in experiences_not_replicable(w, p)],
    }
)
# The API is the public face of the experiences: published ones only, to anybody (UPI included).
PUBLIC_OPERATIONS |= {"GET /api/v1/experiences"}
OBJECT_OPERATIONS["GET /api/v1/experiences/{experience_id}"] = lambda w, p: [
    {"experience_id": e.pk} for e in experiences(w, "draft", "submitted")
]


def check_experience_pages_list_no_unpublished_experience_of_others(client, tenant_world, persona):
    """The list and the map are public: they show the published experiences of every Province, and an
    unpublished one only to its Province and to UPI."""
    hidden = [e.title for e in experiences_not_readable(tenant_world, persona)]
    for name in ("experiences:list", "experiences:map"):
        content = client.get(reverse(name)).content.decode()
        leaked = [title for title in hidden if title in content]
        assert not leaked, f"{persona} sees {leaked} on {name}"


# The calendar (issue 12, item 4): the page is a list; the feed is reached by its secret alone, so a revoked or
# unknown secret must answer 404 to everybody; the feed link is created and revoked for the acting membership.
LIST_URLS.add("agenda:calendar")
# An operator's calendar holds the deadlines of the procedures open to it, which their notices publish.
NOTICE_LISTS.add("agenda:calendar")
OWN_URLS.update({"agenda:feed_create", "agenda:feed_revoke"})
OBJECT_URLS["agenda:feed"] = lambda w, p: [{"token": w.revoked_feed_token}, {"token": "non-emesso"}]


def check_calendar_and_feed_show_only_what_the_persona_may_open(client, tenant_world, persona):
    """The persona's feed holds no event of the other Province's objects, and every event it holds (the same
    as the calendar page's) links to a page the persona opens."""
    from urllib.parse import urlsplit

    import icalendar

    response = client.get(reverse("agenda:feed", args=[tenant_world.feed_tokens[persona]]))
    assert response.status_code == 200, f"{persona}: {response.status_code}"
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    leaked = {str(event["UID"]) for event in events} & tenant_world.objects["elsewhere"]["agenda"]["uids"]
    assert not leaked, f"{persona} sees {leaked} in its feed"
    for url in {urlsplit(str(event["URL"])).path for event in events}:
        assert client.get(url).status_code == 200, f"{persona} cannot open {url}, linked from its calendar"


# Every check for one persona runs on one world (building it is the slow part): the reads first, then the writes
# that may add rows of the persona's own.
PERSONA_CHECKS = (
    check_object_pages_of_other_tenants_are_unreachable,
    check_list_pages_show_no_other_tenant,
    check_api_objects_of_other_tenants_are_unreachable,
    check_api_lists_show_no_other_tenant,
    check_indicator_values_of_hidden_comuni_are_not_listed,
    check_procurement_stats_of_another_province_are_refused,
    check_api_writes_naming_other_tenants_rows_change_nothing,
    check_api_requests_to_another_provinces_sua_change_nothing,
    check_api_entries_in_the_albo_land_only_in_an_albo_the_persona_may_write,
    check_experience_pages_list_no_unpublished_experience_of_others,
    check_calendar_and_feed_show_only_what_the_persona_may_open,
)


def persona_share(share: int) -> list[str]:
    """One of three shares of the personas. The matrix takes minutes: it is split over the modules
    test_cross_tenant_share_1/_2/_3, because the parallel workers take a module each (and scripts/test runs the
    first two on SQLite, the third on PostgreSQL: ADR 0010)."""
    return sorted(PERSONAS)[share::3]


def check_persona(client, tenant_world, persona):
    login(client, tenant_world, persona)
    for check in PERSONA_CHECKS:
        check(client, tenant_world, persona)


# --- Confidentiality until the deadline for offers (art. 35 c.2 lett. a-b, c.3 D.Lgs. 36/2023) ---------------
# Before the deadline only the SUA running the procedure knows who was invited, who bid and how many bid; the
# buyer Comune, the operators (invited or not) and the public learn it once the deadline has passed. Every
# output that shows them is asked, by each persona, before and after.


@pytest.fixture
def bids_being_received(world):
    """A negotiated procedure of the home SUA taking offers: two operators invited, both have bid."""
    from casacomuni.procurement.procedures import services as ps
    from casacomuni.procurement.procedures.models import Invitation
    from casacomuni.procurement.testing import make_operators, make_procedure, make_registration, sua_officer

    procedure = make_procedure(world.home, world, state="bids_open", title="Scuola di prova: gara riservata")
    assert procedure.uses_invitations
    lot = procedure.lots.get()
    make_registration(world.home.province_org, world.operator)
    invited = [world.operator, make_operators(world.home, 1, prefix="Invitata riservata")[0]]
    for operator in invited:
        Invitation.objects.create(
            procedure=procedure, lot=lot, operator=operator, reason="Iscritta all'albo."
        )
        ps.record_bid(
            sua_officer(world.home), lot, ps.BidData(operator.pk, timezone.now(), discount_percent="9")
        )
    return procedure, [operator.name for operator in invited]


def pass_the_deadline(procedure) -> None:
    type(procedure).objects.filter(pk=procedure.pk).update(bid_deadline=timezone.now() - timedelta(minutes=1))


def bids_received_on_the_public_page(client, procedure) -> str:
    page = client.get(reverse("procurement:procedure_public", args=[procedure.pk])).content.decode()
    row = page.split('id="public-lots"')[1].split("</tbody>")[0]
    return row.split('<td class="text-end">')[2].split("</td>")[0].strip()


def csv_bids_received(client) -> list[str]:
    import csv as csv_module

    body = b"".join(client.get(reverse("procurement:procedures_csv")).streaming_content).decode("utf-8-sig")
    rows = list(csv_module.reader(body.splitlines(), delimiter=";"))
    column = rows[0].index("Offerte ricevute")
    return [row[column] for row in rows[1:] if "Scuola di prova" in row[2]]


@pytest.mark.parametrize("persona", [None, "operatore_economico", "referente_comune", "personale_comune"])
def test_nobody_but_the_sua_learns_invitees_bidders_or_their_number_before_the_deadline(
    client, world, bids_being_received, persona
):
    procedure, names = bids_being_received
    if persona:
        client.force_login(world.personas[persona])
    if (
        persona == "operatore_economico"
    ):  # an invited bidder knows itself (its name heads every page), not the others
        names = [name for name in names if name != world.operator.name]
    public = client.get(reverse("procurement:procedure_public", args=[procedure.pk])).content.decode()
    assert bids_received_on_the_public_page(client, procedure) == "—"
    assert 'id="bids-confidential"' in public and not any(name in public for name in names)
    releases = client.get(reverse("ocds:releases")).content.decode()
    assert procedure.ocid in releases and not any(name in releases for name in names)
    if persona in BUYERS:
        invitations = client.get(
            reverse("procurement:procedure_detail", args=[procedure.pk]) + "?scheda=inviti"
        )
        assert 'id="invitations-confidential"' in invitations.content.decode()
        assert not any(name in invitations.content.decode() for name in names)
        api = client.get(f"/api/v1/procurement/procedures/{procedure.pk}").content.decode()
        assert procedure.title in api and not any(name in api for name in names)
        assert csv_bids_received(client) == [""]

    pass_the_deadline(procedure)
    assert bids_received_on_the_public_page(client, procedure) == "2"
    if persona in BUYERS:
        invitations = client.get(
            reverse("procurement:procedure_detail", args=[procedure.pk]) + "?scheda=inviti"
        )
        assert all(name in invitations.content.decode() for name in names)
        assert csv_bids_received(client) == ["2"]


def test_the_sua_sees_invitees_bidders_and_their_number_while_bids_are_received(
    client, world, bids_being_received
):
    procedure, names = bids_being_received
    client.force_login(world.personas["funzionario_sua"])
    detail = reverse("procurement:procedure_detail", args=[procedure.pk])
    for tab in ("inviti", "offerte"):
        page = client.get(f"{detail}?scheda={tab}").content.decode()
        assert all(name in page for name in names), tab
    assert csv_bids_received(client) == ["2"]
    api = client.get(f"/api/v1/procurement/procedures/{procedure.pk}").json()
    assert sorted(bid["operator"]["name"] for bid in api["lots"][0]["bids"]) == sorted(names)
