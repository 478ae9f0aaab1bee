"""The help desk in the demo (issue 12, item 3), in each Province, through the services: the default categories
with their service levels, and requests of its Comuni in every state — closed and rated, resolved and awaiting
the Comune, waiting for the Comune's information, in progress (one at risk), new (one late), reopened — with the
office's replies and internal notes; FAQ entries written from the resolved ones (and a draft).

The requests are opened in the past working days so that their clocks read as they would today. Re-runnable:
a Province that has help-desk requests is left as it is.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Membership, Organization
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.agreements.models import Adhesion
from casacomuni.helpdesk import services
from casacomuni.helpdesk.models import REQUIRED_SERVICE_KIND, HelpRequest, HelpService, local_time
from casacomuni.helpdesk.rules import sla, workflow
from casacomuni.helpdesk.testing import make_categories
from casacomuni.procurement.requests.models import ProcurementRequest

OFFICER_ROLE = {
    HelpService.SUA: Role.SUA_OFFICER,
    HelpService.EU_FUNDS: Role.EUFUNDS_OFFICER,
    HelpService.DATA: Role.DATA_OFFICER,
    HelpService.TRAINING: Role.TRAINING_OFFICER,
    HelpService.OTHER: Role.PROVINCE_ADMIN,
}


@dataclass(frozen=True)
class Story:
    """A request and what happened to it: ``steps`` are (step, text, working hours after the opening)."""

    service: str
    subject: str
    description: str
    opened_days_ago: int
    steps: tuple[tuple[str, str, int], ...] = ()
    rating: int | None = None
    # "at_risk" or "late": opened so that the first answer's clock reads so now.
    clock: str = ""


STORIES = (
    Story(
        HelpService.SUA,
        "Documenti per la procedura negoziata dei lavori alla scuola primaria",
        "Dobbiamo affidare i lavori di adeguamento sismico della scuola primaria (importo stimato 480.000 euro). "
        "Quali documenti dobbiamo trasmettere alla SUA oltre al progetto esecutivo validato?",
        20,
        (
            (workflow.ASSIGN, "", 1),
            (
                workflow.NOTE,
                "Verificare che il CUP sia già richiesto: il Comune lo aveva segnalato mancante.",
                2,
            ),
            (
                workflow.RESOLVE,
                "Servono il progetto esecutivo con il verbale di validazione, la determina a contrarre, il CUP e "
                "l'attestazione della copertura finanziaria. Il modello di determina è nella libreria.",
                6,
            ),
            (workflow.CLOSE, "Risposta chiara e rapida, grazie.", 20),
        ),
        rating=5,
    ),
    Story(
        HelpService.SUA,
        "Chiarimento sul DGUE per l'affidamento del servizio mensa",
        "Un operatore chiede se nel DGUE debba indicare anche i subappaltatori: cosa rispondiamo?",
        6,
        (
            (workflow.ASSIGN, "", 2),
            (
                workflow.RESOLVE,
                "Sì: il DGUE va compilato anche per i subappaltatori indicati nell'offerta (art. 119 del codice).",
                9,
            ),
        ),
    ),
    Story(
        HelpService.EU_FUNDS,
        "Ammissibilità al bando PNRR per gli asili nido",
        "Il nostro Comune ha 2.300 abitanti e un progetto di ampliamento del nido comunale: possiamo candidarci "
        "da soli o serve l'aggregazione con altri Comuni?",
        4,
        (
            (workflow.ASSIGN, "", 1),
            (
                workflow.ASK_INFO,
                "Per rispondere serve sapere se l'area è di proprietà comunale e se il progetto ha già il CUP.",
                5,
            ),
        ),
    ),
    Story(
        HelpService.SUA,
        "Pubblicazione degli esiti: manca l'avviso di aggiudicazione",
        "Sul profilo del committente non troviamo l'avviso di aggiudicazione della gara per la manutenzione "
        "delle strade.",
        9,
        (
            (workflow.ASSIGN, "", 1),
            (workflow.RESOLVE, "L'avviso è pubblicato nella sezione Bandi di gara e contratti.", 4),
            (workflow.REOPEN, "Nella sezione indicata l'avviso non compare ancora: potete controllare?", 12),
            (
                workflow.NOTE,
                "Pubblicazione bloccata dall'integrazione con la piattaforma: segnalato al fornitore.",
                13,
            ),
        ),
    ),
    Story(
        HelpService.DATA,
        "Compilazione della campagna sui servizi digitali",
        "Nella campagna di rilevazione non sappiamo come indicare i servizi erogati tramite l'Unione.",
        2,
        ((workflow.ASSIGN, "", 1),),
        clock="at_risk",
    ),
    Story(
        HelpService.TRAINING,
        "Attestato del corso sul RUP non ricevuto",
        "Una nostra collega ha frequentato tutte le sessioni del corso sul RUP ma non trova l'attestato.",
        3,
        clock="late",
    ),
    Story(
        HelpService.SUA,
        "Soglia per l'affidamento diretto di un servizio di progettazione",
        "Per un incarico di progettazione di 120.000 euro possiamo procedere con affidamento diretto?",
        0,
    ),
)

FAQ = (
    (
        HelpService.SUA,
        "Quali documenti servono per avviare una gara di lavori tramite la SUA?",
        "Il progetto esecutivo con il verbale di validazione, la determina a contrarre, il CUP e l'attestazione "
        "della copertura finanziaria. La SUA verifica i documenti prima di pubblicare la procedura.",
        True,
    ),
    (
        HelpService.SUA,
        "Il DGUE va compilato anche per i subappaltatori?",
        "Sì, per i subappaltatori indicati nell'offerta l'operatore presenta anche il loro DGUE.",
        True,
    ),
    (
        HelpService.EU_FUNDS,
        "Un piccolo Comune può candidarsi da solo ai bandi PNRR?",
        "Dipende dal bando: alcuni chiedono una popolazione minima o l'aggregazione. L'ufficio Europa verifica "
        "i requisiti del singolo bando su richiesta.",
        True,
    ),
    (HelpService.SUA, "Come si calcolano i termini di ricezione delle offerte?", "In preparazione.", False),
)


class DemoHelpdesk:
    def __init__(self, now: datetime | None = None):
        self.now = now or timezone.now()

    def build(self, siglas) -> None:
        for sigla in siglas:
            province = Organization.objects.get(kind=OrganizationKind.PROVINCE, province__sigla=sigla)
            if not HelpRequest.objects.filter(province=province).exists():
                self.province(province)

    def province(self, province: Organization) -> None:
        categories = make_categories(province)
        resolved = []
        for story in STORIES:
            party = self.party(province, story.service)
            if party is None:
                continue
            request = self.tell(province, party, categories[story.service], story)
            if request.state in (workflow.RESOLVED, workflow.CLOSED):
                resolved.append(request)
        for service, question, answer, published in FAQ:
            source = next((r for r in resolved if r.service == service), None)
            services.save_faq(
                self.office(province, service),
                None,
                question=question,
                answer=answer,
                published=published,
                source=source,
                service=service,
            )

    def party(self, province: Organization, service: str) -> Organization | None:
        """A Comune of the Province that may ask this service (its first by name that joined it)."""
        comuni = Organization.objects.filter(province=province.province, kind=OrganizationKind.MUNICIPALITY)
        comuni = comuni.filter(memberships__role=Role.MUNICIPALITY_REFERENT).order_by("name")
        if kind := REQUIRED_SERVICE_KIND.get(service):
            joined = Adhesion.objects.active_on(timezone.localdate()).filter(service__kind=kind)
            comuni = comuni.filter(pk__in=joined.values("agreement__municipality"))
        return comuni.first()

    def office(self, province: Organization, service: str) -> Actor:
        membership = Membership.objects.filter(organization=province, role=OFFICER_ROLE[service]).first()
        return Actor.for_membership(membership, "load_demo")

    def tell(self, province, party, category, story: Story) -> HelpRequest:
        referent = Membership.objects.filter(organization=party, role=Role.MUNICIPALITY_REFERENT).first()
        comune = Actor.for_membership(referent, "load_demo")
        office = self.office(province, story.service)
        opened = self.opening(story, category)
        links = {}
        if story.service == HelpService.SUA and story.opened_days_ago > 10:
            links["procurement_request"] = ProcurementRequest.objects.filter(municipality=party).first()
        data = services.RequestData(story.service, category, story.subject, story.description, links)
        request = services.open_request(comune, data, now=opened)
        for step, text, hours in story.steps:
            when = timezone.make_aware(sla.add_working_time(local_time(opened), timedelta(hours=hours)))
            actor = office if workflow.STEPS[step].by == workflow.OFFICE else comune
            request = services.take_step(
                actor,
                request,
                step,
                body=text,
                assignee=office.user if step == workflow.ASSIGN else None,
                rating=story.rating,
                now=min(when, self.now),
            )
        return request

    def opening(self, story: Story, category) -> datetime:
        """When the request was opened: ``opened_days_ago`` at 10:00, or for a clock "at risk" or "late" the
        instant that many working hours before now (stepping back a quarter of an hour at a time)."""
        if not story.clock:
            day = timezone.localtime(self.now) - timedelta(days=story.opened_days_ago)
            return min(self.now, day.replace(hour=10, minute=0, second=0, microsecond=0))
        allowed = timedelta(hours=category.first_answer_hours)
        target = (
            allowed - sla.at_risk_margin(allowed) / 2
            if story.clock == "at_risk"
            else allowed + timedelta(hours=3)
        )
        opened, now = self.now, local_time(self.now)
        while sla.working_time_between(local_time(opened), now) < target:
            opened -= timedelta(minutes=15)
        return opened
