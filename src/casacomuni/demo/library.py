"""The model library in the demo (issue 12), through the services: UPI's national library with a model in each
area (a convention scheme for the SUA, a determina a contrarre, a lettera d'invito for a procedura negoziata, a
disciplinare, a capitolato, a partnership agreement for an EU call, a project sheet, a questionnaire template on
digital services), DOCX files written here by code with text written for the demo; three models get a second
version. Each demo Province adopts several; Treviso adopted the disciplinare before its version 2, so its copy
shows "aggiornamento disponibile". Treviso also has a model of its own, and its data office started a
questionnaire from the template; Brescia made its agreements' document template from the convention scheme.

Re-runnable: when UPI's library has models, it is left as it is.
"""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Membership, Organization
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.library import services
from casacomuni.library.models import LibraryModel, ModelKind, ServiceArea

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# (key, kind, area, title, legal basis, description, file name, paragraphs)
MODELS = (
    (
        "convenzione",
        ModelKind.CONVENTION,
        ServiceArea.AGREEMENTS,
        "Schema di convenzione per la Stazione Unica Appaltante provinciale",
        "L. 56/2014, art. 1 c. 88; D.Lgs. 267/2000, art. 30; D.Lgs. 36/2023, art. 62",
        "Lo schema con cui un Comune affida alla Provincia le funzioni di centrale di committenza: oggetto, "
        "funzioni delegate, RUP, ripartizione dei costi, durata, recesso.",
        "schema-convenzione-sua.docx",
        (
            "CONVENZIONE PER L'ESERCIZIO DELLE FUNZIONI DI STAZIONE UNICA APPALTANTE",
            "tra la {{ provincia.nome }} e il {{ ente.nome }}",
            "Visto {{ convenzione.base_giuridica }}, le parti convengono quanto segue.",
            "Art. 1 — Oggetto. La Provincia svolge per l'ente le funzioni di centrale di committenza.",
            "Art. 2 — RUP. {{ convenzione.rup }}",
            "Art. 3 — Durata. Dal {{ convenzione.data_inizio }} al {{ convenzione.data_fine }}.",
            "Letto, confermato e sottoscritto il {{ oggi }}.",
        ),
    ),
    (
        "determina",
        ModelKind.DETERMINA,
        ServiceArea.SUA,
        "Determina a contrarre per affidamento diretto di servizi",
        "D.Lgs. 36/2023, artt. 17 e 50 c. 1 lett. b",
        "Determina semplificata che individua l'oggetto, l'importo, l'operatore e le ragioni della scelta.",
        "determina-a-contrarre.docx",
        (
            "DETERMINAZIONE A CONTRARRE",
            "Oggetto: affidamento diretto del servizio di ___, CIG ___.",
            "Premesso che l'importo stimato è inferiore alla soglia dell'art. 50, c. 1, lett. b;",
            "DETERMINA di affidare il servizio all'operatore ___ per l'importo di euro ___ oltre IVA.",
        ),
    ),
    (
        "invito",
        ModelKind.INVITATION,
        ServiceArea.SUA,
        "Lettera d'invito per procedura negoziata senza bando di lavori",
        "D.Lgs. 36/2023, art. 50 c. 1 lett. c e d",
        "Lettera d'invito ad almeno cinque operatori, con termini, requisiti, criterio di aggiudicazione.",
        "lettera-invito-negoziata.docx",
        (
            "LETTERA D'INVITO — PROCEDURA NEGOZIATA SENZA BANDO",
            "Codesto operatore è invitato a presentare offerta per i lavori di ___.",
            "Termine per la presentazione delle offerte: ore 12:00 del giorno ___.",
            "Criterio di aggiudicazione: minor prezzo, con esclusione automatica delle offerte anomale.",
        ),
    ),
    (
        "disciplinare",
        ModelKind.DISCIPLINARE,
        ServiceArea.SUA,
        "Disciplinare di gara per procedura aperta telematica",
        "D.Lgs. 36/2023, artt. 71 e 108",
        "Disciplinare per procedura aperta sopra soglia su piattaforma certificata, con offerta economicamente "
        "più vantaggiosa.",
        "disciplinare-procedura-aperta.docx",
        (
            "DISCIPLINARE DI GARA",
            "1. Piattaforma telematica e registrazione degli operatori.",
            "2. Requisiti di partecipazione e soccorso istruttorio.",
            "3. Criterio di aggiudicazione: offerta economicamente più vantaggiosa.",
        ),
    ),
    (
        "capitolato",
        ModelKind.CAPITOLATO,
        ServiceArea.SUA,
        "Capitolato speciale per la manutenzione del verde pubblico",
        "D.Lgs. 36/2023, art. 41; DM 63/2020 (CAM verde pubblico)",
        "Prescrizioni tecniche e criteri ambientali minimi per la manutenzione di parchi, aiuole e alberature.",
        "capitolato-verde-pubblico.docx",
        (
            "CAPITOLATO SPECIALE D'APPALTO",
            "Art. 1 — Oggetto: manutenzione ordinaria del verde pubblico comunale.",
            "Art. 2 — Criteri ambientali minimi: si applicano i CAM del DM 63/2020.",
            "Art. 3 — Penali per ritardo negli interventi programmati.",
        ),
    ),
    (
        "partenariato",
        ModelKind.PARTNERSHIP,
        ServiceArea.EU_FUNDS,
        "Accordo di partenariato per la candidatura a un bando europeo",
        "Reg. (UE) 2021/1060; D.Lgs. 267/2000, art. 30",
        "Accordo tra ente capofila e partner: ruoli, quote di cofinanziamento, rendicontazione, proprietà dei "
        "risultati.",
        "accordo-partenariato.docx",
        (
            "ACCORDO DI PARTENARIATO",
            "Il capofila coordina il progetto e ne cura la rendicontazione verso l'autorità di gestione.",
            "Ogni partner sostiene le spese della propria quota di attività.",
        ),
    ),
    (
        "scheda",
        ModelKind.PROJECT_SHEET,
        ServiceArea.EU_FUNDS,
        "Scheda progetto per la verifica di ammissibilità",
        "",
        "La scheda con cui il Comune descrive l'idea progettuale al servizio Europa della Provincia.",
        "scheda-progetto.docx",
        (
            "SCHEDA PROGETTO",
            "Titolo dell'intervento, CUP se già assegnato, costo complessivo.",
            "Obiettivi, risultati attesi, indicatori di realizzazione.",
        ),
    ),
    (
        "questionario",
        ModelKind.QUESTIONNAIRE,
        ServiceArea.DATA,
        "Questionario sui servizi digitali del Comune",
        "D.Lgs. 82/2005 (CAD)",
        "Rilevazione dei servizi online del Comune e dei canali di pagamento e identità digitale.",
        "nota-questionario.docx",
        ("NOTA METODOLOGICA", "Il questionario rileva i servizi digitali attivi al 31 dicembre."),
    ),
)

QUESTIONNAIRE = [
    {
        "title": "Servizi online",
        "questions": [
            {"code": "servizi_online", "text": "Quanti servizi sono prenotabili o richiedibili online?",
             "kind": "integer", "required": True, "min_value": 0, "max_value": 500, "unit": "servizi"},
            {"code": "spid_cie", "text": "I servizi online sono accessibili con SPID e CIE?", "kind": "yes_no",
             "required": True},
        ],
    },
    {
        "title": "Pagamenti",
        "questions": [
            {"code": "pagopa", "text": "Quali entrate si pagano con pagoPA?", "kind": "multiple_choice",
             "choices": [{"code": "tributi", "label": "Tributi"}, {"code": "mensa", "label": "Mensa scolastica"},
                         {"code": "diritti", "label": "Diritti di segreteria"}]},
        ],
    },
]  # fmt: skip

# (key, changelog, changes): the second versions UPI publishes.
SECOND_VERSIONS = (
    (
        "disciplinare",
        "Aggiornato al correttivo (D.Lgs. 209/2024): nuove regole sul soccorso istruttorio e sulla verifica "
        "dei requisiti tramite il FVOE.",
        {"legal_basis": "D.Lgs. 36/2023, artt. 71, 101 e 108, come modificati dal D.Lgs. 209/2024"},
    ),
    (
        "capitolato",
        "Aggiunte le penali per mancato rispetto dei CAM e l'allegato sul censimento delle alberature.",
        {"attachment": ("allegato-censimento-alberature.docx", "CENSIMENTO DELLE ALBERATURE", "Specie, classe di altezza, stato fitosanitario.")},
    ),
    (
        "determina",
        "Precisata la motivazione della scelta dell'operatore e il rispetto del principio di rotazione.",
        {"description": "Determina semplificata con motivazione della scelta e rispetto della rotazione (art. 49)."},
    ),
)  # fmt: skip

# Per Province: the models it adopts before UPI's second versions, and after them.
ADOPTIONS = {
    "TV": (("disciplinare", "convenzione", "questionario"), ("capitolato",)),
    "PG": (("convenzione",), ("disciplinare", "invito", "partenariato")),
    "BS": (("determina",), ("convenzione", "capitolato", "scheda")),
}


def docx_file(name: str, *paragraphs: str) -> SimpleUploadedFile:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=DOCX_TYPE)


def actor_of(organization: Organization, role: str) -> Actor:
    membership = Membership.objects.filter(organization=organization, role=role).first()
    return Actor.for_membership(membership, "load_demo")


class DemoLibrary:
    def build(self, siglas) -> None:
        upi = Organization.objects.get(kind=OrganizationKind.UPI)
        if LibraryModel.objects.filter(owner=upi).exists():
            return
        actor = actor_of(upi, Role.UPI_ADMIN)
        models = {spec[0]: self.model(actor, *spec[1:]) for spec in MODELS}
        provinces = {
            sigla: Organization.objects.get(kind=OrganizationKind.PROVINCE, province__sigla=sigla)
            for sigla in siglas
        }
        for sigla, province in provinces.items():
            for key in ADOPTIONS.get(sigla, ((), ()))[0]:
                services.adopt_version(actor_of(province, Role.PROVINCE_ADMIN), models[key].current_version)
        for key, changelog, changes in SECOND_VERSIONS:
            self.second_version(actor, models[key], changelog, changes)
        for sigla, province in provinces.items():
            for key in ADOPTIONS.get(sigla, ((), ()))[1]:
                models[key].refresh_from_db()
                services.adopt_version(actor_of(province, Role.PROVINCE_ADMIN), models[key].current_version)
        if "TV" in provinces:
            self.treviso(provinces["TV"], models)
        if "BS" in provinces:
            version = models["convenzione"].current_version
            docx = version.files.get()
            services.start_agreement_template(actor_of(provinces["BS"], Role.PROVINCE_ADMIN), version, docx)

    def model(
        self, actor, kind, area, title, legal_basis, description, file_name, paragraphs
    ) -> LibraryModel:
        data = services.VersionData(
            title=title,
            changelog="Prima versione del modello.",
            legal_basis=legal_basis,
            description=description,
            questionnaire=QUESTIONNAIRE if kind == ModelKind.QUESTIONNAIRE else [],
            uploads=[docx_file(file_name, *paragraphs)],
        )
        model = services.create_model(actor, services.ModelData(kind=kind, area=area), data)
        services.publish_version(actor, model.versions.get())
        model.refresh_from_db()
        return model

    def second_version(self, actor, model: LibraryModel, changelog: str, changes: dict) -> None:
        latest = model.current_version
        uploads = [docx_file(*changes["attachment"])] if "attachment" in changes else []
        data = services.VersionData(
            title=latest.title,
            changelog=changelog,
            legal_basis=changes.get("legal_basis", latest.legal_basis),
            description=changes.get("description", latest.description),
            questionnaire=latest.questionnaire,
            keep=[f.pk for f in latest.files.all()],
            uploads=uploads,
        )
        services.publish_version(actor, services.add_version(actor, model, data))

    def treviso(self, province: Organization, models: dict) -> None:
        """A model of Treviso's own, a local version of its copy of the convention scheme, and a questionnaire
        its data office started from UPI's template."""
        admin = actor_of(province, Role.PROVINCE_ADMIN)
        own = services.create_model(
            admin,
            services.ModelData(kind=ModelKind.OTHER, area=ServiceArea.SUA),
            services.VersionData(
                title="Regolamento per il funzionamento della SUA provinciale",
                changelog="Approvato con delibera del Consiglio provinciale.",
                legal_basis="D.Lgs. 36/2023, art. 62; L. 56/2014",
                description="Organizzazione, tempi e costi del servizio di centrale di committenza.",
                uploads=[
                    docx_file("regolamento-sua-treviso.docx", "REGOLAMENTO DELLA SUA", "Art. 1 — Finalità.")
                ],
            ),
        )
        services.publish_version(admin, own.versions.get())
        copy = LibraryModel.objects.get(owner=province, origin_version__model=models["convenzione"])
        latest = copy.current_version
        data = services.VersionData(
            title=latest.title,
            changelog="Adattato: quota di adesione per abitante e conferenza dei sindaci.",
            legal_basis=latest.legal_basis,
            description=latest.description,
            keep=[f.pk for f in latest.files.all()],
            local_notes="Quota di adesione: 0,50 euro per abitante; governance: conferenza dei sindaci.",
        )
        services.publish_version(admin, services.add_version(admin, copy, data))
        services.start_questionnaire(
            actor_of(province, Role.DATA_OFFICER), models["questionario"].current_version
        )
