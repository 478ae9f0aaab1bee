"""The minutes ("verbale") of a lot's evaluation, in DOCX (python-docx, docxtpl's base) and PDF (WeasyPrint).

The minutes list every bid (admitted or excluded, with the reasons), the settings stored with the procedure,
every value the rules engine computed (S, M, SM, c1·c2, rho or d, T for the anomaly threshold; technical,
economic and total scores for OEPV), the excluded anomalous bids, the ranking and the reasoning. They are an
Italian administrative act: the text is Italian whatever the reader's language (as the agreements' documents).
Rendering is offline (no network, system fonts only). The files are stored privately on the Evaluation and
streamed only to the SUA and the lot's Comune.
"""

import io
from decimal import Decimal

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone, translation
from docx import Document
from docx.shared import Pt
from weasyprint import HTML

from casacomuni.agreements.documents import offline_fetcher

PRINT_TEMPLATE = "procurement/procedures/minutes_print.html"

VALUE_LABELS = (
    ("n", "Numero delle offerte ammesse (n)"),
    ("k", "Offerte accantonate per ciascuna ala (k = 10% di n arrotondato all'unità superiore)"),
    ("total", "Somma dei ribassi (S)"),
    ("mean", "Media aritmetica dei ribassi (M)"),
    ("mean_deviation", "Scarto medio aritmetico dei ribassi superiori alla media (SM)"),
    ("above_mean", "Ribassi superiori alla media"),
    ("c1", "Prima cifra decimale di S (c1)"),
    ("c2", "Seconda cifra decimale di S (c2)"),
    ("ratio", "Rapporto SM/M (rho)"),
    ("digit_sum", "Somma delle cifre di S fino alla seconda decimale (d)"),
    ("adjustment", "Valore SM·(c1·c2)/100"),
    ("reference_discount", "Ribasso di riferimento (metodo C)"),
    ("threshold", "Soglia di anomalia (T)"),
)


def minutes_context(evaluation) -> dict:
    lot = evaluation.lot
    procedure = lot.procedure
    result = evaluation.result
    names = result.get("names", {})
    bids = list(lot.bids.select_related("operator").order_by("received_at", "pk"))
    values = [
        {"label": label, "value": result.get(key)}
        for key, label in VALUE_LABELS
        if result.get(key) not in (None, "")
    ]
    return {
        "procedure": procedure,
        "lot": lot,
        "evaluation": evaluation,
        "result": result,
        "bids": bids,
        "values": values,
        "ranking": result.get("ranking", []),
        "excluded": result.get("excluded_names")
        or [
            {"operator": row["operator"], "name": names.get(row["operator"], row["operator"])}
            for row in result.get("excluded", [])
        ],
        "reasons": result.get("reasons", []),
        "reasoning": result.get("reasoning", []),
        "winner_name": names.get(result.get("winner") or "", ""),
        "tied": [names.get(op, op) for op in result.get("tied_for_first", [])],
        "parameters": evaluation.parameters,
        "generated_at": timezone.localtime(evaluation.computed_at),
    }


def render_pdf(evaluation) -> bytes:
    with translation.override("it"):
        html = render_to_string(PRINT_TEMPLATE, minutes_context(evaluation))
    return HTML(string=html, url_fetcher=offline_fetcher()).write_pdf()


def _money(value) -> str:
    from casacomuni.procurement.rules.router import format_euro

    return format_euro(value)


def render_docx(evaluation) -> bytes:
    context = minutes_context(evaluation)
    procedure, lot = context["procedure"], context["lot"]
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(11)
    document.add_heading("VERBALE DI VALUTAZIONE DELLE OFFERTE", level=1)
    document.add_paragraph(f"{procedure.province.name} — Stazione Unica Appaltante")
    document.add_paragraph(f"Procedura: {procedure.title} ({procedure.get_procedure_type_display()})")
    document.add_paragraph(
        f"Lotto {lot.number}: {lot.title} — CIG {lot.cig or 'non indicato'} — Ente committente: {lot.municipality.name}"
    )
    document.add_paragraph(
        f"Importo a base di gara soggetto a ribasso: {_money(lot.base_amount)}; oneri per la sicurezza non "
        f"soggetti a ribasso: {_money(lot.safety_costs)}."
    )
    document.add_paragraph(
        f"Criterio di aggiudicazione: {procedure.get_criterion_display()}. Metodo: {evaluation.get_method_display()}."
    )
    document.add_heading("Offerte pervenute", level=2)
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ("Operatore", "Ribasso %", "Prezzo", "Punteggio tecnico", "Esito"), strict=True
    ):
        cell.text = text
    for bid in context["bids"]:
        row = table.add_row().cells
        row[0].text = bid.operator.name
        row[1].text = "" if bid.discount_percent is None else str(bid.discount_percent)
        row[2].text = "" if bid.price is None else _money(bid.price)
        row[3].text = "" if bid.technical_score is None else str(bid.technical_score)
        row[4].text = bid.get_status_display() + (f": {bid.exclusion_reason}" if bid.exclusion_reason else "")
    document.add_heading("Parametri stabiliti nei documenti di gara", level=2)
    for key, value in context["parameters"].items():
        if not isinstance(value, list | dict):
            document.add_paragraph(f"{key}: {value}", style="List Bullet")
    if context["reasons"]:
        document.add_heading("Esclusione automatica non applicabile", level=2)
        for reason in context["reasons"]:
            document.add_paragraph(f"{reason['message']} ({reason['article']})", style="List Bullet")
    if context["values"]:
        document.add_heading("Valori calcolati", level=2)
        values = document.add_table(rows=0, cols=2)
        values.style = "Table Grid"
        for item in context["values"]:
            row = values.add_row().cells
            row[0].text = item["label"]
            row[1].text = str(item["value"])
    if context["excluded"]:
        document.add_heading("Offerte escluse perché anomale", level=2)
        for item in context["excluded"]:
            document.add_paragraph(item["name"], style="List Bullet")
    document.add_heading("Graduatoria", level=2)
    ranking = document.add_table(rows=1, cols=4)
    ranking.style = "Table Grid"
    for cell, text in zip(
        ranking.rows[0].cells, ("Posizione", "Operatore", "Ribasso % / punteggio", "Importo"), strict=True
    ):
        cell.text = text
    for row_data in context["ranking"]:
        row = ranking.add_row().cells
        row[0].text = str(row_data["rank"])
        row[1].text = row_data["name"]
        row[2].text = str(row_data.get("total") or row_data.get("discount") or "")
        row[3].text = _money(Decimal(row_data["amount"]))
    document.add_heading("Motivazione", level=2)
    for line in context["reasoning"]:
        document.add_paragraph(line)
    if context["winner_name"]:
        document.add_paragraph(f"Prima classificata: {context['winner_name']}.")
    elif context["tied"]:
        document.add_paragraph(
            "Offerte a pari merito al primo posto, da sorteggiare: " + ", ".join(context["tied"]) + "."
        )
    document.add_paragraph(f"Calcolo eseguito il {context['generated_at']:%d/%m/%Y alle %H:%M}.")
    document.core_properties.title = f"Verbale — lotto {lot.number}"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_minutes(evaluation) -> None:
    """Render both files and store them on the evaluation (private storage, random names)."""
    stem = f"verbale-lotto-{evaluation.lot.number}"
    evaluation.minutes_docx.save(f"{stem}.docx", ContentFile(render_docx(evaluation)), save=False)
    evaluation.minutes_pdf.save(f"{stem}.pdf", ContentFile(render_pdf(evaluation)), save=False)
    evaluation.save(update_fields=["minutes_docx", "minutes_pdf"])
