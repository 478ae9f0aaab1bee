"""Demo procurement: requests of Comuni to their Province's SUA in every state, and ANAC's market data.

The requests are written through ``casacomuni.procurement.requests.services``, acting as the Comune's referent
(submission, withdrawal) and the Province's SUA officer (answers), so the gate (an adhesion in force to
the SUA), the router's verdict and the audit trail are the real ones. They come from the Comuni of each
demo Province that have an adhesion in force to its SUA, the capoluogo first; each carries one small PDF.

Re-runnable: a request is found by its Comune and title and left as it is. The packaged ANAC sample is
imported through the market services, which write only the releases that changed.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.agreements.models import Adhesion, ServiceKind
from casacomuni.demo.agreements import actor_for
from casacomuni.lib.pdf import act_pdf
from casacomuni.procurement.market import services as market_services
from casacomuni.procurement.requests import services
from casacomuni.procurement.requests.models import AttachmentKind, ProcurementRequest, RequestState

ANAC_SAMPLE = Path(__file__).resolve().parent.parent / "procurement" / "data" / "anac_ocds_sample.json"


@dataclass(frozen=True)
class DemoRequest:
    """A request to submit and the state the SUA's (or the Comune's) answer brings it to."""

    title: str
    description: str
    contract_kind: str
    cpv_code: str
    base_amount: Decimal
    funding_source: str
    rup_name: str
    state: str
    reason: str = ""
    options_amount: Decimal = Decimal("0.00")
    cup: str = ""  # PNRR-funded requests carry their project's CUP
    award_in_days: int = 120
    attachment: str = AttachmentKind.PROJECT


# Three per demo Province, in this order of the Provinces' siglas (BS, PG, TV): every state appears.
REQUESTS = (
    DemoRequest(
        "Riqualificazione energetica e adeguamento sismico della scuola primaria",
        "Lavori di miglioramento sismico, sostituzione dei serramenti e del generatore di calore della scuola "
        "primaria comunale; progetto esecutivo validato.",
        "works",
        "45214210",
        Decimal("150000.00"),
        "pnrr",
        "Ing. Paolo Ferrari",
        RequestState.SUBMITTED,
        cup="E84D22000450006",
    ),
    DemoRequest(
        "Manutenzione straordinaria delle strade comunali 2026-2027",
        "Rifacimento del manto stradale e della segnaletica orizzontale sulle strade comunali indicate nel "
        "piano delle asfaltature, in due annualità.",
        "works",
        "45233141",
        Decimal("480000.00"),
        "own_budget",
        "Geom. Marco Bonetti",
        RequestState.CHANGES_REQUESTED,
        reason="Allegare il computo metrico estimativo e indicare gli estremi dell'impegno di spesa per "
        "la seconda annualità.",
    ),
    DemoRequest(
        "Servizio di ristorazione scolastica per le scuole dell'infanzia e primarie (tre anni scolastici)",
        "Preparazione e somministrazione dei pasti nelle mense scolastiche comunali per tre anni scolastici, "
        "con prodotti biologici e a filiera corta secondo i criteri ambientali minimi (D.M. 65/2020).",
        "services",
        "55524000",
        Decimal("220000.00"),
        "own_budget",
        "Dott.ssa Laura Gatti",
        RequestState.ACCEPTED,
        reason="Presa in carico: la SUA predispone gli atti di gara con il RUP.",
        attachment=AttachmentKind.SPECIFICATIONS,
    ),
    DemoRequest(
        "Fornitura di personal computer e monitor per gli uffici comunali",
        "Sostituzione di 60 postazioni di lavoro degli uffici comunali, con garanzia di tre anni.",
        "supplies",
        "30213000",
        Decimal("60000.00"),
        "own_budget",
        "Dott. Giorgio Rinaldi",
        RequestState.REJECTED,
        reason="L'importo consente l'affidamento diretto da parte del Comune (art. 50, comma 1, lett. b, "
        "D.Lgs. 36/2023): la SUA non è necessaria.",
        award_in_days=60,
        attachment=AttachmentKind.SPECIFICATIONS,
    ),
    DemoRequest(
        "Servizio di pulizia degli edifici comunali",
        "Pulizia ordinaria e periodica del municipio, della biblioteca e dei centri civici per due anni.",
        "services",
        "90911200",
        Decimal("95000.00"),
        "own_budget",
        "Rag. Silvia Moretti",
        RequestState.WITHDRAWN,
        options_amount=Decimal("47500.00"),
        attachment=AttachmentKind.SPECIFICATIONS,
    ),
    DemoRequest(
        "Efficientamento energetico degli impianti del palazzetto dello sport",
        "Sostituzione degli impianti di riscaldamento, ventilazione e climatizzazione con pompe di calore e "
        "installazione di un impianto fotovoltaico in copertura.",
        "works",
        "45331000",
        Decimal("750000.00"),
        "pnrr",
        "Arch. Chiara Lombardi",
        RequestState.SUBMITTED,
        cup="H17H21004830006",
        award_in_days=150,
    ),
    DemoRequest(
        "Riparazione di strade e ponti danneggiati dagli eventi meteorologici",
        "Ripristino della sede stradale, delle opere di sostegno e dei parapetti di due ponti comunali.",
        "works",
        "45233142",
        Decimal("1200000.00"),
        "region",
        "Ing. Davide Colombo",
        RequestState.ACCEPTED,
        award_in_days=180,
    ),
    DemoRequest(
        "Progettazione esecutiva della nuova scuola secondaria di primo grado",
        "Servizi di progettazione esecutiva, coordinamento della sicurezza in fase di progettazione e "
        "relazione geologica per la nuova scuola secondaria.",
        "engineering",
        "71322000",
        Decimal("180000.00"),
        "pnrr",
        "Arch. Federica Galli",
        RequestState.CHANGES_REQUESTED,
        reason="Il CUP indicato non corrisponde al progetto finanziato: verificare e allegare il decreto "
        "di finanziamento.",
        cup="D86J22000210006",
    ),
    DemoRequest(
        "Servizio di manutenzione del verde pubblico",
        "Sfalci, potature e cura delle aree verdi comunali e dei giardini scolastici per tre anni.",
        "services",
        "77311000",
        Decimal("240000.00"),
        "own_budget",
        "Dott. Andrea Ferri",
        RequestState.REJECTED,
        reason="Il servizio è già compreso nel contratto in essere fino al 31 dicembre: ripresentare la "
        "richiesta nel prossimo esercizio.",
        attachment=AttachmentKind.SPECIFICATIONS,
    ),
)
PER_PROVINCE = 3


class DemoProcurement:
    def __init__(self, today: date | None = None):
        self.today = today or timezone.localdate()

    def build(self, siglas: list[str]) -> None:
        provinces = Organization.objects.filter(kind=OrganizationKind.PROVINCE, province__sigla__in=siglas)
        for index, province in enumerate(provinces.select_related("province").order_by("province__sigla")):
            plans = REQUESTS[index * PER_PROVINCE : (index + 1) * PER_PROVINCE]
            for party, plan in zip(self.parties(province), plans, strict=False):
                self.request(province, party, plan)
        market_services.import_ocds_files(Actor.system("load_demo"), [ANAC_SAMPLE])

    def parties(self, province: Organization) -> list[Organization]:
        """The Comuni with an adhesion in force to the Province's SUA, the capoluogo first."""
        adhesions = (
            Adhesion.objects.active_on(self.today)
            .filter(
                service__kind=ServiceKind.SUA,
                agreement__province=province,
                agreement__municipality__kind=OrganizationKind.MUNICIPALITY,
            )
            .select_related("agreement__municipality__municipality")
            .order_by(
                F("agreement__municipality__municipality__is_capoluogo").desc(),
                "agreement__municipality__municipality__istat_code",
            )
        )
        return list(dict.fromkeys(adhesion.agreement.municipality for adhesion in adhesions))

    def request(self, province: Organization, party: Organization, plan: DemoRequest) -> None:
        if ProcurementRequest.objects.filter(municipality=party, title=plan.title).exists():
            return
        referent = actor_for(party, Role.MUNICIPALITY_REFERENT)
        data = services.RequestData(
            title=plan.title,
            description=plan.description,
            contract_kind=plan.contract_kind,
            cpv_code=plan.cpv_code,
            base_amount=plan.base_amount,
            options_amount=plan.options_amount,
            cup=plan.cup,
            pnrr=plan.funding_source == "pnrr",
            funding_source=plan.funding_source,
            rup_name=plan.rup_name,
            desired_award_date=self.today + timedelta(days=plan.award_in_days),
        )
        upload = services.Upload(plan.attachment, attachment_pdf(party, plan))
        request = services.submit_request(referent, data, [upload], province=province, today=self.today)
        self.answer(province, referent, request, plan)

    def answer(self, province: Organization, referent: Actor, request, plan: DemoRequest) -> None:
        if plan.state == RequestState.WITHDRAWN:
            services.withdraw_request(referent, request)
            return
        moves = {
            RequestState.ACCEPTED: services.accept_request,
            RequestState.CHANGES_REQUESTED: services.ask_changes,
            RequestState.REJECTED: services.reject_request,
        }
        if plan.state in moves:
            moves[plan.state](actor_for(province, Role.SUA_OFFICER), request, plan.reason)


def attachment_pdf(party: Organization, plan: DemoRequest) -> ContentFile:
    kind = "Progetto" if plan.attachment == AttachmentKind.PROJECT else "Capitolato speciale d'appalto"
    lines = [
        party.name,
        f"{kind}: {plan.title}",
        "",
        f"Importo stimato a base di gara: € {plan.base_amount:,.2f}".replace(",", "X")
        .replace(".", ",")
        .replace("X", "."),
        f"CPV {plan.cpv_code}" + (f" - CUP {plan.cup}" if plan.cup else ""),
        f"RUP: {plan.rup_name}",
        "",
        "Documento dimostrativo generato da Casa dei Comuni.",
    ]
    slug = "progetto" if plan.attachment == AttachmentKind.PROJECT else "capitolato"
    return ContentFile(act_pdf(lines), name=f"{slug}-{party.municipality.istat_code}.pdf")


# --- Procedures ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoProcedure:
    """A procedure to run from new accepted requests (one per Comune, ``lots`` of them) up to ``state``."""

    title: str
    contract_kind: str
    cpv_code: str
    amounts: tuple[Decimal, ...]  # one lot per amount, each for the next Comune of the Province
    state: str
    started_days_ago: int
    discounts: tuple[str, ...] = ()
    lot_category: str = "OG1"


# Per Province: the first holds every case; the others one awarded procedure each (for the national figures).
PROCEDURES = (
    DemoProcedure(
        "Lavori di manutenzione straordinaria delle coperture del palazzo municipale",
        "works",
        "45261900",
        (Decimal("210000.00"),),
        "contract_signed",
        150,
        ("8.4300", "11.2750", "12.9100", "13.5500", "14.0200", "24.6000"),
    ),
    DemoProcedure(
        "Riqualificazione dell'illuminazione pubblica (aggregata, due lotti)",
        "works",
        "45316110",
        (Decimal("180000.00"), Decimal("165000.00")),
        "published",
        5,
        lot_category="OG10",
    ),
    DemoProcedure(
        "Rifacimento dei marciapiedi del centro storico",
        "works",
        "45233161",
        (Decimal("320000.00"),),
        "evaluation",
        60,
        ("9.1200", "10.4800", "11.3300", "12.0500", "12.7700", "13.9000", "26.5000"),
    ),
    DemoProcedure(
        "Manutenzione del verde scolastico",
        "works",
        "45112710",
        (Decimal("160000.00"),),
        "draft",
        1,
        lot_category="OS24",
    ),
)
OTHER_PROVINCES_PROCEDURE = DemoProcedure(
    "Messa in sicurezza della palestra comunale",
    "works",
    "45212222",
    (Decimal("240000.00"),),
    "contract_signed",
    120,
    ("7.5000", "9.8000", "10.2500", "11.6000", "12.4000", "22.0000"),
)
# Every Province, not only the first, holds a procedure in each stage (issue 18): besides its own plans above,
# the stages these add, and the draft, published and evaluation cases of PROCEDURES for the others.
STAGE_PROCEDURES = (
    DemoProcedure(
        "Adeguamento antincendio della scuola secondaria di primo grado",
        "works",
        "45343000",
        (Decimal("175000.00"),),
        "bids_open",
        10,
        ("10.1500", "11.4000", "12.8000", "13.2500"),
    ),
    DemoProcedure(
        "Ristrutturazione degli spogliatoi del campo sportivo comunale",
        "works",
        "45212290",
        (Decimal("195000.00"),),
        "bids_closed",
        25,
        ("9.7000", "10.9500", "11.8000", "12.6000", "13.1000"),
    ),
    DemoProcedure(
        "Sistemazione idraulica del fosso di guardia della zona artigianale",
        "works",
        "45246000",
        (Decimal("230000.00"),),
        "proposed_award",
        70,
        ("8.9000", "10.2000", "11.1500", "11.9000", "12.6500", "13.4000"),
    ),
)
SHARED_STAGES = ("draft", "published", "evaluation")
DEMO_BIDDERS = 9


class DemoProcedures:
    """SUA procedures in several states, through ``procurement.procedures.services`` acting as the Province's SUA
    officer: a contract signed after an anomaly evaluation that excluded a bid, an aggregated procedure with two
    lots (two Comuni) just published, one under evaluation, one draft. Dates are set in the past through the
    services' ``now``/``today`` parameters. Re-runnable: a procedure is found by its Province and title.

    Call after DemoProcurement: ``DemoProcedures().build([demo.sigla for demo in PROVINCES])``.
    """

    def __init__(self, now=None):
        self.now = now or timezone.now()

    def build(self, siglas: list[str]) -> None:
        provinces = Organization.objects.filter(kind=OrganizationKind.PROVINCE, province__sigla__in=siglas)
        for index, province in enumerate(provinces.select_related("province").order_by("province__sigla")):
            parties = DemoProcurement(timezone.localdate(self.now)).parties(province)
            plans = PROCEDURES if index == 0 else (OTHER_PROVINCES_PROCEDURE,)
            if index > 0:
                plans += tuple(plan for plan in PROCEDURES if plan.state in SHARED_STAGES)
            plans += STAGE_PROCEDURES
            for plan in plans:
                if len(parties) >= len(plan.amounts):
                    self.procedure(province, parties, plan)

    def bidders(self, province: Organization) -> list[Organization]:
        """Demo operators in the albo of ``province`` (approved, categories OG1, OG10, OS24 class III, CPV 90911)."""
        from casacomuni.procurement.register.models import (
            CategoryKind,
            RegisteredOperator,
            RegistrationCategory,
            RegistrationState,
        )

        operators = []
        for number in range(1, DEMO_BIDDERS + 1):
            name = f"Costruzioni {province.province.sigla} {number} S.r.l."
            operator, _created = Organization.objects.get_or_create(kind=OrganizationKind.OPERATOR, name=name)
            entry = RegisteredOperator.objects.filter(province=province, operator=operator).first()
            if entry is None:
                entry = RegisteredOperator.objects.create(
                    province=province,
                    operator=operator,
                    legal_representative_name="Legale rappresentante",
                    legal_representative_fiscal_code="RSSMRA85T10A562S",
                    address=f"Via dell'Industria {number}",
                    state=RegistrationState.APPROVED,
                    approved_at=self.now,
                )
                for code in ("OG1", "OG10", "OS24"):
                    RegistrationCategory.objects.create(
                        registration=entry, kind=CategoryKind.SOA, code=code, soa_class="III"
                    )
                RegistrationCategory.objects.create(registration=entry, kind=CategoryKind.CPV, code="90911")
            operators.append(operator)
        return operators

    def procedure(self, province: Organization, parties: list[Organization], plan: DemoProcedure) -> None:
        from casacomuni.procurement.procedures import services as ps
        from casacomuni.procurement.procedures.models import Procedure
        from casacomuni.procurement.rules import procedure_lifecycle as life

        if Procedure.objects.filter(province=province, title=plan.title).exists():
            return
        officer = actor_for(province, Role.SUA_OFFICER)
        start = self.now - timedelta(days=plan.started_days_ago)
        requests = []
        for number, (party, amount) in enumerate(zip(parties, plan.amounts, strict=False), start=1):
            referent = actor_for(party, Role.MUNICIPALITY_REFERENT)
            data = services.RequestData(
                title=plan.title if len(plan.amounts) == 1 else f"{plan.title} — lotto {number}",
                description=f"{plan.title}: progetto esecutivo approvato dal Comune.",
                contract_kind=plan.contract_kind,
                cpv_code=plan.cpv_code,
                base_amount=amount,
                options_amount=Decimal("0.00"),
                funding_source="own_budget",
                rup_name="Ing. Laura Conti",
                desired_award_date=timezone.localdate(start) + timedelta(days=90),
            )
            request = services.submit_request(
                referent, data, [], province=province, today=timezone.localdate(self.now)
            )
            services.accept_request(officer, request, "Presa in carico per la gara.")
            # Seed history: the request came in a month before the procedure, accepted a week later.
            ProcurementRequest.objects.filter(pk=request.pk).update(
                submitted_at=start - timedelta(days=30), updated_at=start - timedelta(days=23)
            )
            requests.append(request)
        procedure = ps.create_procedure(officer, [r.pk for r in requests], plan.title, now=start)
        for lot in procedure.lots.order_by("number"):
            ps.update_lot(officer, lot, ps.LotChanges(cig=demo_cig(lot.pk), category=plan.lot_category))
        deadline = ps.deadline_datetime(timezone.localdate(start) + timedelta(days=20))
        ps.update_procedure(
            officer, procedure, ps.ProcedureChanges(bid_deadline=deadline), today=timezone.localdate(start)
        )
        if plan.state == life.DRAFT:
            return
        self.bidders(province)
        procedure = ps.transition_procedure(officer, procedure, life.PUBLISH, now=start + timedelta(hours=2))
        if plan.state == life.PUBLISHED:
            return
        lot = procedure.lots.get()
        # Rotation (art. 49): the outgoing contractor of the category and band is left out; the others are
        # invited in the neutral order the candidates' list gives (fewest awards and invitations first).
        invited = [row for row in ps.candidates(procedure, lot) if not row["outgoing"]][: len(plan.discounts)]
        for row in invited:
            reason = "Iscritto all'albo nella categoria; {} inviti e {} affidamenti precedenti.".format(
                row["invitations"], row["awards"]
            )
            ps.invite_operator(officer, lot, row["operator_id"], reason)
        procedure = ps.transition_procedure(officer, procedure, life.OPEN_BIDS, now=start + timedelta(days=1))
        if plan.state == life.BIDS_OPEN:
            self.receive_bids(officer, lot, invited, plan, start)
            return
        bids = []
        for number, (row, discount) in enumerate(zip(invited, plan.discounts, strict=False)):
            received = start + timedelta(days=5 + number)
            data = ps.BidData(row["operator_id"], discount_percent=discount, received_at=received)
            bids.append(ps.record_bid(officer, lot, data))
        after = deadline + timedelta(hours=1)
        procedure = ps.transition_procedure(officer, procedure, life.CLOSE_BIDS, now=after)
        # Admitted once the deadline has passed (art. 35; rules.procedure_lifecycle.bid_decision_problems).
        for bid in bids:
            ps.decide_bid(officer, bid, ps.ADMIT, now=after)
        if plan.state == life.BIDS_CLOSED:
            return
        procedure = ps.transition_procedure(officer, procedure, life.START_EVALUATION, now=after)
        # The evaluation session: 10 o'clock two days after the deadline (noon), the minutes dated so.
        ps.evaluate_lot(officer, lot, now=deadline + timedelta(days=2, hours=-2))
        if plan.state == life.EVALUATION:
            return
        award_day = timezone.localdate(after) + timedelta(days=12)
        winner = lot.evaluation.winner_operator_id
        # The winner's DURC and SOA certificate, in force at the award and at the contract (rules.requirements).
        self.requirement_documents(province, winner, award_day - timedelta(days=10))
        procedure = ps.transition_procedure(
            officer, procedure, life.PROPOSE_AWARD, now=after + timedelta(days=5)
        )
        if plan.state == life.PROPOSED_AWARD:
            return
        ps.award_lot(officer, lot, award_date=award_day)
        procedure = ps.transition_procedure(officer, procedure, life.AWARD, now=after + timedelta(days=12))
        lot.refresh_from_db()
        contract_day = timezone.localdate(after) + timedelta(days=40)
        ps.record_contract(officer, lot, contract_day, lot.awarded_amount + lot.safety_costs)
        ps.transition_procedure(officer, procedure, life.SIGN_CONTRACT, now=after + timedelta(days=40))

    @staticmethod
    def requirement_documents(province: Organization, operator_id: int, issued_on: date) -> None:
        """A DURC (valid 120 days, DM 30/01/2015 art. 7) and a SOA certificate issued on ``issued_on`` in the
        operator's entry of the albo, unless it has them already."""
        from casacomuni.procurement.register.models import DocumentKind, OperatorDocument, RegisteredOperator

        entry = RegisteredOperator.objects.get(province=province, operator_id=operator_id)
        validity = {DocumentKind.DURC: 120, DocumentKind.SOA_CERTIFICATE: 5 * 365}
        for kind, days in validity.items():
            if entry.documents.filter(kind=kind, issued_on=issued_on).exists():
                continue
            content = act_pdf([f"{kind.label} — {entry.operator.name}"])
            document = OperatorDocument(
                registration=entry,
                kind=kind,
                original_name=f"{kind}-{issued_on.isoformat()}.pdf",
                size=len(content),
                issued_on=issued_on,
                expires_on=issued_on + timedelta(days=days),
            )
            document.file.save(document.original_name, ContentFile(content), save=False)
            document.save()

    @staticmethod
    def receive_bids(officer, lot, invited, plan: DemoProcedure, start) -> None:
        """Bids recorded as they arrive, before the deadline: admitted or excluded only after it."""
        from casacomuni.procurement.procedures import services as ps

        for number, (row, discount) in enumerate(zip(invited, plan.discounts, strict=False)):
            data = ps.BidData(
                row["operator_id"], discount_percent=discount, received_at=start + timedelta(days=5 + number)
            )
            ps.record_bid(officer, lot, data)


def demo_cig(number: int) -> str:
    """A valid CIG (ANAC's algorithm) of the demo series "D" numbered from the lot's id."""
    from casacomuni.lib.identifiers import new_cig_check

    progressive = 0xDE0000 + number
    return f"D{progressive:06X}{new_cig_check('D', progressive)}"
