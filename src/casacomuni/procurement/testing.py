"""Test data for procurement requests, shared with the cross-tenant matrix.

``sua_adhesion(world, side, party)`` makes ``party`` (a Comune or Unione of ``side``) join the SUA of
``side``'s Province through the agreements services, acts included; ``make_request`` then submits a
request as a referent of ``party`` (through the service: the gate, the router's verdict and the audit
event included), and ``make_attachment`` adds a PDF to it.
"""

import itertools
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Membership
from casacomuni.accounts.roles import Role
from casacomuni.accounts.testing import make_user
from casacomuni.agreements import services as agreements
from casacomuni.agreements.models import Service, ServiceKind
from casacomuni.agreements.rules import lifecycle
from casacomuni.lib.pdf import act_pdf
from casacomuni.procurement.requests import services
from casacomuni.procurement.requests.models import AttachmentKind, RequestAttachment

PDF = act_pdf(["Documento di prova"])


def actor_for(organization, role: str, username: str) -> Actor:
    """An actor with ``role`` in ``organization``: its first such membership, or a new user's."""
    membership = (
        Membership.objects.filter(organization=organization, role=role, is_active=True)
        .select_related("user")
        .first()
    )
    if membership is None:
        membership = Membership.objects.create(user=make_user(username), organization=organization, role=role)
    return Actor.for_membership(membership)


def province_admin(side) -> Actor:
    return actor_for(side.province_org, Role.PROVINCE_ADMIN, f"admin_{side.province.sigla.lower()}")


def referent(party) -> Actor:
    return actor_for(party, Role.MUNICIPALITY_REFERENT, f"referente_{party.pk}")


def sua_adhesion(side, party, start: date | None = None):
    """An agreement in force between ``side``'s Province and ``party`` with an adhesion to its SUA service
    (the service is created if the Province has none), built through the agreements services."""
    admin = province_admin(side)
    today = timezone.localdate()
    start = start or today - timedelta(days=60)
    service = Service.objects.filter(province=side.province_org, kind=ServiceKind.SUA).first()
    if service is None:
        service = agreements.save_service(
            admin,
            agreements.ServiceData(
                kind=ServiceKind.SUA,
                name="Stazione Unica Appaltante",
                description="Gare e contratti per i Comuni",
                delegated_functions=[1, 2],
                cost_model="fixed_fee",
                cost_amount=Decimal(1200),
                cost_minimum=None,
                cost_maximum=None,
                standard_clauses="",
                is_published=True,
            ),
        )
    draft = agreements.AgreementDraft(
        title="Convenzione SUA",
        legal_basis="art. 30 D.Lgs. 267/2000",
        object="Funzioni di centrale di committenza",
        governance="Conferenza dei sindaci",
        data_protection="art. 28 GDPR",
        disputes="Giudice amministrativo",
        start_date=start,
        end_date=start.replace(year=start.year + 3),
        services=[service],
    )
    (agreement,) = agreements.create_agreements(admin, draft, [party])
    day = start - timedelta(days=20)
    steps = [
        (lifecycle.APPROVE_PROVINCE, agreements.ActData(number="12", day=day)),
        (
            lifecycle.APPROVE_MUNICIPALITY,
            agreements.ActData(number="7", day=day, file=SimpleUploadedFile("delibera.pdf", PDF)),
        ),
        (lifecycle.SIGN, agreements.ActData(day=day, file=SimpleUploadedFile("firmata.pdf", PDF))),
        (lifecycle.ACTIVATE, agreements.ActData()),
    ]
    for transition, act in steps:
        agreement = agreements.perform_transition(admin, agreement, transition, act, today=today)
    return agreement.adhesions.get()


def request_data(**fields) -> dict:
    data = {
        "title": "Riqualificazione della scuola primaria",
        "description": "Lavori di adeguamento sismico ed efficientamento energetico.",
        "contract_kind": "works",
        "cpv_code": "45214210",
        "base_amount": Decimal("150000.00"),
        "options_amount": Decimal("0.00"),
        "cup": "",
        "pnrr": False,
        "funding_source": "own_budget",
        "rup_name": "Maria Rossi",
        "rup_fiscal_code": "",
        "desired_award_date": None,
    }
    return data | fields


def make_request(party, user=None, attachments=(), **fields):
    """A request submitted by ``user`` (a persona acting for ``party``), or by a referent of ``party``.

    ``party`` needs an adhesion in force to its Province's SUA (see ``sua_adhesion``).
    """
    actor = Actor(user=user, membership=user.acting_as) if user is not None else referent(party)
    province = fields.pop("province", None)
    data = services.RequestData(**request_data(**fields))
    return services.submit_request(actor, data, attachments, province=province)


def make_attachment(request, name="capitolato.pdf", content=PDF, kind=AttachmentKind.SPECIFICATIONS):
    """A PDF attached to ``request`` directly (the files of another tenant, for the cross-tenant matrix)."""
    attachment = RequestAttachment(request=request, kind=kind, original_name=name, size=len(content))
    attachment.file.save(name, SimpleUploadedFile(name, content), save=False)
    attachment.save()
    return attachment


# --- Market data (ANAC's OCDS releases) ---------------------------------------------------------------------


def make_release(organization, /, **fields):
    """A market release bought by ``organization`` (a Comune or Unione), linked to it and to its comune.

    ``fields`` override any column (``delegated=True`` with a ``procuring_entity_name`` for a release run by
    a SUA; ``year``, ``award_amount``…; ``organization=None`` for a release linked to the comune by name
    only). For the cross-tenant matrix: ``make_release(world.elsewhere.comune)`` is another tenant's
    release, readable at ``procurement:market_release`` only by that Comune and its Province.
    """
    from decimal import Decimal as _Decimal

    from casacomuni.procurement.market.models import MarketRelease
    from casacomuni.procurement.ocds.importer import release_digest

    number = MarketRelease.objects.count() + 1
    ocid = fields.pop("ocid", f"ocds-hu01ve-test{organization.pk}-{number}")
    release = fields.pop("release", {"ocid": ocid, "id": f"{ocid}-1", "buyer": {"name": organization.name}})
    values = {
        "ocid": ocid,
        "release_id": release["id"],
        "date": timezone.now(),
        "date_text": timezone.now().isoformat(),
        "year": timezone.localdate().year,
        "buyer_name": organization.name.upper(),
        "buyer_fiscal_code": organization.fiscal_code,
        "organization": organization,
        "municipality_id": organization.municipality_id,
        # Unique, and no title a prefix of another: the cross-tenant lists search pages for foreign titles.
        "title": f"Manutenzione strade ({organization.name}, n. {number})",
        "main_procurement_category": "works",
        "value_amount": _Decimal("100000.00"),
        "value_currency": "EUR",
        "award_amount": _Decimal("90000.00"),
        "award_currency": "EUR",
        "supplier_names": ["Impresa Alfa S.r.l."],
        "lot_count": 1,
        "cigs": ["B00012EADB"],
        "release": release,
        "digest": release_digest(release),
        "source_file": "test.jsonl",
    }
    values.update(fields)
    return MarketRelease.objects.create(**values)


# --- Operators' register (albo) -----------------------------------------------------------------------------

# Valid codes (check characters computed with python-stdnum, the library the checks use).
OPERATOR_VAT = "00743110157"
REPRESENTATIVE_FISCAL_CODE = "RSSMRA85T10A562S"


def operator_data(**fields) -> dict:
    data = {
        "name": "Impresa Alfa S.r.l.",
        "fiscal_code": OPERATOR_VAT,
        "pec": "impresa.alfa@pec.example.it",
        "legal_representative_name": "Mario Rossi",
        "legal_representative_fiscal_code": REPRESENTATIVE_FISCAL_CODE,
        "address": "Via Roma 1, 31100 Treviso",
    }
    return data | fields


def make_registration(province_org, operator_org=None, **fields):
    """An entry of ``operator_org`` (a new operator when None) in the albo of ``province_org``, written
    directly (no audit event, no e-mail): another tenant's entry for the cross-tenant matrix. ``fields``
    override any column (``state="approved"`` by default); a CPV group (90911, cleaning of buildings) and OG1 class III
    come with it."""
    from casacomuni.accounts.models import Organization
    from casacomuni.accounts.roles import OrganizationKind
    from casacomuni.procurement.register.models import (
        CategoryKind,
        RegisteredOperator,
        RegistrationCategory,
        RegistrationState,
    )

    if operator_org is None:
        number = Organization.objects.filter(kind=OrganizationKind.OPERATOR).count() + 1
        operator_org = Organization.objects.create(
            kind=OrganizationKind.OPERATOR, name=f"Impresa di prova n. {number} S.r.l."
        )
    values = {
        "province": province_org,
        "operator": operator_org,
        "legal_representative_name": "Mario Rossi",
        "legal_representative_fiscal_code": REPRESENTATIVE_FISCAL_CODE,
        "address": "Via Roma 1",
        "state": RegistrationState.APPROVED,
        "approved_at": timezone.now(),
    }
    registration = RegisteredOperator.objects.create(**(values | fields))
    RegistrationCategory.objects.create(registration=registration, kind=CategoryKind.CPV, code="90911")
    RegistrationCategory.objects.create(
        registration=registration, kind=CategoryKind.SOA, code="OG1", soa_class="III"
    )
    return registration


def make_operator_document(registration, kind="durc", expires_on=None, name="durc.pdf", content=PDF):
    """A PDF document of ``registration`` (a DURC in force for 90 more days by default), written directly."""
    from casacomuni.procurement.register.models import OperatorDocument

    today = timezone.localdate()
    document = OperatorDocument(
        registration=registration,
        kind=kind,
        original_name=name,
        size=len(content),
        issued_on=today - timedelta(days=30),
        expires_on=expires_on or today + timedelta(days=90),
    )
    document.file.save(name, SimpleUploadedFile(name, content), save=False)
    document.save()
    return document


# --- Procedures ---------------------------------------------------------------------------------------------


def sua_officer(side) -> Actor:
    return actor_for(side.province_org, Role.SUA_OFFICER, f"sua_{side.province.sigla.lower()}")


def make_accepted_request(side, party, **fields):
    """A request of ``party`` (a Comune or Unione of ``side``, given an adhesion if it has none) accepted by
    the SUA of ``side``."""
    from casacomuni.agreements.models import Adhesion

    if not Adhesion.objects.filter(agreement__municipality=party, service__kind="sua").exists():
        sua_adhesion(side, party)
    request = make_request(party, **fields)
    return services.accept_request(province_admin(side), request, "Presa in carico.")


def make_operators(side, count: int, prefix: str = "Impresa"):
    """``count`` operators approved in the albo of ``side``'s Province (CPV group 90911, SOA OG1 class III)."""
    from casacomuni.accounts.models import Organization
    from casacomuni.accounts.roles import OrganizationKind

    operators = []
    for number in range(count):
        operator = Organization.objects.create(
            kind=OrganizationKind.OPERATOR, name=f"{prefix} {side.province.sigla} {number + 1} S.r.l."
        )
        make_registration(side.province_org, operator)
        operators.append(operator)
    return operators


_CIG_NUMBERS = itertools.count(4096)


def next_cig(letter: str = "B") -> str:
    """A new valid CIG (ANAC's algorithm), a different one at each call."""
    from casacomuni.lib.identifiers import new_cig_check

    number = next(_CIG_NUMBERS)
    return f"{letter}{number:06X}{new_cig_check(letter, number)}"


BID_DISCOUNTS = ("10.5000", "12.2500", "13.1000", "15.0000", "27.9000")


def make_procedure(side, world=None, *, state="draft", discounts=BID_DISCOUNTS, party=None, **request_fields):
    """A procedure of ``side``'s SUA with one lot for ``party`` (the side's Comune by default), taken through the
    services to ``state``: draft, published, bids_open, evaluation (bids recorded, admitted and evaluated),
    proposed_award, awarded or contract_signed. Returns the procedure."""
    from datetime import timedelta as _timedelta

    from casacomuni.procurement.procedures import services as ps
    from casacomuni.procurement.rules import procedure_lifecycle as life

    officer = sua_officer(side)
    party = party or side.comune
    request = make_accepted_request(side, party, **request_fields)
    procedure = ps.create_procedure(officer, [request.pk])
    lot = procedure.lots.get()
    ps.update_lot(
        officer, lot, ps.LotChanges(cig=next_cig(), category="OG1" if procedure.kind == "works" else None)
    )
    deadline = timezone.now() + _timedelta(days=20)
    ps.update_procedure(officer, procedure, ps.ProcedureChanges(bid_deadline=deadline))
    if state == "draft":
        return procedure
    procedure = ps.transition_procedure(officer, procedure, life.PUBLISH)
    if state == "published":
        return procedure
    procedure = ps.transition_procedure(officer, procedure, life.OPEN_BIDS)
    if state == "bids_open":
        return procedure
    bids = [
        ps.record_bid(
            officer, lot, ps.BidData(operator.pk, timezone.now(), discount_percent=discounts[number])
        )
        for number, operator in enumerate(
            make_operators(side, len(discounts), prefix=f"Offerente {procedure.pk}")
        )
    ]
    after = deadline + _timedelta(hours=1)
    procedure = ps.transition_procedure(officer, procedure, life.CLOSE_BIDS, now=after)
    # Bids are admitted once the deadline has passed (rules.procedure_lifecycle.bid_decision_problems).
    for bid in bids:
        ps.decide_bid(officer, bid, ps.ADMIT, now=after)
    procedure = ps.transition_procedure(officer, procedure, life.START_EVALUATION, now=after)
    ps.evaluate_lot(officer, lot)
    if state == "evaluation":
        return procedure
    result = lot.evaluation.result
    for operator_id in [result["winner"]] if result.get("winner") else result.get("tied_for_first", []):
        give_requirements(side, int(operator_id))
    procedure = ps.transition_procedure(officer, procedure, life.PROPOSE_AWARD, now=after)
    if state == "proposed_award":
        return procedure
    ps.award_lot(officer, lot, award_date=timezone.localdate(after))
    procedure = ps.transition_procedure(officer, procedure, life.AWARD, now=after)
    if state == "awarded":
        return procedure
    lot.refresh_from_db()
    ps.record_contract(officer, lot, timezone.localdate(after) + _timedelta(days=30), lot.awarded_amount)
    return ps.transition_procedure(officer, procedure, life.SIGN_CONTRACT, now=after + _timedelta(days=30))


def give_requirements(side, operator_id: int) -> None:
    """A DURC and a SOA certificate in force for 90 more days (issued 30 days ago) in the operator's entry of
    the albo of ``side``'s Province: what the award and the contract check (rules.requirements)."""
    from casacomuni.procurement.register.models import RegisteredOperator

    registration = RegisteredOperator.objects.get(province=side.province_org, operator_id=operator_id)
    make_operator_document(registration, "durc", name=f"durc-{operator_id}.pdf")
    make_operator_document(registration, "soa_certificate", name=f"soa-{operator_id}.pdf")


def add_procedures(side, world) -> dict:
    """One of each procedure object for ``side`` (cross-tenant matrix): a procedure with its lot awarded, its
    bids, evaluation (minutes), an invitation, a clarification; and a draft procedure.

    Who may see them: the SUA (province admin, SUA officer) of ``side``'s Province; the side's Comune (the
    lot's buyer) the procedure, lot, evaluation/minutes, invitations and clarifications, never the bids;
    the bidding operators their own bids; public pages only for published procedures."""
    from casacomuni.procurement.procedures import services as ps
    from casacomuni.procurement.procedures.models import Invitation

    # Titles name the side: the matrix looks for the other side's titles on every list.
    procedure = make_procedure(
        side, world, state="awarded", title=f"Riqualificazione della scuola primaria di {side.comune.name}"
    )
    lot = procedure.lots.get()
    invited = make_operators(side, 1, prefix=f"Invitata {procedure.pk}")[0]
    invitation = Invitation.objects.create(
        procedure=procedure, lot=lot, operator=invited, reason="Operatore iscritto all'albo nella categoria."
    )
    clarification = ps.ask_clarification(sua_officer(side), procedure, "Il sopralluogo è obbligatorio?")
    ps.answer_clarification(
        sua_officer(side),
        clarification,
        "No, è facoltativo.",
        published_question="Il sopralluogo è obbligatorio?",
    )
    draft = make_procedure(side, world, state="draft", title=f"Procedura in bozza di {side.comune.name}")
    return {
        "procedure": procedure,
        "lot": lot,
        "bid": lot.bids.order_by("pk").first(),
        "evaluation": lot.evaluation,
        "invitation": invitation,
        "clarification": clarification,
        "draft_procedure": draft,
    }
