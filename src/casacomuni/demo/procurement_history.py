"""Demo history of the SUA: procedures of the past eighteen months, concluded, for the dashboards, the CSV
export and the OCDS publication to show real-looking figures.

Per demo Province, eight procedures for its Comuni (the capoluogo first): five with the contracts signed (one
aggregated, with a lot for each of two Comuni), one awarded, one deserted, one cancelled. Each lot comes from
an accepted request of its Comune; bids from the demo operators; the winner is the highest discount.

The rows are written directly (``objects.create``): they are the past, and running the whole workflow
(minutes in DOCX and PDF for every evaluation) would make the demo slow to load. One audit event per
Province records the load. Deterministic (a seeded random generator, dates counted back from ``today``) and
re-runnable: a procedure is found by its Province and title and left as it is.

Called by the demo builder after ``DemoProcurement``: ``DemoProcurementHistory().build(siglas)``.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.audit.services import record_event
from casacomuni.lib.identifiers import new_cig_check
from casacomuni.procurement.procedures.models import (
    Bid,
    BidStatus,
    Criterion,
    Evaluation,
    EvaluationMethod,
    Lot,
    LotState,
    Procedure,
    ProcedureEvent,
    ProcedureState,
    ProcedureType,
)
from casacomuni.procurement.requests.models import (
    ContractKind,
    FundingSource,
    ProcurementRequest,
    RequestState,
)

SEED = 20261126
CENT = Decimal("0.01")
# The CIG progressives of the demo history start here (letter C): far from those officers type in the demo.
CIG_BASE = 0xC00000


@dataclass(frozen=True)
class PastProcedure:
    title: str
    kind: str
    cpv: str
    base: Decimal
    procedure_type: str
    state: str
    months_ago: int
    lots: int = 1
    criterion: str = Criterion.LOWEST_PRICE


PLANS = (
    PastProcedure(
        "Manutenzione straordinaria della viabilità comunale",
        ContractKind.WORKS,
        "45233141",
        Decimal("420000.00"),
        ProcedureType.NEGOTIATED_BELOW_THRESHOLD,
        ProcedureState.CONTRACT_SIGNED,
        16,
        lots=2,
    ),
    PastProcedure(
        "Servizio di sgombero neve e trattamento antighiaccio, stagioni 2025-2027",
        ContractKind.SERVICES,
        "90620000",
        Decimal("118000.00"),
        ProcedureType.DIRECT_AWARD,
        ProcedureState.CONTRACT_SIGNED,
        14,
    ),
    PastProcedure(
        "Fornitura di arredi per la biblioteca civica",
        ContractKind.SUPPLIES,
        "39155100",
        Decimal("64000.00"),
        ProcedureType.DIRECT_AWARD,
        ProcedureState.CONTRACT_SIGNED,
        11,
    ),
    PastProcedure(
        "Efficientamento energetico della palestra comunale",
        ContractKind.WORKS,
        "45321000",
        Decimal("780000.00"),
        ProcedureType.NEGOTIATED_BELOW_THRESHOLD,
        ProcedureState.CONTRACT_SIGNED,
        9,
    ),
    PastProcedure(
        "Servizio di manutenzione del verde pubblico (biennio)",
        ContractKind.SERVICES,
        "77310000",
        Decimal("196000.00"),
        ProcedureType.NEGOTIATED_BELOW_THRESHOLD,
        ProcedureState.CONTRACT_SIGNED,
        7,
        criterion=Criterion.OEPV,
    ),
    PastProcedure(
        "Rifacimento della copertura della scuola secondaria di primo grado",
        ContractKind.WORKS,
        "45261210",
        Decimal("265000.00"),
        ProcedureType.NEGOTIATED_BELOW_THRESHOLD,
        ProcedureState.AWARDED,
        4,
    ),
    PastProcedure(
        "Servizio di trasporto scolastico con accompagnatore",
        ContractKind.SERVICES,
        "60130000",
        Decimal("330000.00"),
        ProcedureType.NEGOTIATED_BELOW_THRESHOLD,
        ProcedureState.DESERTED,
        6,
    ),
    PastProcedure(
        "Fornitura di un autocarro per la squadra operai",
        ContractKind.SUPPLIES,
        "34134000",
        Decimal("92000.00"),
        ProcedureType.DIRECT_AWARD,
        ProcedureState.CANCELLED,
        5,
    ),
)
RUPS = ("Ing. Laura Bianchi", "Geom. Andrea Conti", "Arch. Chiara Moretti", "Dott. Luca Galli")


class DemoProcurementHistory:
    def __init__(self, today: date | None = None):
        self.today = today or timezone.localdate()

    def build(self, siglas: list[str]) -> None:
        provinces = (
            Organization.objects.filter(kind=OrganizationKind.PROVINCE, province__sigla__in=siglas)
            .select_related("province")
            .order_by("province__sigla")
        )
        operators = list(Organization.objects.filter(kind=OrganizationKind.OPERATOR).order_by("name")[:3])
        if len(operators) < 2:
            return
        for index, province in enumerate(provinces):
            with transaction.atomic():
                self.province(index, province, operators)

    def comuni(self, province: Organization) -> list[Organization]:
        return list(
            Organization.objects.filter(
                kind=OrganizationKind.MUNICIPALITY, province_id=province.province_id, is_active=True
            )
            .select_related("municipality")
            .order_by(F("municipality__is_capoluogo").desc(nulls_last=True), "municipality__istat_code")[:6]
        )

    def province(self, index: int, province: Organization, operators: list[Organization]) -> None:
        comuni = self.comuni(province)
        if not comuni:
            return
        # A seeded generator makes the demo reproducible; nothing secret (bandit B311, ruff S311).
        rng = random.Random(f"{SEED}-{province.province.sigla}")  # nosec B311
        created = 0
        for number, plan in enumerate(PLANS):
            parties = [comuni[(number + offset) % len(comuni)] for offset in range(plan.lots)]
            title = plan.title if plan.lots > 1 else f"{plan.title} — {parties[0].name}"
            if Procedure.objects.filter(province=province, title=title).exists():
                continue
            cig_seed = CIG_BASE + index * 0x1000 + number * 0x10
            self.procedure(province, plan, title, parties, operators, rng, cig_seed)
            created += 1
        if created:
            record_event(
                Actor.system("load_demo"),
                "demo.procurement_history",
                None,
                {"procedures": [None, created]},
                organization=province,
            )

    def at(self, day: date, hour: int = 10) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour, 0)))

    def procedure(self, province, plan, title, parties, operators, rng, cig_seed) -> Procedure:
        published_day = self.today - timedelta(days=30 * plan.months_ago + rng.randint(0, 20))
        requested_day = published_day - timedelta(days=rng.randint(20, 45))
        deadline_day = published_day + timedelta(days=rng.randint(15, 35))
        award_day = deadline_day + timedelta(days=rng.randint(15, 40))
        contract_day = award_day + timedelta(days=rng.randint(35, 70))
        state = plan.state
        procedure = Procedure.objects.create(
            province=province,
            title=title,
            description=f"Procedura svolta dalla SUA della {province.name} per conto dei Comuni.",
            kind=plan.kind,
            procedure_type=plan.procedure_type,
            criterion=plan.criterion,
            state=state,
            cpv=plan.cpv,
            published_at=self.at(published_day),
            bid_deadline=self.at(deadline_day, 12),
            created_at=self.at(requested_day + timedelta(days=7)),
            updated_at=self.at(published_day),
        )
        procedure.ocid = procedure.make_ocid()
        awarded = state in (ProcedureState.AWARDED, ProcedureState.CONTRACT_SIGNED)
        if awarded:
            procedure.awarded_at = self.at(award_day, 11)
        if state == ProcedureState.CONTRACT_SIGNED:
            procedure.contract_signed_at = self.at(contract_day, 11)
        if state == ProcedureState.DESERTED:
            procedure.closed_at = self.at(deadline_day + timedelta(days=3))
            procedure.state_reason = "Nessuna offerta ammissibile entro il termine."
        if state == ProcedureState.CANCELLED:
            procedure.closed_at = self.at(published_day + timedelta(days=10))
            procedure.state_reason = "Revoca in autotutela: il Comune ha rivisto il fabbisogno."
        procedure.save()
        ProcedureEvent.objects.create(
            procedure=procedure,
            action="publish",
            from_state="draft",
            to_state="published",
            at=procedure.published_at,
        )
        share = (plan.base / len(parties)).quantize(CENT)
        for number, party in enumerate(parties, start=1):
            request = ProcurementRequest.objects.create(
                municipality=party,
                province=province,
                title=f"{plan.title} ({party.name})",
                description=plan.title,
                contract_kind=plan.kind,
                cpv_code=plan.cpv,
                base_amount=share,
                funding_source=FundingSource.OWN_BUDGET,
                rup_name=rng.choice(RUPS),
                state=RequestState.ACCEPTED,
                submitted_at=self.at(requested_day, 9),
                updated_at=self.at(requested_day + timedelta(days=5), 9),
            )
            progressive = cig_seed + number
            lot = Lot.objects.create(
                procedure=procedure,
                number=number,
                title=f"Lotto {number} — {party.name}" if len(parties) > 1 else plan.title,
                municipality=party,
                request=request,
                cig=f"C{progressive:06X}{new_cig_check('C', progressive)}",
                cpv=plan.cpv,
                base_amount=share,
                safety_costs=(share * Decimal("0.03")).quantize(CENT),
            )
            self.bids(lot, plan, state, operators, rng, award_day, contract_day)
        return procedure

    def bids(self, lot, plan, state, operators, rng, award_day, contract_day) -> None:
        if state == ProcedureState.CANCELLED:
            Lot.objects.filter(pk=lot.pk).update(state=LotState.CANCELLED, state_reason="Procedura revocata.")
            return
        bids = []
        for operator in operators:
            discount = Decimal(rng.randint(400, 2400)) / Decimal(100)
            excluded = state == ProcedureState.DESERTED
            bids.append(
                Bid.objects.create(
                    lot=lot,
                    operator=operator,
                    discount_percent=discount,
                    technical_score=Decimal(rng.randint(45, 70))
                    if plan.criterion == Criterion.OEPV
                    else None,
                    status=BidStatus.EXCLUDED if excluded else BidStatus.ADMITTED,
                    exclusion_reason="Garanzia provvisoria non conforme." if excluded else "",
                    received_at=lot.procedure.bid_deadline - timedelta(days=rng.randint(1, 5)),
                )
            )
        if state == ProcedureState.DESERTED:
            Lot.objects.filter(pk=lot.pk).update(
                state=LotState.DESERTED, state_reason="Nessuna offerta ammessa."
            )
            return
        winner = max(bids, key=lambda bid: (bid.discount_percent, -bid.pk))
        amount = (lot.base_amount * (100 - winner.discount_percent) / 100).quantize(CENT, ROUND_HALF_UP)
        ranking = sorted(bids, key=lambda bid: (-bid.discount_percent, bid.pk))
        Evaluation.objects.create(
            lot=lot,
            method=EvaluationMethod.RANKING
            if plan.criterion == Criterion.LOWEST_PRICE
            else EvaluationMethod.OEPV,
            result={
                "winner": str(winner.operator_id),
                "excluded": [],
                "ranking": [
                    {"rank": rank, "operator": str(bid.operator_id), "discount": str(bid.discount_percent)}
                    for rank, bid in enumerate(ranking, start=1)
                ],
            },
            computed_at=self.at(award_day - timedelta(days=5)),
        )
        lot.state = LotState.AWARDED
        lot.awarded_operator = winner.operator
        lot.awarded_bid = winner
        lot.awarded_amount = amount
        lot.award_date = award_day
        if state == ProcedureState.CONTRACT_SIGNED:
            lot.contract_date = contract_day
            lot.contract_amount = amount + lot.safety_costs
        lot.save()
