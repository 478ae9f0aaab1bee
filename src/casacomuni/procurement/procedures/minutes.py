"""The minutes of a lot's evaluation ("verbale di gara"), written as an Italian officer writes them.

One source of content, two renderings: ``build_minutes`` turns the stored evaluation into a ``Minutes`` — a
title and a list of blocks (headings, paragraphs, tables, the signature block) holding only finished Italian
text — and ``render_docx`` (python-docx, docxtpl's base) and ``render_pdf`` (WeasyPrint, from the print
template) lay the same blocks out. Nothing is worded in either renderer, so the two files say the same.

What the minutes hold: the contracting authority and the procedure (lot, CIG, buyer, RUP, amounts, criterion),
the premises (publication, deadline, bids received), the date, place and who evaluates, every bid with its
outcome, the parameters of the documents in words ("metodo A dell'Allegato II.2, tre cifre decimali,
arrotondamento per eccesso..."), every intermediate value (S, M, SM, c1, c2, V, rho or d, R_ref with its
table cell, T), the excluded bids with their reasons, the ranking, the proposal of award (art. 17 c.5
D.Lgs. 36/2023) and the signatures. Numbers are Italian ("240.000,00 €", "7,500 %"). They are an Italian
administrative act: Italian whatever the reader's language. Rendering is offline (no network, system fonts
only). The files are stored privately on the Evaluation and streamed only to the SUA and the lot's Comune.
"""

import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone, translation
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from weasyprint import HTML

from casacomuni.agreements.documents import offline_fetcher
from casacomuni.procurement.ocds.export import bid_amount
from casacomuni.procurement.procedures.models import BidStatus
from casacomuni.procurement.rules import anomaly, oepv
from casacomuni.procurement.rules.reference_discounts import BAND_WORDS
from casacomuni.procurement.rules.router import format_euro

PRINT_TEMPLATE = "procurement/procedures/minutes_print.html"
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
SIGNATURE_LINE = "______________________________"
ART_54 = "art. 54, comma 1, D.Lgs. 36/2023"


# --- The document: blocks of finished text ------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    text: str
    kind: str = "heading"


@dataclass(frozen=True)
class Paragraph:
    """``style``: "" (body, justified), "centre", "title" (centred, bold, larger) or "item" (a premise)."""

    text: str
    style: str = ""
    kind: str = "paragraph"


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset = frozenset()  # indexes of the columns aligned right
    kind: str = "table"


@dataclass(frozen=True)
class Signatures:
    rows: tuple[tuple[str, str], ...]  # (role, name)
    kind: str = "signatures"


@dataclass(frozen=True)
class Minutes:
    title: str
    blocks: tuple = field(default_factory=tuple)


def sentence(text: str) -> str:
    """``text`` ending with one full stop ("S.r.l." stays "S.r.l.", never "S.r.l..")."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def percent(value, places: int) -> str:
    """A percentage the Italian way with the documents' decimals (never fewer than it has): "7,500 %"."""
    number = Decimal(str(value)).normalize()
    if number.as_tuple().exponent > 0:
        number = number.quantize(Decimal(1))
    return f"{anomaly.italian_number(number, places)} %"


def number(value, places: int) -> str:
    return anomaly.italian_number(Decimal(str(value)), places)


def when(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local:%d/%m/%Y} alle ore {local:%H:%M}"


# --- Building the content -----------------------------------------------------------------------------------


def build_minutes(evaluation) -> Minutes:
    """The minutes of ``evaluation`` as blocks of Italian text (see the module's docstring)."""
    with translation.override("it"):
        return Minutes(
            title=f"Verbale di gara — lotto {evaluation.lot.number}", blocks=tuple(_blocks(evaluation))
        )


def _blocks(evaluation):
    lot = evaluation.lot
    procedure = lot.procedure
    result = evaluation.result
    is_oepv = "technical_max" in result
    bids = list(
        lot.bids.select_related("operator")
        .prefetch_related("technical_coefficients__member")
        .order_by("received_at", "pk")
    )
    places = 3 if is_oepv else int(evaluation.parameters.get("decimals", 3))
    yield Paragraph(procedure.province.name.upper(), "centre")
    yield Paragraph("Stazione Unica Appaltante", "centre")
    yield Paragraph("VERBALE DI GARA", "title")
    yield Paragraph(_subtitle(result, is_oepv), "centre")
    yield from _subject(procedure, lot)
    yield from _premises(procedure, bids, result, is_oepv)
    yield Paragraph(_opening(evaluation))
    yield Heading("1. Offerte pervenute")
    yield _bids_table(bids, lot, places, is_oepv)
    if is_oepv:
        yield from _oepv_sections(result, evaluation.parameters, bids)
    else:
        yield from _anomaly_sections(result, evaluation.parameters, places)
    yield Heading("4. Offerte escluse")
    yield from _excluded(bids, result, is_oepv)
    yield Heading("5. Graduatoria")
    yield _ranking_table(result, places, is_oepv)
    yield Heading("6. Proposta di aggiudicazione")
    yield Paragraph(_proposal(result, lot, places, is_oepv))
    yield Paragraph("Del che è verbale, che, letto e confermato, viene sottoscritto.")
    yield Signatures(_signatures(evaluation))


def _subtitle(result: dict, is_oepv: bool) -> str:
    if is_oepv:
        return "Attribuzione dei punteggi, graduatoria e proposta di aggiudicazione"
    if result.get("applicable"):
        return "Esame delle offerte economiche, calcolo della soglia di anomalia e proposta di aggiudicazione"
    return "Esame delle offerte economiche, graduatoria e proposta di aggiudicazione"


def _subject(procedure, lot):
    rows = [
        ("Procedura", f"{procedure.get_procedure_type_display()} — «{procedure.title}»"),
        ("Lotto", f"n. {lot.number} — «{lot.title}»"),
        ("CIG", lot.cig or "non indicato"),
    ]
    if lot.cup:
        rows.append(("CUP", lot.cup))
    rows.append(("Ente committente", lot.municipality.name))
    if lot.request_id and lot.request.rup_name:
        rows.append(("RUP dell'ente committente", lot.request.rup_name))
    rows += [
        (
            "Importo a base di gara",
            f"{format_euro(lot.base_amount)} soggetti a ribasso, oltre a {format_euro(lot.safety_costs)} di "
            "oneri per la sicurezza non soggetti a ribasso, IVA esclusa",
        ),
        ("Criterio di aggiudicazione", _criterion_words(procedure)),
    ]
    if procedure.ocid:
        rows.append(("Identificativo OCDS", procedure.ocid))
    yield Heading("Oggetto")
    yield Table(("Voce", "Dati"), tuple(rows))


def _criterion_words(procedure) -> str:
    if procedure.criterion == "oepv":
        return "offerta economicamente più vantaggiosa, miglior rapporto qualità/prezzo (art. 108 D.Lgs. 36/2023)"
    return "minor prezzo (art. 108, comma 3, D.Lgs. 36/2023)"


def _premises(procedure, bids, result, is_oepv):
    yield Paragraph("Premesso che:")
    if procedure.published_at:
        deadline = (
            f", con termine per la presentazione delle offerte fissato al {when(procedure.bid_deadline)}"
        )
        yield Paragraph(
            f"– la procedura è stata pubblicata il {timezone.localtime(procedure.published_at):%d/%m/%Y}"
            f"{deadline if procedure.bid_deadline else ''};",
            "item",
        )
    count = len(bids)
    yield Paragraph(
        f"– entro il termine sono pervenute {'una offerta' if count == 1 else f'n. {count} offerte'}, "
        "elencate al punto 1;",
        "item",
    )
    if not is_oepv and result.get("applicable"):
        yield Paragraph(
            f"– gli atti di gara prevedono l'esclusione automatica delle offerte anomale ai sensi dell'{ART_54} "
            "e ne fissano i parametri di calcolo, riportati al punto 2.",
            "item",
        )
    else:
        yield Paragraph("– gli atti di gara fissano i parametri di valutazione riportati al punto 2.", "item")


def _opening(evaluation) -> str:
    at = timezone.localtime(evaluation.computed_at)
    province = evaluation.lot.procedure.province.name
    who = (
        f"il seggio di gara presieduto da {evaluation.computed_by}, funzionario della Stazione Unica Appaltante,"
        if evaluation.computed_by
        else "il seggio di gara della Stazione Unica Appaltante"
    )
    return (
        f"Tutto ciò premesso, l'anno {at.year}, il giorno {at.day} del mese di {MONTHS[at.month - 1]}, alle ore "
        f"{at:%H:%M}, presso la sede della {province}, Stazione Unica Appaltante, {who} procede all'esame "
        "delle offerte del lotto in oggetto, con l'ausilio della piattaforma, che esegue i calcoli in "
        "aritmetica decimale esatta."
    )


def _outcome(bid) -> str:
    if bid.status == BidStatus.ADMITTED:
        return "Ammessa"
    if bid.status == BidStatus.ANOMALOUS:
        return "Esclusa perché anomala (punto 4)"
    if bid.status == BidStatus.EXCLUDED:
        return "Esclusa (punto 4)"
    return "Ricevuta, non esaminata"


def _bids_table(bids, lot, places, is_oepv) -> Table:
    header = ["N.", "Operatore economico", "Ricevuta il", "Ribasso", "Importo offerto"]
    if is_oepv:
        header.append("Punteggio tecnico")
    header.append("Esito")
    rows = []
    for position, bid in enumerate(bids, start=1):
        amount = bid_amount(bid, lot)
        row = [
            str(position),
            bid.operator.name,
            f"{timezone.localtime(bid.received_at):%d/%m/%Y %H:%M}",
            "—" if bid.discount_percent is None else percent(bid.discount_percent, places),
            "—" if amount is None else format_euro(amount),
        ]
        if is_oepv:
            row.append("—" if bid.technical_score is None else number(bid.technical_score, 3))
        row.append(_outcome(bid))
        rows.append(tuple(row))
    numeric = {0, 3, 4, 5} if is_oepv else {0, 3, 4}
    return Table(tuple(header), tuple(rows), frozenset(numeric))


# --- Lowest price: the anomaly threshold --------------------------------------------------------------------


def _anomaly_sections(result: dict, parameters: dict, places: int):
    yield Heading("2. Parametri di calcolo stabiliti negli atti di gara")
    for line in _parameters_in_words(parameters, result):
        yield Paragraph(line)
    if not result.get("applicable"):
        yield Heading("3. Esclusione automatica delle offerte anomale")
        yield Paragraph(_not_applicable(result))
        return
    yield Heading("3. Calcolo della soglia di anomalia")
    names = result.get("names", {})

    def listing(rows):
        return "; ".join(
            f"{names.get(r['operator'], r['operator'])} ({percent(r['discount'], places)})" for r in rows
        )

    n, k = result["n"], result["k"]
    yield Paragraph(
        f"Offerte ammesse: n = {n}. Offerte da accantonare per ciascuna ala: k = {k} (il 10 % di {n}, "
        "arrotondato all'unità superiore)."
    )
    yield Paragraph(
        sentence(f"Offerte accantonate per il minor ribasso: {listing(result['lower_wing']) or 'nessuna'}")
    )
    yield Paragraph(
        sentence(f"Offerte accantonate per il maggior ribasso: {listing(result['upper_wing']) or 'nessuna'}")
    )
    if result.get("threshold") is None:
        yield Paragraph(
            "Il taglio delle ali accantona tutte le offerte: la soglia di anomalia non può essere calcolata e "
            "nessuna offerta è esclusa automaticamente."
        )
        return
    yield _values_table(result, parameters, places)
    yield Paragraph(_threshold_formula(result, places))


def _parameters_in_words(parameters: dict, result: dict) -> list[str]:
    method = parameters.get("method", anomaly.METHOD_A)
    chosen = (
        "sorteggiato in sede di gara" if parameters.get("method_drawn") else "indicato negli atti di gara"
    )
    intermediates = (
        "valori intermedi arrotondati a ogni passaggio"
        if parameters.get("round_intermediates")
        else "valori intermedi calcolati senza arrotondamento ed esposti arrotondati"
    )
    wings = (
        "le offerte di pari ribasso sono considerate distintamente e sono altresì accantonate quelle uguali "
        "all'ultima offerta da accantonare (Allegato II.2)"
        if parameters.get("wing_rule", anomaly.WINGS_ALLEGATO) == anomaly.WINGS_ALLEGATO
        else "le offerte di pari ribasso sono considerate come un'unica offerta"
    )
    equal = parameters.get("exclude_equal_to_threshold")
    excluded_equal = method == anomaly.METHOD_A if equal is None else equal
    lines = [
        f"Metodo di calcolo della soglia di anomalia: metodo {method} dell'Allegato II.2 al D.Lgs. 36/2023, "
        f"{chosen} (art. 54, comma 2).",
        f"Calcoli con {anomaly.decimals_in_words(int(parameters.get('decimals', 3)))}, arrotondamento "
        f"{anomaly.ROUNDING_WORDS[parameters.get('rounding', anomaly.ROUND_HALF_UP)]}; {intermediates}.",
        sentence(f"Taglio delle ali: {wings}"),
        f"Offerte con ribasso pari alla soglia di anomalia: {'escluse' if excluded_equal else 'non escluse'}.",
    ]
    cell = parameters.get("reference_cell")
    if cell:
        lines.append(
            f"Ribasso di riferimento (metodo C): R_rif = {percent(cell['discount'], 3)}, dalla tabella "
            f"dell'Allegato II.2 per la categoria {cell['category']}, fascia di importo "
            f"{BAND_WORDS[cell['band']]}, {cell['percentile']}° percentile (tabella in vigore dal "
            f"{'/'.join(reversed(cell['table_valid_from'].split('-')))})."
        )
    return lines


def _not_applicable(result: dict) -> str:
    why = "; ".join(
        anomaly.REASONS_IT.get(reason["code"], reason["message"]).format(count=result.get("n"))
        for reason in result.get("reasons", [])
    )
    return (
        f"L'esclusione automatica delle offerte anomale non si applica (art. 54, commi 1 e 2, D.Lgs. 36/2023): "
        f"{why}. Resta ferma la valutazione della congruità delle offerte che appaiano anormalmente basse "
        "(art. 110 D.Lgs. 36/2023)."
    )


def _values_table(result: dict, parameters: dict, places: int) -> Table:
    remaining = len(result.get("remaining", []))
    above = result.get("above_mean")
    rows = [
        (f"Somma dei ribassi delle {remaining} offerte non accantonate (S)", number(result["total"], places)),
        ("Media aritmetica dei ribassi (M = S / " + str(remaining) + ")", number(result["mean"], places)),
        (
            f"Scarto medio aritmetico dei ribassi superiori a M (SM), su {above} "
            f"{'offerta' if above == 1 else 'offerte'}",
            number(result["mean_deviation"], places),
        ),
    ]
    if result.get("ratio") is not None:
        rows.append(("Rapporto SM / M (ρ)", number(result["ratio"], places)))
    if result.get("adjustment") is not None:
        rows += [
            ("Prima e seconda cifra dopo la virgola di S (c1, c2)", f"{result['c1']} e {result['c2']}"),
            (
                f"V = SM × c1 × c2 / 100 = SM × {result['c1'] * result['c2']} / 100",
                number(result["adjustment"], places),
            ),
        ]
    if result.get("digit_sum") is not None:
        parity = "pari" if result["digit_sum"] % 2 == 0 else "dispari"
        rows.append(
            (
                "Somma delle cifre di S fino alla seconda cifra decimale (d)",
                f"{result['digit_sum']} ({parity})",
            )
        )
    if result.get("reference_discount"):
        rows.append(("Ribasso di riferimento (R_rif)", percent(result["reference_discount"], places)))
    rows.append(("Soglia di anomalia (T)", percent(result["threshold"], places)))
    return Table(("Grandezza", "Valore"), tuple(rows), frozenset({1}))


def _threshold_formula(result: dict, places: int) -> str:
    branch, threshold = result["branch"], percent(result["threshold"], places)
    if branch == anomaly.A_LARGE:
        return f"Essendo le offerte ammesse non meno di quindici, la soglia è T = M + SM − V = {threshold}."
    if branch in (anomaly.A_SMALL_LOW_RATIO, anomaly.A_SMALL_HIGH_RATIO):
        ratio = "non calcolabile (M = 0)" if result.get("ratio") is None else number(result["ratio"], places)
        if branch == anomaly.A_SMALL_LOW_RATIO:
            return (
                f"Essendo le offerte ammesse meno di quindici e il rapporto SM / M pari a {ratio}, non superiore "
                f"a 0,15, la soglia è T = M × 1,20 = {threshold}."
            )
        return (
            f"Essendo le offerte ammesse meno di quindici e il rapporto SM / M pari a {ratio}, superiore a 0,15, "
            f"la soglia è T = M + SM = {threshold}."
        )
    even = branch.endswith(anomaly.EVEN)
    centre = "R_rif" if result["method"] == anomaly.METHOD_C else "M + SM"
    return (
        f"Essendo d = {result['digit_sum']} {'pari' if even else 'dispari'}, la soglia è "
        f"T = {centre} {'−' if even else '+'} V = {threshold}."
    )


# --- OEPV ----------------------------------------------------------------------------------------------------

FORMULA_WORDS = {
    oepv.LINEAR: "lineare sul ribasso (C = A / A_max)",
    oepv.INVERSE: "inversa sul prezzo (C = P_min / P)",
    oepv.BILINEAR: "bilineare",
}


def _oepv_sections(result: dict, parameters: dict, bids: list):
    yield Heading("2. Criteri di valutazione stabiliti negli atti di gara")
    criteria = "; ".join(
        f"{c['code']}: {number(c['max_points'], 2)} punti" for c in result.get("criteria", [])
    )
    yield Paragraph(
        f"Punteggio tecnico massimo {number(result['technical_max'], 2)} ({criteria}); punteggio economico "
        f"massimo {number(result['economic_max'], 2)}; formula economica "
        f"{FORMULA_WORDS.get(result.get('formula'), result.get('formula'))}."
    )
    minimum = result.get("minimum_technical")
    yield Paragraph(
        (
            "Riparametrazione del punteggio tecnico totale: sì. "
            if result.get("rescale")
            else "Riparametrazione: no. "
        )
        + (
            f"Soglia minima del punteggio tecnico: {number(minimum, 2)}, applicata "
            f"{'prima' if result.get('cut') == oepv.BEFORE_RESCALING else 'dopo'} la riparametrazione."
            if minimum not in (None, "")
            else "Nessuna soglia minima del punteggio tecnico."
        )
    )
    yield Heading("3. Punteggi attribuiti")
    yield Paragraph(
        "Il punteggio tecnico è quello attribuito dalla commissione giudicatrice nei propri verbali; il "
        "punteggio economico è calcolato con la formula indicata; i punteggi sono riportati in graduatoria al "
        "punto 5."
    )
    yield from _commissioners_coefficients(bids)


def _commissioners_coefficients(bids: list):
    """The coefficients each commissioner gave on the platform (``bidding.session.score_bid``) to each part of
    each technical offer, and their average, from which the technical score is computed (art. 108, DOMAIN
    4.6). Nothing when the commission scored outside the platform."""
    scored = [(bid, bid.technical_coefficients.all()) for bid in bids]
    scored = [(bid, coefficients) for bid, coefficients in scored if coefficients]
    if not scored:
        return
    parts = sorted({c.part for _bid, coefficients in scored for c in coefficients})
    rows = []
    for bid, coefficients in scored:
        by_member: dict = {}
        for c in sorted(coefficients, key=lambda c: (c.member_id, c.part)):
            by_member.setdefault(c.member, {})[c.part] = c.coefficient
        for member, values in by_member.items():
            rows.append((bid.operator.name, member.name, *(_coefficient(values.get(part)) for part in parts)))
        averages = [[values[part] for values in by_member.values() if part in values] for part in parts]
        rows.append((bid.operator.name, "Media", *(_coefficient(_mean(given)) for given in averages)))
    yield Paragraph(
        "Coefficienti da 0 a 1 attribuiti da ciascun commissario a ciascun elemento dell'offerta tecnica, e "
        "loro media:"
    )
    yield Table(
        ("Operatore economico", "Commissario", *parts), tuple(rows), frozenset(range(2, 2 + len(parts)))
    )


def _mean(values: list) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


def _coefficient(value) -> str:
    return "—" if value is None else number(value, 3)


# --- Exclusions, ranking, proposal, signatures --------------------------------------------------------------


def _excluded(bids, result: dict, is_oepv: bool):
    excluded = [bid for bid in bids if bid.status in (BidStatus.EXCLUDED, BidStatus.ANOMALOUS)]
    below_minimum = result.get("excluded", []) if is_oepv else []
    if not excluded and not below_minimum:
        yield Paragraph("Nessuna offerta è esclusa.")
        return
    for bid in excluded:
        yield Paragraph(sentence(f"– {bid.operator.name}: {bid.exclusion_reason}"), "item")
    for row in below_minimum:
        yield Paragraph(
            sentence(
                f"– {row['name']}: punteggio tecnico {number(row['technical'], 3)} inferiore alla soglia minima "
                "stabilita negli atti di gara"
            ),
            "item",
        )


def _ranking_table(result: dict, places: int, is_oepv: bool) -> Table:
    if is_oepv:
        header = ("Posizione", "Operatore economico", "Tecnico", "Economico", "Totale", "Importo")
        rows = tuple(
            (
                str(row["rank"]),
                row["name"],
                number(row["technical"], 3),
                "—" if row["economic"] is None else number(row["economic"], 3),
                "—" if row["total"] is None else number(row["total"], 3),
                format_euro(Decimal(row["amount"])),
            )
            for row in result.get("ranking", [])
        )
        return Table(header, rows, frozenset({0, 2, 3, 4, 5}))
    header = ("Posizione", "Operatore economico", "Ribasso", "Importo")
    rows = tuple(
        (str(row["rank"]), row["name"], percent(row["discount"], places), format_euro(Decimal(row["amount"])))
        for row in result.get("ranking", [])
    )
    return Table(header, rows, frozenset({0, 2, 3}))


def _proposal(result: dict, lot, places: int, is_oepv: bool) -> str:
    ranking = result.get("ranking", [])
    if result.get("winner"):
        first = next(row for row in ranking if row["operator"] == result["winner"])
        amount = Decimal(first["amount"])
        offer = (
            f"con il punteggio complessivo di {number(first['total'], 3)}"
            if is_oepv
            else f"con il ribasso del {percent(first['discount'], places)}"
        )
        return (
            f"Il seggio di gara propone l'aggiudicazione del lotto all'operatore economico {first['name']}, primo "
            f"in graduatoria {offer}, per l'importo di {format_euro(amount)}, oltre a "
            f"{format_euro(lot.safety_costs)} di oneri per la sicurezza non soggetti a ribasso, per complessivi "
            f"{format_euro(amount + lot.safety_costs)}, IVA esclusa. L'aggiudicazione è disposta previa verifica "
            "del possesso dei requisiti in capo all'offerente (art. 17, comma 5, D.Lgs. 36/2023)."
        )
    if result.get("tied_for_first"):
        names = result.get("names", {})
        tied = ", ".join(names.get(op, op) for op in result["tied_for_first"])
        return (
            f"Le offerte di {tied} sono prime in graduatoria a pari merito: la prima classificata è individuata "
            "mediante sorteggio in seduta pubblica, del quale si redige apposito verbale; segue la proposta di "
            "aggiudicazione."
        )
    return "Nessuna offerta resta in graduatoria: non è formulata alcuna proposta di aggiudicazione."


def _signatures(evaluation) -> tuple[tuple[str, str], ...]:
    rows = [
        ("Il presidente del seggio di gara", str(evaluation.computed_by) if evaluation.computed_by else "")
    ]
    request = evaluation.lot.request
    if request is not None and request.rup_name:
        rows.append(("Il RUP dell'ente committente", request.rup_name))
    return tuple(rows)


# --- Rendering ----------------------------------------------------------------------------------------------


def render_pdf(minutes: Minutes) -> bytes:
    html = render_to_string(PRINT_TEMPLATE, {"minutes": minutes, "signature_line": SIGNATURE_LINE})
    return HTML(string=html, url_fetcher=offline_fetcher()).write_pdf()


def render_docx(minutes: Minutes) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Cm(2)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(11)
    for block in minutes.blocks:
        {
            "heading": _docx_heading,
            "paragraph": _docx_paragraph,
            "table": _docx_table,
            "signatures": _docx_signatures,
        }[block.kind](document, block)
    document.core_properties.title = minutes.title
    document.core_properties.language = "it-IT"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_heading(document, block: Heading) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(10)
    paragraph.paragraph_format.keep_with_next = True
    paragraph.add_run(block.text).bold = True


def _docx_paragraph(document, block: Paragraph) -> None:
    paragraph = document.add_paragraph()
    run = paragraph.add_run(block.text)
    if block.style in ("centre", "title"):
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    else:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if block.style == "title":
        run.bold = True
        run.font.size = Pt(14)
    if block.style == "item":
        paragraph.paragraph_format.left_indent = Cm(0.5)


def _docx_table(document, block: Table) -> None:
    table = document.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, block.header, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for values in block.rows:
        cells = table.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, values, strict=True)):
            cell.text = text
            if index in block.numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _docx_signatures(document, block: Signatures) -> None:
    table = document.add_table(rows=0, cols=2)
    for role, name in block.rows:
        cells = table.add_row().cells
        cells[0].text = role
        cells[1].text = name
        cells[1].add_paragraph(SIGNATURE_LINE)


def write_minutes(evaluation) -> None:
    """Build the minutes once, render both files and store them on the evaluation (private storage)."""
    minutes = build_minutes(evaluation)
    stem = f"verbale-lotto-{evaluation.lot.number}"
    evaluation.minutes_docx.save(f"{stem}.docx", ContentFile(render_docx(minutes)), save=False)
    evaluation.minutes_pdf.save(f"{stem}.pdf", ContentFile(render_pdf(minutes)), save=False)
    evaluation.save(update_fields=["minutes_docx", "minutes_pdf"])
