"""The minutes of a lot's evaluation ("verbale di gara", procurement/procedures/minutes.py): one content, two files.

Sources: art. 54 c.1-2 and Allegato II.2 D.Lgs. 36/2023 (every intermediate value and the excluded bids in the
minutes; no rounding rule in the law, so the documents' decimals and rounding are stated, ANAC delibera
243/2021); art. 17 c.5 D.Lgs. 36/2023 (the proposal of award to the best non-anomalous bid, the award after
the check of the requirements). The worked example is make_procedure's (procurement/testing.py): five bids
10,50 12,25 13,10 15,00 27,90 % on 150.000,00 € of works, lowest price, method A with n = 5 < 15: k = 1,
wings 10,50 and 27,90; S = 40,350, M = 13,450, SM = 1,550 (only 15,00 above M), rho = 0,115 <= 0,15, so
T = 1,20 x M = 16,140 %: 27,90 % is excluded; 15,00 % wins, 127.500,00 €.
"""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from casacomuni.procurement.procedures import services as ps
from casacomuni.procurement.procedures.models import Procedure
from casacomuni.procurement.rules import procedure_lifecycle as life
from casacomuni.procurement.testing import make_operators, make_procedure, sua_officer

pytestmark = pytest.mark.django_db


def docx_text(data: bytes) -> str:
    """The document's text in reading order: paragraphs and table cells as they come in the body."""
    document = Document(io.BytesIO(data))
    parts = []
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            parts.append("".join(node.text or "" for node in child.iter() if node.tag.endswith("}t")))
        elif child.tag.endswith("}tbl"):
            for row in child.iter():
                if row.tag.endswith("}tc"):
                    paragraphs = [p for p in row.iter() if p.tag.endswith("}p")]
                    for paragraph in paragraphs:
                        parts.append("".join(n.text or "" for n in paragraph.iter() if n.tag.endswith("}t")))
    return " ".join(" ".join(parts).split())


PAGE_NUMBER = re.compile(r"^\d+/\d+$")


def pdf_text(data: bytes) -> str:
    """The PDF's text without the page numbers of the footer."""
    lines = []
    for page in PdfReader(io.BytesIO(data)).pages:
        lines += [line for line in page.extract_text().splitlines() if not PAGE_NUMBER.match(line.strip())]
    return " ".join(" ".join(lines).split())


def stored(evaluation):
    with evaluation.minutes_docx.open("rb") as docx, evaluation.minutes_pdf.open("rb") as pdf:
        return docx.read(), pdf.read()


def test_docx_and_pdf_minutes_have_the_same_text(world):
    """Both files are laid out from one list of blocks: their texts, extracted, are the same words."""
    procedure = make_procedure(world.home, world, state="evaluation")
    docx, pdf = stored(procedure.lots.get().evaluation)
    assert pdf.startswith(b"%PDF-")
    assert docx_text(docx) == pdf_text(pdf)


def test_the_minutes_read_as_a_verbale_di_gara(world):
    procedure = make_procedure(world.home, world, state="evaluation")
    lot = procedure.lots.get()
    evaluation = lot.evaluation
    text = docx_text(stored(evaluation)[0])
    anomalous = lot.bids.get(status="anomalous").operator.name
    winner = lot.bids.get(discount_percent="15").operator.name
    for expected in (
        "VERBALE DI GARA",
        f"CIG {lot.cig}",
        "150.000,00 € soggetti a ribasso, oltre a 0,00 € di oneri per la sicurezza",
        "metodo A dell'Allegato II.2 al D.Lgs. 36/2023, indicato negli atti di gara",
        "Calcoli con tre cifre decimali, arrotondamento per eccesso se la cifra successiva è pari o superiore a "
        "cinque",
        "Offerte ammesse: n = 5. Offerte da accantonare per ciascuna ala: k = 1",
        "Somma dei ribassi delle 3 offerte non accantonate (S) 40,350",
        "Media aritmetica dei ribassi (M = S / 3) 13,450",
        "Rapporto SM / M (ρ) 0,115",
        "Soglia di anomalia (T) 16,140 %",
        "la soglia è T = M × 1,20 = 16,140 %.",
        f"– {anomalous}: Offerta anomala, art. 54 c.1 D.Lgs. 36/2023: ribasso del 27,900 % superiore alla "
        "soglia di anomalia del 16,140 %.",
        f"1 {winner} 15,000 % 127.500,00 €",
        f"propone l'aggiudicazione del lotto all'operatore economico {winner}, primo in graduatoria con il "
        "ribasso del 15,000 %, per l'importo di 127.500,00 €",
        "art. 17, comma 5, D.Lgs. 36/2023",
        f"Il presidente del seggio di gara {evaluation.computed_by}",
        "Il RUP dell'ente committente",
        "Esclusa perché anomala",
    ):
        assert expected in text, expected
    # Nothing of the machine: no Python values or setting names, no internal ids, no doubled full stop.
    for wrong in ("ROUND_", "None", "False", "True", "wing_rule", "(#", "..", "240000.00", "16.140"):
        assert wrong not in text, wrong
    assert text.count("Del che è verbale") == 1


def test_method_c_minutes_show_the_tables_cell(world):
    """Allegato II.2 method C: R_ref = 32,000 %, the OG1 row, band "fino a 150.000 euro", 80th percentile.
    S = 40,35, M = 13,45, SM = 1,55, c1 c2 = 3 x 5 = 15, V = 0,2325, d = 4 + 0 + 3 + 5 = 12, even:
    T = R_ref - V = 32 - 0,2325 = 31,7675 -> 31,768 %; no bid is excluded."""
    procedure = make_procedure(world.home, world, state="evaluation")
    sua = sua_officer(world.home)
    # As if the draft had said so (settings change only in draft): method C at the 80th percentile.
    procedure.anomaly_parameters |= {"method": "C", "reference_percentile": 80}
    procedure.save()
    evaluation = ps.evaluate_lot(sua, procedure.lots.get())
    assert evaluation.result["threshold"] == "31.768" and evaluation.result["excluded"] == []
    text = docx_text(stored(evaluation)[0])
    assert (
        "R_rif = 32,000 %, dalla tabella dell'Allegato II.2 per la categoria OG1, fascia di importo fino a "
        "150.000 euro, 80° percentile (tabella in vigore dal 01/07/2023)"
    ) in text
    assert "Essendo d = 12 pari, la soglia è T = R_rif − V = 31,768 %." in text
    assert "Nessuna offerta è esclusa." in text


def test_oepv_minutes_carry_the_scores_and_say_the_same_in_both_files(world):
    """Art. 108 D.Lgs. 36/2023, linear formula on the discount (C = A / A_max): 20 % gets 30 economic points,
    10 % gets 15; technical 70 and 50: totals 85 and 80, the first wins."""
    procedure = make_procedure(
        world.home, world, contract_kind="services", cpv_code="90911200", base_amount="200000.00"
    )
    sua = sua_officer(world.home)
    settings = {"criteria": [{"code": "A", "max_points": "70"}], "economic_max": "30", "formula": "linear"}
    ps.update_procedure(sua, procedure, ps.ProcedureChanges(criterion="oepv", oepv_settings=settings))
    procedure = ps.transition_procedure(sua, Procedure.objects.get(pk=procedure.pk), life.PUBLISH)
    procedure = ps.transition_procedure(sua, procedure, life.OPEN_BIDS)
    lot = procedure.lots.get()
    first, second = make_operators(world.home, 2)
    for operator, discount, technical in ((first, "10", "70"), (second, "20", "50")):
        data = ps.BidData(operator.pk, timezone.now(), discount_percent=discount, technical_score=technical)
        ps.record_bid(sua, lot, data)
    later = procedure.bid_deadline + timedelta(minutes=1)
    ps.transition_procedure(sua, procedure, life.CLOSE_BIDS, now=later)
    for bid in lot.bids.all():
        ps.decide_bid(sua, bid, ps.ADMIT, now=later)
    ps.transition_procedure(sua, procedure, life.START_EVALUATION, now=later)
    docx, pdf = stored(ps.evaluate_lot(sua, lot))
    text = docx_text(docx)
    assert text == pdf_text(pdf)
    assert f"1 {first.name} 70,000 15,000 85,000 180.000,00 €" in text
    assert "formula economica lineare sul ribasso (C = A / A_max)" in text
    assert "con il punteggio complessivo di 85,000" in text
