"""Build the default agreement template ``src/casacomuni/agreements/docx/convenzione.docx`` (a developer step).

Run from the repository root, in the project environment::

    .venv/bin/python scripts/build_agreement_template.py

The DOCX is committed; a Province that wants its own text downloads it from the "Document models" page,
edits it in its word processor and uploads it as a new version. The placeholders (``{{ provincia.nome }}``,
``{%p for s in servizi %}``…) are those of ``casacomuni.agreements.documents.VOCABULARY``; the printable
version, ``agreements/templates/agreements/agreement_print.html``, has the same articles and must be kept
in step with ``ARTICLES`` below (a test compares their headings).

The text follows the usual scheme of a convenzione under art. 30 of the TUEL (D.Lgs. 18 agosto 2000,
n. 267) through which a Province serves its Comuni as allowed by art. 1, comma 88, of L. 7 aprile 2014,
n. 56. The output is byte-for-byte reproducible (fixed dates in the package and its properties).
"""

import io
import sys
import zipfile
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

TARGET = Path(__file__).resolve().parent.parent / "src/casacomuni/agreements/docx/convenzione.docx"
FIXED_TIME = datetime(2026, 1, 1)

TITLE = "CONVENZIONE"
SUBTITLE = (
    "per la gestione associata di servizi tra la Provincia e l'Ente, ai sensi dell'art. 30 del D.Lgs. "
    "18 agosto 2000, n. 267 (TUEL) e dell'art. 1, comma 88, della Legge 7 aprile 2014, n. 56"
)
PARTIES = [
    "TRA",
    "la {{ provincia.nome }} ({{ provincia.sigla }}), codice fiscale "
    "{{ provincia.codice_fiscale }}, di seguito «Provincia», rappresentata dal Presidente "
    "pro tempore, autorizzato con deliberazione {{ convenzione.delibera_provincia or 'n. ____ del ____' }};",
    "E",
    "{{ ente.nome }} ({{ ente.tipo }}{% if ente.codice_istat %}, codice ISTAT {{ ente.codice_istat }}"
    "{% endif %}), codice fiscale {{ ente.codice_fiscale }}, popolazione residente "
    "{{ ente.popolazione or '____' }} abitanti, di seguito «Ente», rappresentato dal legale rappresentante "
    "pro tempore, autorizzato con deliberazione consiliare "
    "{{ convenzione.delibera_ente or 'n. ____ del ____' }}.",
]
RECITALS = [
    "PREMESSO CHE",
    "– l'art. 30 del TUEL consente agli enti locali di stipulare tra loro convenzioni per svolgere in modo "
    "coordinato funzioni e servizi determinati, stabilendone fini, durata, forme di consultazione, rapporti "
    "finanziari, obblighi e garanzie reciproci;",
    "– l'art. 1, comma 88, della L. 56/2014 prevede che la provincia possa esercitare, d'intesa con i comuni, "
    "le funzioni di predisposizione dei documenti di gara, di stazione appaltante, di monitoraggio dei "
    "contratti di servizio e di organizzazione di concorsi e procedure selettive;",
    "– {{ convenzione.base_giuridica }}",
    "TUTTO CIÒ PREMESSO, SI CONVIENE E SI STIPULA QUANTO SEGUE",
]
# (heading, paragraphs): a paragraph starting with "{%p" is a docxtpl paragraph tag on its own line.
ARTICLES = [
    (
        "Art. 1 – Premesse",
        ["Le premesse costituiscono parte integrante e sostanziale della presente convenzione."],
    ),
    ("Art. 2 – Oggetto", ["{{ convenzione.oggetto }}"]),
    (
        "Art. 3 – Servizi e funzioni delegate",
        [
            "La Provincia svolge per l'Ente i servizi seguenti:",
            "{%p for s in servizi %}",
            "{{ loop.index }}. {{ s.nome }}{% if s.tipo|lower != s.nome|lower %} ({{ s.tipo }}){% endif %}: "
            "{{ s.descrizione }}"
            "{% if s.funzioni_delegate %} Funzioni delegate: {{ s.funzioni_delegate }}.{% endif %}",
            "{%p endfor %}",
        ],
    ),
    (
        "Art. 4 – Durata e rinnovo",
        [
            "La convenzione ha efficacia dal {{ convenzione.data_inizio }} al {{ convenzione.data_fine }}. "
            "{{ convenzione.rinnovo }}",
        ],
    ),
    (
        "Art. 5 – Forme di consultazione e governance",
        [
            "Ai sensi dell'art. 30, comma 2, del TUEL, le parti si consultano nelle forme seguenti: "
            "{{ convenzione.governance }}",
            "La conferenza dei sindaci degli enti aderenti e il comitato di indirizzo, ove costituito, "
            "verificano l'andamento dei servizi, approvano la relazione annuale e propongono le modifiche "
            "della convenzione.",
        ],
    ),
    (
        "Art. 6 – Rapporti finanziari",
        [
            "Per ciascun servizio l'Ente riconosce alla Provincia il concorso ai costi seguente:",
            "{%p for s in servizi %}",
            "– {{ s.nome }}: {{ s.costo }}.",
            "{%p endfor %}",
            "La Provincia trasmette ogni anno il rendiconto delle somme dovute; l'Ente le versa entro sessanta "
            "giorni dal ricevimento.",
        ],
    ),
    ("Art. 7 – Responsabile unico del progetto", ["{{ convenzione.rup }}"]),
    (
        "Art. 8 – Protezione dei dati personali",
        # The agreement's own clause only: the standard one (agreements/forms.py) already names the Province
        # as processor under art. 28 GDPR; a fixed paragraph here said it a second time.
        ["{{ convenzione.protezione_dati }}"],
    ),
    (
        "Art. 9 – Recesso",
        [
            "Ciascuna parte può recedere dalla convenzione con deliberazione dell'organo competente, "
            "comunicata all'altra parte a mezzo PEC con un preavviso di almeno "
            "{{ convenzione.preavviso_giorni }} giorni. Il recesso non pregiudica le procedure già avviate, "
            "che la Provincia conclude, né gli obblighi finanziari maturati fino alla data di efficacia.",
        ],
    ),
    ("Art. 10 – Controversie", ["{{ convenzione.controversie }}"]),
    (
        "Art. 11 – Norme finali",
        [
            "La convenzione è sottoscritta con firma digitale ai sensi dell'art. 15, comma 2-bis, della "
            "L. 7 agosto 1990, n. 241, ed è registrata solo in caso d'uso. Per quanto non previsto si "
            "rinvia alla normativa vigente.",
        ],
    ),
]
CLOSING = "Letto, approvato e sottoscritto digitalmente."
SIGNATURES = (
    ("Per la {{ provincia.nome }}", "Il Presidente"),
    ("Per {{ ente.nome }}", "Il legale rappresentante"),
)
FOOTER = (
    "{{ convenzione.titolo }} – {{ provincia.nome }} e {{ ente.nome }} – documento generato il {{ oggi }}"
)


def paragraph(document, text, *, bold=False, center=False, size=None, space_after=6):
    para = document.add_paragraph()
    run = para.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if center:
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif not text.startswith("{%p"):
        para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    para.paragraph_format.space_after = Pt(space_after)
    return para


def build_document():
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin = section.right_margin = Cm(2.5)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(12)

    paragraph(document, TITLE, bold=True, center=True, size=16)
    paragraph(document, "{{ convenzione.titolo }}", bold=True, center=True, size=13)
    paragraph(document, SUBTITLE, center=True, space_after=18)
    for text in PARTIES + RECITALS:
        paragraph(document, text, bold=text.isupper(), center=text.isupper())
    for heading, texts in ARTICLES:
        paragraph(document, heading, bold=True, space_after=4)
        for text in texts:
            paragraph(document, text)
    paragraph(document, CLOSING)
    table = document.add_table(rows=3, cols=2)
    for column, (party, signer) in enumerate(SIGNATURES):
        table.cell(0, column).text = party
        table.cell(1, column).text = signer
        table.cell(2, column).text = "\n\n______________________________\n(firmato digitalmente)"
    footer = section.footer.paragraphs[0]
    footer.text = FOOTER
    footer.runs[0].font.size = Pt(8)

    properties = document.core_properties
    properties.title, properties.author = "Convenzione", "Casa dei Comuni"
    properties.language = "it-IT"
    properties.created = properties.modified = FIXED_TIME
    properties.last_printed = FIXED_TIME
    properties.revision = 1
    return document


def reproducible(data: bytes) -> bytes:
    """The same zip with every entry dated FIXED_TIME, so that a rebuild gives identical bytes."""
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(entry.filename))
    return output.getvalue()


def build() -> bytes:
    raw = io.BytesIO()
    build_document().save(raw)
    return reproducible(raw.getvalue())


def main() -> int:
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_bytes(build())
    print(f"{TARGET}: {TARGET.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
