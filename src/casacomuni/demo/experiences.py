"""Experiences and good practices in the demo (issue 12, item 2), through the services: each demo Province
describes two or three experiences with their results (texts and figures written for the demo), UPI published
most of them, one waits for its review, one is still a draft, one was sent back with a note; some Provinces said
they want to replicate another's.

Re-runnable: a Province that has experiences is left as it is, and so are the replications once written.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Membership, Organization
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.experiences import services
from casacomuni.experiences.models import Experience, ExperienceState, Replication
from casacomuni.experiences.services import ExperienceData, ResultData

PUBLISHED = ExperienceState.PUBLISHED
SUBMITTED = ExperienceState.SUBMITTED
RETURNED = ExperienceState.RETURNED
DRAFT = ExperienceState.DRAFT


@dataclass(frozen=True)
class DemoExperience:
    state: str
    role: str  # of the officer who writes it
    title: str
    area: str
    problem: str
    solution: str
    organisation: str
    contact: tuple[str, str, str]  # name, role, e-mail of the office
    start_year: int
    comuni_count: int
    staff: int
    cost: str
    cost_notes: str
    results: tuple[tuple[str, str, str], ...]
    note: str = ""  # UPI's note, for one sent back
    named_comuni: int = 0  # how many of the Province's demo Comuni it names
    replicated_by: tuple[str, ...] = field(default=())  # siglas of the Provinces that want to replicate it


EXPERIENCES = {
    "TV": (
        DemoExperience(
            PUBLISHED,
            Role.SUA_OFFICER,
            "Stazione unica appaltante per i Comuni sotto i 5.000 abitanti",
            "procurement",
            "I Comuni più piccoli non hanno un ufficio gare qualificato: rinviavano gli acquisti sopra soglia "
            "o li frazionavano, con tempi lunghi e prezzi più alti.",
            "La Provincia gestisce per conto dei Comuni aderenti le procedure di gara, dalla determina a "
            "contrarre all'aggiudicazione, e aggrega i fabbisogni simili (manutenzione del verde, "
            "illuminazione pubblica, mense scolastiche) in gare aggregate a lotti.",
            "Un ufficio di sei persone (un dirigente, tre istruttori amministrativi, due tecnici) e un "
            "referente per ogni Comune, che raccoglie i fabbisogni e segue l'esecuzione del contratto.",
            (
                "Laura Zanin",
                "Dirigente della Stazione unica appaltante",
                "sua.treviso@demo.casacomuni.invalid",
            ),
            2019,
            58,
            6,
            "310000",
            "Costo annuo del personale e della piattaforma di e-procurement, coperto dai Comuni con una quota "
            "per procedura stabilita nella convenzione.",
            (
                ("Gare aggregate", "42", ""),
                ("Risparmio medio sui prezzi a base d'asta", "8.3", "%"),
                ("Tempo medio fino all'aggiudicazione", "74", "giorni"),
            ),
            named_comuni=3,
            replicated_by=("PG", "BS"),
        ),
        DemoExperience(
            PUBLISHED,
            Role.EUFUNDS_OFFICER,
            "Ufficio europa condiviso per i bandi del PNRR",
            "eu_funds",
            "Molti Comuni non riuscivano a seguire i bandi del PNRR: scadenze ravvicinate, requisiti tecnici "
            "e rendicontazione superavano le forze dei loro uffici.",
            "Un ufficio provinciale segnala ai Comuni i bandi adatti, scrive con loro le candidature e li "
            "accompagna nella rendicontazione sul sistema ReGiS.",
            "Quattro funzionari dell'ufficio europa, con un calendario condiviso delle scadenze e incontri "
            "mensili con i referenti dei Comuni.",
            ("Marco Bortolin", "Responsabile dell'ufficio europa", "europa.treviso@demo.casacomuni.invalid"),
            2021,
            36,
            4,
            "180000",
            "Finanziato in parte con le risorse per l'assistenza tecnica del PNRR.",
            (
                ("Candidature presentate", "56", ""),
                ("Progetti finanziati", "31", ""),
                ("Contributi ottenuti", "18.4", "milioni di euro"),
            ),
        ),
        DemoExperience(
            DRAFT,
            Role.DATA_OFFICER,
            "Catalogo provinciale dei dati aperti dei Comuni",
            "data",
            "I Comuni pubblicavano pochi dati, in formati diversi e senza metadati, difficili da riusare.",
            "Un catalogo unico, conforme a DCAT-AP_IT, in cui la Provincia pubblica i dati dei Comuni "
            "raccolti con le rilevazioni periodiche.",
            "Un funzionario dell'ufficio dati e un referente per Comune.",
            ("Chiara Favaro", "Ufficio statistica e dati", "dati.treviso@demo.casacomuni.invalid"),
            2024,
            20,
            1,
            "25000",
            "",
            (("Dataset pubblicati", "64", ""),),
        ),
    ),
    "PG": (
        DemoExperience(
            PUBLISHED,
            Role.TRAINING_OFFICER,
            "Formazione congiunta sul nuovo codice dei contratti pubblici",
            "training",
            "Con il D.Lgs. 36/2023 i dipendenti dei Comuni dovevano aggiornarsi in pochi mesi, ma i piccoli "
            "enti non avevano risorse per corsi propri.",
            "Un percorso di formazione comune, in presenza e a distanza, con esercitazioni sui casi reali "
            "delle procedure della Stazione unica appaltante.",
            "L'ufficio formazione organizza le edizioni; docenti interni della SUA e di due Comuni capofila.",
            ("Paola Bartolini", "Servizio formazione", "formazione.perugia@demo.casacomuni.invalid"),
            2023,
            47,
            3,
            "42000",
            "Docenze interne; i costi sono le aule, la piattaforma e il materiale didattico.",
            (
                ("Dipendenti formati", "312", ""),
                ("Ore di formazione erogate", "1240", "ore"),
                ("Gradimento medio", "4.5", "su 5"),
            ),
            replicated_by=("TV",),
        ),
        DemoExperience(
            SUBMITTED,
            Role.PROVINCE_ADMIN,
            "Convenzione unica per i servizi tecnici dei Comuni del Trasimeno",
            "agreements",
            "Ogni Comune firmava con la Provincia convenzioni diverse per gli stessi servizi tecnici, con "
            "costi e tempi di rinnovo difficili da seguire.",
            "Uno schema di convenzione unico, approvato da tutti i consigli comunali, con quote calcolate "
            "per abitante e rinnovo allineato.",
            "Il servizio affari generali della Provincia e l'Unione dei Comuni del Trasimeno.",
            ("Stefano Ricci", "Servizio affari generali", "convenzioni.perugia@demo.casacomuni.invalid"),
            2022,
            8,
            2,
            "15000",
            "",
            (("Convenzioni sostituite", "23", ""), ("Riduzione del tempo medio di rinnovo", "60", "%")),
            named_comuni=2,
        ),
    ),
    "BS": (
        DemoExperience(
            PUBLISHED,
            Role.DATA_OFFICER,
            "Cruscotto della maturità digitale dei Comuni",
            "data",
            "La Provincia non sapeva quali Comuni fossero indietro con SPID, pagoPA e app IO, e non poteva "
            "indirizzare il proprio supporto.",
            "Una rilevazione annuale con un questionario comune e un cruscotto pubblico per Comune, che "
            "confronta i valori con quelli dell'anno precedente.",
            "L'ufficio dati prepara il questionario e il cruscotto; i referenti per la transizione digitale "
            "dei Comuni rispondono.",
            ("Giorgio Ferrari", "Ufficio innovazione e dati", "dati.brescia@demo.casacomuni.invalid"),
            2022,
            143,
            2,
            "38000",
            "",
            (
                ("Comuni rilevati", "143", ""),
                ("Aumento dei servizi disponibili su pagoPA", "38", "%"),
                ("Comuni con il sito conforme al modello nazionale", "61", "%"),
            ),
            replicated_by=("TV",),
        ),
        DemoExperience(
            RETURNED,
            Role.PROVINCE_ADMIN,
            "Rete dei responsabili per la transizione digitale",
            "other",
            "I responsabili per la transizione digitale dei piccoli Comuni lavoravano isolati.",
            "Una rete con incontri trimestrali e uno spazio comune di documenti e modelli.",
            "La Provincia coordina la rete; ogni Comune nomina il proprio responsabile.",
            ("Elisa Gatti", "Segreteria generale", "rtd.brescia@demo.casacomuni.invalid"),
            2023,
            60,
            1,
            "",
            "",
            (("Incontri della rete", "9", ""),),
            note="Aggiungete i costi e almeno un risultato che misuri l'effetto sui servizi dei Comuni.",
        ),
    ),
}


class DemoExperiences:
    def build(self, siglas) -> None:
        upi = Membership.objects.filter(
            role=Role.UPI_ADMIN, organization__kind=OrganizationKind.UPI
        ).earliest("pk")
        self.reviewer = Actor.for_membership(upi)
        for sigla in siglas:
            province = Organization.objects.get(kind=OrganizationKind.PROVINCE, province__sigla=sigla)
            if not Experience.objects.filter(province=province).exists():
                for demo in EXPERIENCES.get(sigla, ()):
                    self.experience(province, demo)
        for sigla in siglas:
            for demo in EXPERIENCES.get(sigla, ()):
                for other in demo.replicated_by:
                    if other in siglas:
                        self.replication(demo, other)

    def experience(self, province: Organization, demo: DemoExperience) -> Experience:
        author = Actor.for_membership(
            Membership.objects.filter(organization=province, role=demo.role).earliest("pk")
        )
        experience = services.create_experience(author, self.data(province, demo))
        if demo.state == DRAFT:
            return experience
        services.submit_experience(author, experience)
        if demo.state == PUBLISHED:
            services.publish_experience(self.reviewer, experience)
        elif demo.state == RETURNED:
            services.return_experience(self.reviewer, experience, demo.note)
        return experience

    def data(self, province: Organization, demo: DemoExperience) -> ExperienceData:
        comuni = Organization.objects.filter(
            kind=OrganizationKind.MUNICIPALITY, province=province.province
        ).select_related("municipality")
        named = [organization.municipality for organization in comuni.order_by("name")[: demo.named_comuni]]
        name, role, email = demo.contact
        return ExperienceData(
            title=demo.title,
            area=demo.area,
            problem=demo.problem,
            solution=demo.solution,
            organisation=demo.organisation,
            contact_name=name,
            contact_role=role,
            contact_email=email,
            start_year=demo.start_year,
            comuni_count=demo.comuni_count,
            staff=demo.staff,
            cost_amount=Decimal(demo.cost) if demo.cost else None,
            cost_notes=demo.cost_notes,
            municipalities=named,
            results=[ResultData(indicator, Decimal(value), unit) for indicator, value, unit in demo.results],
        )

    def replication(self, demo: DemoExperience, sigla: str) -> None:
        experience = Experience.objects.filter(title=demo.title).first()
        province = Organization.objects.get(kind=OrganizationKind.PROVINCE, province__sigla=sigla)
        if (
            experience is None
            or Replication.objects.filter(experience=experience, province=province).exists()
        ):
            return
        admin = Actor.for_membership(
            Membership.objects.filter(organization=province, role=Role.PROVINCE_ADMIN).earliest("pk")
        )
        services.replicate_experience(
            admin,
            experience,
            "Vorremmo proporre la stessa soluzione ai nostri Comuni: potete raccontarci come avete organizzato "
            "il servizio e quali difficoltà avete incontrato all'inizio?",
        )
