"""The demo procedures (casacomuni.demo.procurement.DemoProcedures): every case built, re-runnable."""

import pytest

from casacomuni.accounts.roles import Role
from casacomuni.demo.procurement import OTHER_PROVINCES_PROCEDURE, DemoProcedures
from casacomuni.procurement.procedure_models import Evaluation, Invitation, Lot, Procedure
from casacomuni.procurement.rules import procedure_lifecycle as life
from casacomuni.procurement.testing import actor_for, sua_adhesion

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


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
