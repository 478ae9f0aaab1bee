"""What the SUA's procedures count in the cost of a Comune's adhesion (see agreements.selectors.usage_providers).

The SUA's fee falls due at the award and is computed on the amount put out to tender (the usual clause of the
SUA convenzioni, and the demo catalogue's): a procedure counts on the day its lots for the Comune are awarded,
with the base amount plus the safety costs of those lots (the "importo a base di gara"; options are left out,
since they may never be exercised). Lots deserted or cancelled cost nothing.
"""

from collections import defaultdict
from decimal import Decimal

from casacomuni.agreements.models import ServiceKind
from casacomuni.agreements.rules import costs
from casacomuni.procurement.procedures.models import Lot, LotState


def awarded_procedures(party_ids, year: int) -> dict[int, list[costs.Procedure]]:
    """Per Comune (Unione) pk, one ``costs.Procedure`` per procedure whose lots for it were awarded in ``year``.

    One query, whatever the number of Comuni and procedures.
    """
    rows = (
        Lot.objects.filter(municipality_id__in=party_ids, state=LotState.AWARDED, award_date__year=year)
        .order_by()
        .values_list("municipality_id", "procedure_id", "award_date", "base_amount", "safety_costs")
    )
    days, amounts = {}, defaultdict(Decimal)
    for party_id, procedure_id, day, base, safety in rows:
        key = (party_id, procedure_id)
        days[key] = max(day, days.get(key, day))  # a procedure's lots may be awarded on different days
        amounts[key] += base + safety
    usage = defaultdict(list)
    for (party_id, procedure_id), amount in sorted(amounts.items()):
        usage[party_id].append(costs.Procedure(days[(party_id, procedure_id)], amount))
    return dict(usage)


USAGE = {ServiceKind.SUA: awarded_procedures}
