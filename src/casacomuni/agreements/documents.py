"""The documents of an agreement: the placeholders its templates may use, and the DOCX and PDF it generates.

This module is the one place where the placeholder vocabulary of agreement templates is defined
(``VOCABULARY``, shown to Province administrators on the templates page): ``agreement_context`` fills it
from a real agreement, ``sample_context`` with sample data for previews and upload checks.

The phrases this module writes into a document (cost in words, who keeps the RUP, the resolutions) are
Italian literals, not gettext strings: an agreement between Italian public bodies is an Italian legal
act whatever the reader's language, and its default template (``docx/convenzione.docx``, built by
``scripts/build_agreement_template.py``) and printable version (``agreement_print.html``) are Italian too.
"""

from datetime import date
from decimal import Decimal
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from casacomuni.agreements.models import Agreement, CostModel, Service, SuaFunction
from casacomuni.agreements.rules import costs
from casacomuni.documents import docx
from casacomuni.documents.docx import Placeholder
from casacomuni.documents.kinds import TemplateKind
from casacomuni.lib.formats import euro, number, percent

DEFAULT_TEMPLATE = Path(__file__).parent / "docx" / "convenzione.docx"
PRINT_TEMPLATE = "agreements/agreement_print.html"

VOCABULARY = (
    Placeholder(
        "provincia",
        _("The Province"),
        {"nome": _("name"), "codice_fiscale": _("fiscal code"), "sigla": _("abbreviation, e.g. TV")},
    ),
    Placeholder(
        "ente",
        _("The Comune or Unione di Comuni"),
        {
            "nome": _("name"),
            "tipo": _("Comune or Unione di Comuni"),
            "codice_fiscale": _("fiscal code"),
            "codice_istat": _("ISTAT code (empty for a Unione)"),
            "popolazione": _("resident population (ISTAT), e.g. 12.345"),
        },
    ),
    Placeholder(
        "convenzione",
        _("The agreement's clauses and acts"),
        {
            "titolo": _("title"),
            "base_giuridica": _("legal basis"),
            "oggetto": _("object"),
            "governance": _("governance"),
            "rup": _("who appoints the RUP, as a sentence"),
            "protezione_dati": _("data protection"),
            "controversie": _("disputes"),
            "data_inizio": _("start date, e.g. 1 gennaio 2027"),
            "data_fine": _("end date"),
            "rinnovi_ammessi": _("number of renewals allowed"),
            "rinnovo": _("the renewal clause as a sentence, e.g. renewable no more than once"),
            "preavviso_giorni": _("notice for withdrawal, in days"),
            "delibera_provincia": _("the Province's resolution, e.g. n. 12 del 3 marzo 2027 (empty if none)"),
            "delibera_ente": _("the council's resolution (empty if none)"),
            "stato": _("state of the agreement"),
        },
    ),
    Placeholder(
        "servizi",
        _("The services agreed: a list to go through one by one"),
        {
            "nome": _("name"),
            "descrizione": _("description"),
            "tipo": _("kind of service"),
            "funzioni_delegate": _("functions delegated (SUA: ANAC codes 1–4), empty if none"),
            "costo": _("cost sharing in words, with the amounts"),
        },
        many=True,
    ),
    Placeholder("oggi", _("today's date, e.g. 12 marzo 2027")),
)

MONTHS = (
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
)

# Phrases of the document, by value (see the module docstring on why they are Italian).
RUP_CLAUSES = {
    Agreement.RupKeeper.MUNICIPALITY: (
        "L'Ente conserva il responsabile unico del progetto (RUP) di ciascun intervento; la Provincia "
        "nomina un responsabile per le fasi della procedura di propria competenza (art. 15 D.Lgs. 36/2023)."
    ),
    Agreement.RupKeeper.PROVINCE: (
        "La Provincia nomina il responsabile unico del progetto (RUP) per ciascuna procedura che svolge "
        "per conto dell'Ente (art. 15 D.Lgs. 36/2023)."
    ),
}
PARTY_KINDS = {"municipality": "Comune", "union": "Unione di Comuni"}
SERVICE_KINDS_IT = {
    "sua": "Stazione unica appaltante (SUA)",
    "eu_funds": "Servizio associato politiche europee (SAPE)",
    "innovation": "Innovazione e servizi sui dati",
    "technical_assistance": "Assistenza tecnico-amministrativa",
    "recruitment": "Reclutamento e concorsi",
    "payroll": "Gestione del personale e stipendi",
    "planning_gis": "Pianificazione territoriale e GIS",
    "statistics": "Statistica",
}
SUA_FUNCTIONS_IT = {
    SuaFunction.AWARD: "sola aggiudicazione",
    SuaFunction.AWARD_AND_CONTRACT: "aggiudicazione e stipula del contratto",
    SuaFunction.AWARD_CONTRACT_EXECUTION: "aggiudicazione, stipula ed esecuzione del contratto",
    SuaFunction.AWARD_PROPOSAL: "sola proposta di aggiudicazione",
}
STATES_IT = {
    "draft": "bozza",
    "province_approved": "approvata dalla Provincia",
    "municipality_approved": "approvata dall'Ente",
    "signed": "sottoscritta",
    "active": "in vigore",
    "expired": "scaduta",
    "withdrawn": "cessata per recesso",
}


# What a document says where a party's fiscal code should be and the platform does not know it: a visible
# gap to fill before the signature, not a blank line that reads as done.
MISSING_FISCAL_CODE = "[da completare: non registrato sulla piattaforma]"
NUMBERS_IN_WORDS = ("zero", "una", "due", "tre", "quattro", "cinque", "sei", "sette", "otto", "nove", "dieci")


def renewal_clause(allowed: int) -> str:
    """Art. 4's renewal sentence, with "una volta" / "due volte" as Italian writes them."""
    if allowed == 0:
        return "La convenzione non è rinnovabile."
    times = (
        "una volta" if allowed == 1 else f"{NUMBERS_IN_WORDS[allowed] if allowed <= 10 else allowed} volte"
    )
    return (
        "Può essere rinnovata, con deliberazione di entrambe le parti adottata prima della scadenza, per non "
        f"più di {times} e per una durata non superiore a quella iniziale."
    )


def format_date(day: date | None) -> str:
    """``1° marzo 2027``, ``12 marzo 2027``: the form of dates in Italian acts; "" for no date."""
    if day is None:
        return ""
    return f"{'1°' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def format_euro(value) -> str:
    """An amount as the agreement states it: "€ 1.200,00", "€ 0,1234" for a rate per inhabitant."""
    return euro(value, 2, most=4)


def cost_in_words(service: Service) -> str:
    """The service's cost-sharing model as the agreement states it (models of rules/costs.py)."""
    amount = service.cost_amount
    if service.cost_model == costs.FREE:
        return "servizio senza oneri per l'Ente"
    if service.cost_model == costs.FIXED_FEE:
        return f"quota fissa annua di {format_euro(amount)}, in proporzione ai giorni di adesione nell'anno"
    if service.cost_model == costs.PER_INHABITANT:
        return (
            f"{format_euro(amount)} per abitante all'anno, sulla popolazione residente rilevata dall'ISTAT, "
            "in proporzione ai giorni di adesione nell'anno"
        )
    if service.cost_model == costs.PER_PROCEDURE:
        return f"{format_euro(amount)} per ciascuna procedura svolta per conto dell'Ente"
    words = f"{percent(amount, 0, most=4)} dell'importo di ciascuna procedura"
    bounds = []
    if service.cost_minimum is not None:
        bounds.append(f"un minimo di {format_euro(service.cost_minimum)}")
    if service.cost_maximum is not None:
        bounds.append(f"un massimo di {format_euro(service.cost_maximum)}")
    return f"{words}, con {' e '.join(bounds)} per procedura" if bounds else words


def resolution(number: str, day: date | None) -> str:
    if not number:
        return ""
    return f"n. {number} del {format_date(day)}" if day else f"n. {number}"


def service_context(service: Service) -> dict:
    functions = "; ".join(
        f"{code}. {SUA_FUNCTIONS_IT[code]}" for code in sorted(service.delegated_functions or [])
    )
    return {
        "nome": service.name,
        "descrizione": service.description,
        "tipo": SERVICE_KINDS_IT.get(service.kind, service.kind),
        "funzioni_delegate": functions,
        "costo": cost_in_words(service),
    }


def build_context(agreement: Agreement, services: list[Service], population: int | None, today: date) -> dict:
    province, party = agreement.province, agreement.municipality
    return {
        "provincia": {
            "nome": province.name,
            "codice_fiscale": province.fiscal_code or MISSING_FISCAL_CODE,
            "sigla": province.province.sigla if province.province else "",
        },
        "ente": {
            "nome": party.name,
            "tipo": PARTY_KINDS.get(party.kind, ""),
            "codice_fiscale": party.fiscal_code or MISSING_FISCAL_CODE,
            "codice_istat": party.municipality.istat_code if party.municipality else "",
            "popolazione": number(population) if population is not None else "",
        },
        "convenzione": {
            "titolo": agreement.title,
            "base_giuridica": agreement.legal_basis,
            "oggetto": agreement.object,
            "governance": agreement.governance,
            "rup": RUP_CLAUSES[agreement.rup_keeper],
            "protezione_dati": agreement.data_protection,
            "controversie": agreement.disputes,
            "data_inizio": format_date(agreement.start_date),
            "data_fine": format_date(agreement.end_date),
            "rinnovi_ammessi": agreement.max_renewals,
            "rinnovo": renewal_clause(agreement.max_renewals),
            "preavviso_giorni": agreement.notice_days,
            "delibera_provincia": resolution(
                agreement.province_resolution_number, agreement.province_resolution_date
            ),
            "delibera_ente": resolution(
                agreement.municipality_resolution_number, agreement.municipality_resolution_date
            ),
            "stato": STATES_IT.get(agreement.state, agreement.state),
        },
        "servizi": [service_context(service) for service in services],
        "oggi": format_date(today),
    }


def agreement_context(agreement: Agreement) -> dict:
    """The vocabulary filled with ``agreement``'s parties, clauses, acts and services."""
    from casacomuni.agreements.services import population_of

    services = [adhesion.service for adhesion in agreement.adhesions.select_related("service")]
    population, _year = population_of(agreement.municipality)
    return build_context(agreement, services, population, timezone.localdate())


def sample_context() -> dict:
    """The vocabulary filled with sample data: the same structure as ``agreement_context``."""
    from casacomuni.accounts.models import Organization
    from casacomuni.territory.models import Municipality, Province

    province = Organization(
        kind="province",
        name="Provincia di Esempio",
        fiscal_code="80001230123",
        province=Province(name="Esempio", sigla="EE"),
    )
    party = Organization(
        kind="municipality",
        name="Comune di Borgo Esempio",
        fiscal_code="00123450123",
        municipality=Municipality(istat_code="099001", name="Borgo Esempio"),
    )
    agreement = Agreement(
        province=province,
        municipality=party,
        title="Convenzione per la stazione unica appaltante e i servizi statistici",
        legal_basis="Deliberazione del Consiglio provinciale di approvazione dello schema di convenzione.",
        object="La gestione in forma associata delle procedure di gara e dei servizi statistici dell'Ente.",
        governance="Conferenza dei sindaci, convocata dal Presidente della Provincia almeno una volta l'anno.",
        rup_keeper=Agreement.RupKeeper.MUNICIPALITY,
        data_protection="La Provincia tratta i dati solo per le finalità della convenzione.",
        disputes="Foro competente: Tribunale del capoluogo di provincia.",
        start_date=date(2027, 1, 1),
        end_date=date(2031, 12, 31),
        max_renewals=1,
        notice_days=180,
        state="province_approved",
        province_resolution_number="12",
        province_resolution_date=date(2026, 11, 3),
    )
    services = [
        Service(
            kind="sua",
            name="Centrale di committenza provinciale",
            description="Gare di lavori, servizi e forniture per conto dell'Ente.",
            delegated_functions=[1, 2],
            cost_model=CostModel.PERCENTAGE,
            cost_amount=Decimal("0.5"),
            cost_minimum=Decimal("500"),
            cost_maximum=Decimal("5000"),
        ),
        Service(
            kind="statistics",
            name="Ufficio statistico associato",
            description="Rilevazioni e indicatori sul territorio dell'Ente.",
            cost_model=CostModel.PER_INHABITANT,
            cost_amount=Decimal("0.35"),
        ),
    ]
    return build_context(agreement, services, 4321, date(2026, 11, 20))


def template_data(province) -> bytes:
    """The DOCX the Province uses now: its current template, or the packaged default."""
    from casacomuni.documents.models import DocumentTemplate

    template = DocumentTemplate.objects.current(province, TemplateKind.AGREEMENT)
    if template is None:
        return DEFAULT_TEMPLATE.read_bytes()
    with template.file.open("rb") as stored:
        return stored.read()


def render_agreement_docx(agreement: Agreement) -> bytes:
    """The agreement as an editable DOCX, from the Province's current template or the default one.

    Raises:
        casacomuni.documents.docx.TemplateProblem: the template cannot be filled in.
    """
    return docx.render(template_data(agreement.province), agreement_context(agreement))


def render_template_preview(template) -> bytes:
    """A stored template filled in with the sample data."""
    with template.file.open("rb") as stored:
        return docx.render(stored.read(), sample_context())


def offline_fetcher() -> URLFetcher:
    """Only data: URLs: the printable agreement embeds all it needs, so rendering never touches the
    network (nor files beyond the system fonts fontconfig knows). One per rendering: fetchers keep state."""
    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def agreement_print_html(agreement: Agreement) -> str:
    with translation.override("it"):
        return render_to_string(PRINT_TEMPLATE, agreement_context(agreement))


def agreement_pdf_document(agreement: Agreement):
    """The laid-out printable agreement (a WeasyPrint Document: its pages and boxes, before PDF)."""
    return HTML(string=agreement_print_html(agreement), url_fetcher=offline_fetcher()).render()


def render_agreement_pdf(agreement: Agreement) -> bytes:
    """The agreement as a PDF to sign: A4, Italian, the parties' signature blocks."""
    return agreement_pdf_document(agreement).write_pdf()
