"""Online bids in the demo (issue 13), in the first Province's SUA, through the services (sealing included):

- a procedure taking bids, to which the demo operators (``operatore.edilizia`` and the others) are invited, with
  two bids already submitted by companies of the albo: an operator logs in and bids;
- a procedure whose deadline has passed, with five bids submitted online and its commission named with the
  declarations: the SUA officer opens the envelopes in session.

Re-runnable: a procedure is found by its Province and title.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.demo.procurement import DemoProcedure, DemoProcedures, actor_for
from casacomuni.lib.pdf import act_pdf

TAKING_BIDS = DemoProcedure(
    "Fornitura e posa di serramenti a taglio termico per la scuola media (gara telematica)",
    "works",
    "45421100",
    (Decimal("165000.00"),),
    "published",
    3,
)
IN_SESSION = DemoProcedure(
    "Rifacimento della copertura della biblioteca civica (gara telematica)",
    "works",
    "45261210",
    (Decimal("142000.00"),),
    "published",
    3,
)
ONLINE_DISCOUNTS = ("11.2500", "12.4000", "9.8000", "13.1500", "24.6000")
ESPD_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<QualificationApplicationResponse xmlns="urn:oasis:names:specification:ubl:schema:xsd:'
    b'QualificationApplicationResponse-2"/>\n'
)


class DemoOnlineBids:
    def __init__(self, now=None):
        self.now = now or timezone.now()
        self.procedures = DemoProcedures(now=self.now)

    def build(self, sigla: str) -> None:
        from casacomuni.procurement.procedures.models import Procedure

        province = Organization.objects.get(kind=OrganizationKind.PROVINCE, province__sigla=sigla)
        parties = self.procedures_parties(province)
        if not Procedure.objects.filter(province=province, title=TAKING_BIDS.title).exists():
            self.taking_bids(province, parties)
        if not Procedure.objects.filter(province=province, title=IN_SESSION.title).exists():
            self.in_session(province, parties)

    def procedures_parties(self, province):
        from casacomuni.demo.procurement import DemoProcurement

        return DemoProcurement(timezone.localdate(self.now)).parties(province)

    def open_for_bids(self, province, parties, plan, invited):
        """``plan``'s procedure published, the ``invited`` operators invited (entered in the albo first), bids
        open until the deadline ``ps`` set 20 days after the start."""
        from casacomuni.procurement.procedures import services as ps
        from casacomuni.procurement.procedures.models import Procedure
        from casacomuni.procurement.rules import procedure_lifecycle as life

        self.procedures.procedure(province, parties, plan)
        procedure = Procedure.objects.get(province=province, title=plan.title)
        officer = actor_for(province, Role.SUA_OFFICER)
        lot = procedure.lots.get()
        for operator in invited:
            self.register(province, operator)
            ps.invite_operator(
                officer, lot, operator.pk, "Iscritto all'albo nella categoria OG1, classe III."
            )
        ps.transition_procedure(officer, procedure, life.OPEN_BIDS)
        return procedure, lot

    def taking_bids(self, province, parties) -> None:
        from casacomuni.demo.builder import OPERATORS

        personas = [
            Organization.objects.get(kind=OrganizationKind.OPERATOR, name=name) for name, _user in OPERATORS
        ]
        companies = self.procedures.bidders(province)[:2]
        _procedure, lot = self.open_for_bids(province, parties, TAKING_BIDS, personas + companies)
        for company, discount in zip(companies, ONLINE_DISCOUNTS, strict=False):
            self.submit(company, lot, discount)

    def in_session(self, province, parties) -> None:
        from casacomuni.procurement.bidding import session
        from casacomuni.procurement.procedures import services as ps
        from casacomuni.procurement.procedures.models import Procedure
        from casacomuni.procurement.rules import procedure_lifecycle as life

        companies = self.procedures.bidders(province)[2:7]
        procedure, lot = self.open_for_bids(province, parties, IN_SESSION, companies)
        for company, discount in zip(companies, ONLINE_DISCOUNTS, strict=True):
            self.submit(company, lot, discount)
        # The deadline passed this morning (the demo cannot wait for it): the SUA closes the bids and names the
        # commission; the envelopes are left for the officer to open.
        deadline = timezone.localtime(self.now).replace(hour=9, minute=0, second=0, microsecond=0)
        if deadline > self.now:
            deadline -= timedelta(days=1)
        Procedure.objects.filter(pk=procedure.pk).update(bid_deadline=deadline)
        procedure.refresh_from_db()
        officer = actor_for(province, Role.SUA_OFFICER)
        ps.transition_procedure(officer, procedure, life.CLOSE_BIDS)
        for name, role in (
            ("Ing. Marta Bellini", "president"),
            ("Arch. Paolo Zanin", "member"),
            ("Dott. Carla Visentin", "secretary"),
        ):
            session.record_declaration(officer, session.appoint_member(officer, procedure, name, role))

    def submit(self, company, lot, discount: str) -> None:
        from casacomuni.procurement.bidding import services as bidding
        from casacomuni.procurement.bidding.models import DocumentKind, Envelope

        representative = self.representative(company)
        bid = bidding.draft_for(representative, lot)
        espd = SimpleUploadedFile("dgue.xml", ESPD_XML, content_type="application/xml")
        bidding.add_document(representative, bid, Envelope.ADMINISTRATIVE, DocumentKind.ESPD, espd)
        declarations = SimpleUploadedFile(
            "dichiarazioni.pdf", act_pdf([f"Dichiarazioni di {company.name}"]), content_type="application/pdf"
        )
        bidding.add_document(
            representative, bid, Envelope.ADMINISTRATIVE, DocumentKind.DECLARATION, declarations
        )
        offer = bidding.EconomicOffer(
            discount_percent=Decimal(discount),
            labour_costs=Decimal("18500.00"),
            safety_costs=Decimal("3200.00"),
        )
        bidding.set_economic_offer(representative, bid, offer)
        bidding.confirm_bid(representative, bid)

    @staticmethod
    def representative(company) -> Actor:
        """The company's legal representative on the platform (no password: the demo bids for it)."""
        membership = Membership.objects.filter(
            organization=company, role=Role.OPERATOR_REPRESENTATIVE
        ).first()
        if membership is None:
            user = User(username=f"legale.{company.pk}", first_name="Legale", last_name=company.name[:150])
            user.set_unusable_password()
            user.save()
            membership = Membership.objects.create(
                user=user, organization=company, role=Role.OPERATOR_REPRESENTATIVE
            )
        return Actor.for_membership(membership, label="load_demo")

    def register(self, province, operator) -> None:
        """The operator in the albo of ``province`` (approved, OG1 class III), as the demo's companies are."""
        from casacomuni.procurement.register.models import (
            CategoryKind,
            RegisteredOperator,
            RegistrationCategory,
            RegistrationState,
        )

        entry, created = RegisteredOperator.objects.get_or_create(
            province=province,
            operator=operator,
            defaults={
                "legal_representative_name": "Legale rappresentante",
                "legal_representative_fiscal_code": "RSSMRA85T10A562S",
                "address": "Via dell'Artigianato 1",
                "state": RegistrationState.APPROVED,
                "approved_at": self.now,
            },
        )
        if created:
            RegistrationCategory.objects.create(
                registration=entry, kind=CategoryKind.SOA, code="OG1", soa_class="III"
            )
