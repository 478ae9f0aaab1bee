"""Online bids for the tests and the cross-tenant matrix, made through the services (sealing included)."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casacomuni.accounts.models import ApiToken, hash_token
from casacomuni.accounts.roles import Role
from casacomuni.lib.pdf import act_pdf
from casacomuni.procurement.bidding import services as bidding
from casacomuni.procurement.bidding.models import (
    CommissionMember,
    DocumentKind,
    Envelope,
    IntegrationRequest,
    OnlineBid,
)
from casacomuni.procurement.procedures import services as ps
from casacomuni.procurement.procedures.models import Invitation, Procedure
from casacomuni.procurement.rules import procedure_lifecycle as life
from casacomuni.procurement.testing import actor_for, make_procedure, sua_officer

# A minimal ESPD response as the EU's ESPD service writes it (ESPD-EDM 2.1.1, UBL namespaces).
ESPD_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<QualificationApplicationResponse xmlns="urn:oasis:names:specification:ubl:schema:xsd:'
    b'QualificationApplicationResponse-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:'
    b'CommonBasicComponents-2"><cbc:UBLVersionID>2.2</cbc:UBLVersionID>'
    b"<cbc:ProfileExecutionID>ESPD-EDMv2.1.1-REGULATED</cbc:ProfileExecutionID>"
    b"</QualificationApplicationResponse>\n"
)


def operator_actor(operator):
    return actor_for(operator, Role.OPERATOR_REPRESENTATIVE, f"legale_{operator.pk}")


def espd_upload(marker: str = "") -> SimpleUploadedFile:
    content = ESPD_XML.replace(
        b"</QualificationApplicationResponse>",
        f"<!-- {marker} --></QualificationApplicationResponse>".encode(),
    )
    return SimpleUploadedFile("dgue.xml", content, content_type="application/xml")


def pdf_upload(text: str, name: str = "dichiarazioni.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, act_pdf([text]), content_type="application/pdf")


def submit_bid(operator, lot, discount="12.5000", confirm=True, marker="") -> OnlineBid:
    """A complete bid of ``operator`` on ``lot`` (ESPD, a declaration, the economic offer), submitted."""
    actor = operator_actor(operator)
    bid = bidding.draft_for(actor, lot)
    bidding.add_document(
        actor, bid, Envelope.ADMINISTRATIVE, DocumentKind.ESPD, espd_upload(marker or operator.name)
    )
    bidding.add_document(
        actor,
        bid,
        Envelope.ADMINISTRATIVE,
        DocumentKind.DECLARATION,
        pdf_upload(f"Dichiarazioni di {operator.name}"),
    )
    bidding.set_economic_offer(
        actor,
        bid,
        bidding.EconomicOffer(
            discount_percent=Decimal(discount),
            labour_costs=Decimal("15000.00"),
            safety_costs=Decimal("2500.00"),
        ),
    )
    return bidding.confirm_bid(actor, bid) if confirm else bid


def open_procedure_with_invitations(side, world, *operators, **fields):
    """A procedure of ``side`` taking bids, with ``operators`` invited to its lot."""
    procedure = make_procedure(side, world, state="bids_open", **fields)
    lot = procedure.lots.get()
    for operator in operators:
        Invitation.objects.create(
            procedure=procedure, lot=lot, operator=operator, reason="Iscritto all'albo."
        )
    return procedure, lot


def add_online_bids(world) -> None:
    """For the cross-tenant matrix: on each side a procedure taking bids with a submitted online bid of the
    world's operator (home) or of the other operator (elsewhere): ``world.objects[side]["online"]``."""
    for name, side, operator in (
        ("home", world.home, world.operator),
        ("elsewhere", world.elsewhere, world.other_operator),
    ):
        procedure, lot = open_procedure_with_invitations(
            side, world, operator, title=f"Gara telematica di {side.comune.name}"
        )
        bid = submit_bid(operator, lot)
        member = CommissionMember.objects.create(
            procedure=procedure, name=f"Presidente {side.comune.name}", role="president"
        )
        # A soccorso istruttorio on a bid of the side's awarded procedure (written directly: its envelope A is
        # not online), pending for its operator.
        request = IntegrationRequest.objects.create(
            bid=world.objects[name]["procedures"]["bid"],
            text=f"Manca la garanzia provvisoria ({side.comune.name}).",
            deadline=timezone.now() + timedelta(days=5),
        )
        world.objects[name]["online"] = {
            "procedure": procedure,
            "lot": lot,
            "bid": bid,
            "document": bid.documents.first(),
            "member": member,
            "integration": request,
        }


def appoint_commission(procedure, officer) -> None:
    """A president and a member, both with their declarations of no conflict of interest."""
    from casacomuni.procurement.bidding import session

    for name, role in (("Maria Rossi", "president"), ("Luca Bianchi", "member")):
        session.record_declaration(officer, session.appoint_member(officer, procedure, name, role))


def bearer(operator) -> dict:
    """Headers with a new token of ``operator``'s legal representative."""
    raw = ApiToken.generate()
    ApiToken.objects.create(
        membership=operator_actor(operator).membership, name="software", token_hash=hash_token(raw)
    )
    return {"Authorization": f"Bearer {raw}"}


def past_the_deadline(procedure: Procedure, side=None) -> Procedure:
    """The deadline moved one second into the past (the clock passed it); given the procedure's ``side``, the
    bids closed by its SUA."""
    Procedure.objects.filter(pk=procedure.pk).update(bid_deadline=timezone.now() - timedelta(seconds=1))
    procedure.refresh_from_db()
    if side is None:
        return procedure
    return ps.transition_procedure(sua_officer(side), procedure, life.CLOSE_BIDS)


def is_problem(response, status: int) -> bool:
    return response.status_code == status and response["Content-Type"].startswith("application/problem+json")
