"""Procedures in any state, made directly with ``Model.objects.create``, for the tests of the OCDS export,
the CSV export and the dashboards (the procedures' own services are tested by their module).

``write_procedure(side, world, state=...)`` writes a procedure of ``side``'s SUA with one lot per Comune given,
bids of the world's two operators, and the dates each state implies (publication, award, contract,
closure). ``add_procedure_history(side, world)`` makes one procedure per outcome for a Side.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from casacomuni.procurement.procedures.models import (
    Bid,
    BidStatus,
    Criterion,
    Evaluation,
    EvaluationMethod,
    Lot,
    LotState,
    Procedure,
    ProcedureState,
    ProcedureType,
)
from casacomuni.procurement.requests.models import (
    ContractKind,
    FundingSource,
    ProcurementRequest,
    RequestState,
)
from casacomuni.procurement.testing import next_cig

# Partite IVA with a valid check digit (python-stdnum), for the operators and the public bodies.
VALID_VAT_NUMBERS = ("01234567897", "00743110157", "80000310264", "00000010215")

PUBLISHED_STATES = {
    ProcedureState.PUBLISHED,
    ProcedureState.BIDS_OPEN,
    ProcedureState.BIDS_CLOSED,
    ProcedureState.EVALUATION,
    ProcedureState.PROPOSED_AWARD,
    ProcedureState.AWARDED,
    ProcedureState.CONTRACT_SIGNED,
    ProcedureState.DESERTED,
    ProcedureState.CANCELLED,
}
AWARDED_STATES = {ProcedureState.AWARDED, ProcedureState.CONTRACT_SIGNED}


def write_request(side, party, base=Decimal("100000.00"), submitted_at=None, **extra) -> ProcurementRequest:
    return ProcurementRequest.objects.create(
        municipality=party,
        province=side.province_org,
        title=extra.pop("title", f"Manutenzione strade comunali di {party.name}"),
        description="Richiesta di procedura",
        contract_kind=extra.pop("contract_kind", ContractKind.WORKS),
        cpv_code=extra.pop("cpv_code", "45233141"),
        base_amount=base,
        funding_source=FundingSource.OWN_BUDGET,
        rup_name="Mario Rossi",
        rup_fiscal_code="RSSMRA80A01H501U",
        state=RequestState.ACCEPTED,
        submitted_at=submitted_at or timezone.now() - timedelta(days=120),
        **extra,
    )


def write_procedure(
    side,
    world,
    state: str = ProcedureState.CONTRACT_SIGNED,
    parties=None,
    base=Decimal("200000.00"),
    discounts=(Decimal("12.5000"), Decimal("10.0000")),
    published_at=None,
    criterion=Criterion.LOWEST_PRICE,
    kind=ContractKind.WORKS,
    procedure_type=ProcedureType.NEGOTIATED_BELOW_THRESHOLD,
    cpv="45233141",
    with_requests=True,
) -> Procedure:
    """A procedure of ``side``'s SUA in ``state``; one lot per party (default: the side's Comune) with a bid
    per discount from the world's operators (the first wins when awarded)."""
    parties = parties or [side.comune]
    published_at = published_at or timezone.now() - timedelta(days=90)
    procedure = Procedure.objects.create(
        province=side.province_org,
        title=f"Lavori per {', '.join(p.name for p in parties)}",
        description="Procedura di prova",
        kind=kind,
        procedure_type=procedure_type,
        criterion=criterion,
        state=state,
        cpv=cpv,
        bid_deadline=published_at + timedelta(days=20),
        created_at=published_at - timedelta(days=10),
    )
    if state in PUBLISHED_STATES:
        procedure.published_at = published_at
        procedure.ocid = procedure.make_ocid()
    if state in AWARDED_STATES:
        procedure.awarded_at = published_at + timedelta(days=40)
    if state == ProcedureState.CONTRACT_SIGNED:
        procedure.contract_signed_at = published_at + timedelta(days=70)
    if state in (ProcedureState.CANCELLED, ProcedureState.DESERTED):
        procedure.closed_at = published_at + timedelta(days=30)
        procedure.state_reason = "Motivazione di prova"
    procedure.save()
    operators = [world.operator, world.other_operator]
    for number, party in enumerate(parties, start=1):
        request = (
            write_request(side, party, base, submitted_at=published_at - timedelta(days=30), cpv_code=cpv)
            if with_requests
            else None
        )
        lot = Lot.objects.create(
            procedure=procedure,
            number=number,
            title=f"Lotto {number}: {party.name}",
            municipality=party,
            request=request,
            cig=next_cig(),
            cup="G59F19000090007",
            cpv=cpv,
            base_amount=base,
            safety_costs=Decimal("5000.00"),
        )
        if state in PUBLISHED_STATES - {ProcedureState.PUBLISHED, ProcedureState.CANCELLED}:
            make_bids(lot, operators, discounts, published_at, state)
        if state in AWARDED_STATES:
            award(lot, procedure, state)
        elif state == ProcedureState.DESERTED:
            Lot.objects.filter(pk=lot.pk).update(state=LotState.DESERTED)
        elif state == ProcedureState.CANCELLED:
            Lot.objects.filter(pk=lot.pk).update(state=LotState.CANCELLED)
    return procedure


def make_bids(lot, operators, discounts, published_at, state):
    status = BidStatus.EXCLUDED if state == ProcedureState.DESERTED else BidStatus.ADMITTED
    for operator, discount in zip(operators, discounts, strict=False):
        Bid.objects.create(
            lot=lot,
            operator=operator,
            discount_percent=discount,
            status=status,
            exclusion_reason="Documentazione incompleta" if status == BidStatus.EXCLUDED else "",
            received_at=published_at + timedelta(days=5),
        )


def award(lot, procedure, state):
    bids = list(lot.bids.order_by("-discount_percent"))
    winner = bids[0]
    amount = (lot.base_amount * (100 - winner.discount_percent) / 100).quantize(Decimal("0.01"))
    Evaluation.objects.create(
        lot=lot,
        method=EvaluationMethod.RANKING,
        result={"winner": str(winner.operator_id), "excluded": [], "ranking": []},
    )
    lot.state = LotState.AWARDED
    lot.awarded_operator = winner.operator
    lot.awarded_bid = winner
    lot.awarded_amount = amount
    lot.award_date = (procedure.awarded_at).date()
    if state == ProcedureState.CONTRACT_SIGNED:
        lot.contract_date = procedure.contract_signed_at.date()
        lot.contract_amount = amount + lot.safety_costs
    lot.save()


def add_procedure_history(side, world) -> dict:
    """One procedure per outcome for ``side`` (for the cross-tenant matrix and the pages' tests)."""
    return {
        "procedure_contract": write_procedure(side, world, ProcedureState.CONTRACT_SIGNED),
        "procedure_open": write_procedure(side, world, ProcedureState.BIDS_OPEN),
        "procedure_draft": write_procedure(side, world, ProcedureState.DRAFT),
        "procedure_cancelled": write_procedure(side, world, ProcedureState.CANCELLED),
        "procedure_deserted": write_procedure(side, world, ProcedureState.DESERTED),
    }
