"""Demo procurement: requests of Comuni to their Province's SUA in every state, and ANAC's market data.

The requests are written through ``casacomuni.procurement.services``, acting as the Comune's referent
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
from casacomuni.demo.agreements import act_pdf, actor_for
from casacomuni.procurement import market_services, services
from casacomuni.procurement.models import AttachmentKind, ProcurementRequest, RequestState

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
        data = {
            "title": plan.title,
            "description": plan.description,
            "contract_kind": plan.contract_kind,
            "cpv_code": plan.cpv_code,
            "base_amount": plan.base_amount,
            "options_amount": plan.options_amount,
            "cup": plan.cup,
            "pnrr": plan.funding_source == "pnrr",
            "funding_source": plan.funding_source,
            "rup_name": plan.rup_name,
            "rup_fiscal_code": "",
            "desired_award_date": self.today + timedelta(days=plan.award_in_days),
            "province": province,
        }
        upload = services.Upload(plan.attachment, attachment_pdf(party, plan))
        request = services.submit_request(referent, data, [upload], today=self.today)
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
