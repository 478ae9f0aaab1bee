"""The built-in questionnaires, as data: "Maturità digitale del Comune" and "Fabbisogni formativi".

Titles and texts are Italian on purpose: they are content (like a Province's own questionnaires), not
interface strings, and they are what the Comuni read and what exports carry. ``services.builtin_template``
stores each (template code, version) once as a questionnaire with no Province; a Province copies it to
adapt it. A change of questions here needs a new ``version``, so that past editions keep theirs.

The maturity questions feed ``rules.maturity.maturity_index`` (see its docstring for the formula).
"""

from typing import Any

from casacomuni.insights.rules.answers import (
    DATE,
    DECIMAL,
    INTEGER,
    MULTIPLE_CHOICE,
    SINGLE_CHOICE,
    TEXT,
    YES_NO,
)

MATURITY = "maturita_digitale"
TRAINING_NEEDS = "fabbisogni_formativi"


def q(code, text, kind, *, help="", unit="", required=False, choices=(), min_value=None, max_value=None,
      decimal_places=2, visible_if=None):  # fmt: skip
    return {
        "code": code,
        "text": text,
        "kind": kind,
        "help": help,
        "unit": unit,
        "required": required,
        "choices": [{"code": c, "label": label} for c, label in choices],
        "min_value": min_value,
        "max_value": max_value,
        "decimal_places": decimal_places,
        "visible_if": visible_if or {},
    }


# Each template: version, title, description, and its sections with their questions (see question()).
TEMPLATES: dict[str, dict[str, Any]] = {
    MATURITY: {
        "version": 1,
        "title": "Maturità digitale del Comune",
        "description": (
            "Lo stato del Comune sulle misure PNRR M1C1 «PA digitale 2026» (cloud, PDND, sito comunale, "
            "pagoPA e app IO, SPID/CIE, SEND), sui dati aperti e sull'organizzazione. Le risposte danno "
            "l'indice di maturità digitale della piattaforma (0–100), calcolato con una formula pubblica."
        ),
        "sections": [
            {
                "title": "Servizi ai cittadini",
                "questions": [
                    q(
                        "spid_cie_login",
                        "I servizi online del Comune sono accessibili con SPID e CIE?",
                        YES_NO,
                        required=True,
                        help="Misura 1.4.4 «Adozione identità digitale».",
                    ),
                    q(
                        "pagopa_services",
                        "Quanti servizi del Comune si pagano con pagoPA?",
                        INTEGER,
                        required=True,
                        unit="servizi",
                        min_value=0,
                        max_value=500,
                        help="Misura 1.4.3: tributi, mensa, trasporto scolastico, diritti di segreteria…",
                    ),
                    q(
                        "io_services",
                        "Quanti servizi del Comune sono attivi sull'app IO?",
                        INTEGER,
                        required=True,
                        unit="servizi",
                        min_value=0,
                        max_value=500,
                        help="Misura 1.4.3 «Adozione app IO».",
                    ),
                    q(
                        "website_model",
                        "Il sito del Comune segue il modello dei siti comunali di Designers Italia?",
                        SINGLE_CHOICE,
                        required=True,
                        choices=(
                            ("none", "No"),
                            ("partial", "In parte (migrazione in corso)"),
                            ("compliant", "Sì, sito conforme al modello"),
                        ),
                        help="Misura 1.4.1 «Esperienza del cittadino nei servizi pubblici».",
                    ),
                    q(
                        "website_online_since",
                        "Da quando è online il sito conforme?",
                        DATE,
                        visible_if={"question": "website_model", "equals": "compliant"},
                    ),
                ],
            },
            {
                "title": "Piattaforme e interoperabilità",
                "questions": [
                    q(
                        "send_act_types",
                        "Quante tipologie di atti il Comune notifica con SEND?",
                        INTEGER,
                        required=True,
                        unit="tipologie",
                        min_value=0,
                        max_value=50,
                        help="Misura 1.4.5 «Piattaforma notifiche digitali»: es. violazioni del codice della "
                        "strada, accertamenti tributari.",
                    ),
                    q(
                        "pdnd_eservices",
                        "Quanti e-service il Comune ha pubblicato sulla PDND?",
                        INTEGER,
                        required=True,
                        unit="e-service",
                        min_value=0,
                        max_value=100,
                        help="Misura 1.3.1 «Piattaforma Digitale Nazionale Dati».",
                    ),
                    q(
                        "cloud_services_total",
                        "Quanti servizi conta il piano di migrazione al cloud del Comune?",
                        INTEGER,
                        required=True,
                        unit="servizi",
                        min_value=0,
                        max_value=500,
                        help="Misura 1.2 «Abilitazione al cloud per le PA locali».",
                    ),
                    q(
                        "cloud_services_migrated",
                        "Quanti di questi servizi sono già migrati su un cloud qualificato?",
                        INTEGER,
                        required=True,
                        unit="servizi",
                        min_value=0,
                        max_value=500,
                    ),
                ],
            },
            {
                "title": "Dati aperti",
                "questions": [
                    q(
                        "open_data_harvested",
                        "Il catalogo dei dati aperti del Comune è raccolto da dati.gov.it?",
                        YES_NO,
                        required=True,
                    ),
                    q(
                        "open_datasets",
                        "Quanti dataset pubblica il catalogo?",
                        INTEGER,
                        unit="dataset",
                        min_value=0,
                        max_value=10000,
                        visible_if={"question": "open_data_harvested", "equals": True},
                    ),
                ],
            },
            {
                "title": "Organizzazione e competenze",
                "questions": [
                    q(
                        "rtd_named",
                        "Il Comune ha nominato il Responsabile per la transizione al digitale?",
                        YES_NO,
                        required=True,
                        help="Art. 17 del Codice dell'amministrazione digitale (anche in forma associata).",
                    ),
                    q(
                        "syllabus_percent",
                        "Quale quota del personale ha completato l'assessment sul Syllabus?",
                        DECIMAL,
                        required=True,
                        unit="%",
                        min_value=0,
                        max_value=100,
                        decimal_places=1,
                        help="Syllabus «Competenze digitali per la PA».",
                    ),
                    q("notes", "Note", TEXT),
                ],
            },
        ],
    },
    TRAINING_NEEDS: {
        "version": 1,
        "title": "Fabbisogni formativi",
        "description": (
            "I bisogni di formazione del personale del Comune: le aree, il livello, quante persone e in che "
            "forma. Le risposte orientano il piano formativo della Provincia."
        ),
        "sections": [
            {
                "title": "Personale",
                "questions": [
                    q(
                        "staff_total",
                        "Quanti dipendenti ha il Comune?",
                        INTEGER,
                        required=True,
                        unit="persone",
                        min_value=0,
                        max_value=20000,
                    ),
                    q(
                        "staff_to_train",
                        "Quante persone vorreste formare nei prossimi dodici mesi?",
                        INTEGER,
                        required=True,
                        unit="persone",
                        min_value=0,
                        max_value=20000,
                    ),
                ],
            },
            {
                "title": "Aree e livelli",
                "questions": [
                    q(
                        "areas",
                        "In quali aree servono corsi?",
                        MULTIPLE_CHOICE,
                        required=True,
                        choices=(
                            ("digital", "Competenze digitali"),
                            ("procurement", "Appalti e contratti pubblici"),
                            ("eu_funds", "Fondi europei e progettazione"),
                            ("accounting", "Bilancio e contabilità"),
                            ("privacy", "Protezione dei dati personali"),
                            ("security", "Sicurezza informatica"),
                            ("transparency", "Trasparenza e anticorruzione"),
                            ("planning", "Urbanistica ed edilizia"),
                            ("other", "Altro"),
                        ),
                    ),
                    q(
                        "areas_other",
                        "Quale altra area?",
                        TEXT,
                        required=True,
                        visible_if={"question": "areas", "equals": "other"},
                    ),
                    q(
                        "level",
                        "Di che livello?",
                        SINGLE_CHOICE,
                        required=True,
                        choices=(("base", "Base"), ("intermediate", "Intermedio"), ("advanced", "Avanzato")),
                    ),
                ],
            },
            {
                "title": "Modalità",
                "questions": [
                    q(
                        "format",
                        "In che forma preferite la formazione?",
                        SINGLE_CHOICE,
                        required=True,
                        choices=(
                            ("classroom", "In aula"),
                            ("online_live", "Online in diretta"),
                            ("elearning", "E-learning"),
                            ("blended", "Mista"),
                        ),
                    ),
                    q(
                        "budget_available",
                        "Il Comune ha un budget proprio per la formazione?",
                        YES_NO,
                        required=True,
                    ),
                    q(
                        "budget_amount",
                        "Di quale importo?",
                        DECIMAL,
                        unit="€",
                        min_value=0,
                        max_value=10000000,
                        decimal_places=2,
                        visible_if={"question": "budget_available", "equals": True},
                    ),
                    q("notes", "Note", TEXT),
                ],
            },
        ],
    },
}
