"""The demo procedures (casacomuni.demo.procurement.DemoProcedures): every case built, re-runnable."""

import csv
import io

import pytest
from django.urls import reverse

from casacomuni.accounts.roles import Role
from casacomuni.demo.procurement import OTHER_PROVINCES_PROCEDURE, DemoProcedures
from casacomuni.procurement.procedures.models import BidStatus, Evaluation, Invitation, Lot, Procedure
from casacomuni.procurement.rules import procedure_lifecycle as life
from casacomuni.procurement.testing import actor_for, sua_adhesion
from casacomuni.procurement.tests.test_minutes import docx_text, pdf_text

pytestmark = pytest.mark.django_db


def test_demo_procedures(world):
    parties = [
        (side, party)
        for side in (world.home, world.elsewhere)
        for party in (side.comune, side.sibling_comune)
    ]
    for side, party in parties:
        sua_adhesion(side, party)
        actor_for(party, Role.MUNICIPALITY_REFERENT, f"referente_demo_{party.pk}")
        actor_for(side.province_org, Role.SUA_OFFICER, f"sua_demo_{side.province.sigla}")
    siglas = [world.home.province.sigla, world.elsewhere.province.sigla]
    DemoProcedures().build(siglas)
    first = min(siglas)
    states = sorted(Procedure.objects.filter(province__province__sigla=first).values_list("state", flat=True))
    stages = [life.BIDS_OPEN, life.BIDS_CLOSED, life.PROPOSED_AWARD]
    assert states == sorted([life.CONTRACT_SIGNED, life.PUBLISHED, life.EVALUATION, life.DRAFT, *stages])
    others = Procedure.objects.exclude(province__province__sigla=first)
    assert others.get(title=OTHER_PROVINCES_PROCEDURE.title).state == life.CONTRACT_SIGNED
    assert sorted(others.values_list("state", flat=True)) == sorted(
        [life.CONTRACT_SIGNED, life.PUBLISHED, life.EVALUATION, life.DRAFT, *stages]
    )
    aggregated = Procedure.objects.get(state=life.PUBLISHED, province__province__sigla=first)
    assert aggregated.lots.count() == 2 and len({lot.municipality_id for lot in aggregated.lots.all()}) == 2
    signed = Procedure.objects.filter(state=life.CONTRACT_SIGNED, province__province__sigla=first).get()
    evaluation = signed.lots.get().evaluation
    assert evaluation.result["excluded"], "an anomalous bid is excluded"
    assert signed.published_at < signed.awarded_at < signed.contract_signed_at
    # Rotation: the contractor of the signed OG1 contract is not invited to the next OG1 procedure of its band.
    evaluated = Procedure.objects.get(state=life.EVALUATION, province__province__sigla=first)
    winner = signed.lots.get().awarded_operator_id
    assert not Invitation.objects.filter(procedure=evaluated, operator_id=winner).exists()
    counts = (
        Procedure.objects.count(),
        Lot.objects.count(),
        Evaluation.objects.count(),
        Invitation.objects.count(),
    )
    DemoProcedures().build(siglas)
    assert (
        Procedure.objects.count(),
        Lot.objects.count(),
        Evaluation.objects.count(),
        Invitation.objects.count(),
    ) == counts


def test_the_demo_shows_its_anomalous_bid_excluded_everywhere(world, client):
    """The demo's signed procedure (Allegato II.2 method A, six bids, n < 15): k = 1, wings 8,43 and 24,60;
    R = {11,275 12,91 13,55 14,02}, S = 51,755, M = 12,93875; above M: 13,55 and 14,02, SM = 0,84625;
    rho = 0,0654 <= 0,15, so T = 1,20 x M = 15,5265 -> 15,527 %: the 24,60 % bid is excluded (art. 54 c.1).
    It shows as excluded on the page, in both minutes, in the OCDS record and in the CSV."""
    sua_adhesion(world.home, world.home.comune)
    officer = actor_for(world.home.province_org, Role.SUA_OFFICER, "sua_demo")
    actor_for(world.home.comune, Role.MUNICIPALITY_REFERENT, "referente_demo")
    DemoProcedures().build([world.home.province.sigla])
    signed = Procedure.objects.get(state=life.CONTRACT_SIGNED)
    lot = signed.lots.get()
    anomalous = lot.bids.get(status=BidStatus.ANOMALOUS)
    assert str(anomalous.discount_percent) == "24.6000" and lot.evaluation.result["threshold"] == "15.527"
    client.force_login(officer.user)
    page = client.get(reverse("procurement:procedure_detail", args=[signed.pk]) + "?scheda=offerte")
    assert "Esclusa perché anomala: Offerta anomala, art. 54 c.1" in page.content.decode()
    with lot.evaluation.minutes_docx.open("rb") as docx, lot.evaluation.minutes_pdf.open("rb") as pdf:
        docx_words, pdf_words = docx_text(docx.read()), pdf_text(pdf.read())
    reason = f"– {anomalous.operator.name}: Offerta anomala, art. 54 c.1 D.Lgs. 36/2023: ribasso del 24,600 %"
    assert reason in docx_words and reason in pdf_words
    record = client.get(reverse("ocds:record", kwargs={"ocid": signed.ocid})).json()["records"][0]
    bids = record["compiledRelease"]["bids"]
    statistics = {row["measure"]: row["value"] for row in bids["statistics"]}
    assert (statistics["bids"], statistics["validBids"], statistics["tendersAbnormallyLow"]) == (6, 5, 1)
    assert [d["status"] for d in bids["details"]].count("disqualified") == 1
    content = b"".join(client.get(reverse("procurement:procedures_csv")).streaming_content).decode(
        "utf-8-sig"
    )
    rows = list(csv.DictReader(io.StringIO(content), delimiter=";"))
    row = next(r for r in rows if r["CIG"] == lot.cig)
    assert (row["Offerte escluse"], row["di cui escluse perché anomale (art. 54)"]) == ("1", "1")
    assert row["Soglia di anomalia (%)"] == "15,527"
