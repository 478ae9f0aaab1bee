"""Write operations on the SUA's procedures, and the selectors their pages and API read.

Every write: checks the actor's role and that the procedure is of the actor's Province (the SUA), runs in one
transaction on the locked procedure, records an audit event in the chain of the Province, and raises
ValidationError (a message per field where there is one) writing nothing when the input or the state refuses.
The law's rules live in ``rules/`` (router, deadlines, anomaly, oepv, rotation, procedure_lifecycle).

Each section is its own module (common, drafting, reads, transitions, clarifications, invitations, bids,
evaluation, award); this package re-exports what the views, API, demo and tests call, so that
``services.record_bid`` reads the same wherever it is called from. A newcomer looks for a rule in its section.
"""

from casacomuni.procurement.procedures.services.award import (
    REQUIREMENTS_DECISION,
    award_lot,
    record_contract,
    requirement_row,
    winners_requirements,
)
from casacomuni.procurement.procedures.services.bids import ADMIT, EXCLUDE, BidData, decide_bid, record_bid
from casacomuni.procurement.procedures.services.clarifications import (
    answer_clarification,
    ask_clarification,
    may_ask,
)
from casacomuni.procurement.procedures.services.drafting import (
    LotChanges,
    ProcedureChanges,
    create_procedure,
    lot_anomaly_parameters,
    reference_choices,
    update_lot,
    update_procedure,
)
from casacomuni.procurement.procedures.services.evaluation import evaluate_lot
from casacomuni.procurement.procedures.services.invitations import (
    candidates,
    invite_operator,
    lot_band,
    lot_category,
)
from casacomuni.procurement.procedures.services.reads import (
    deadline_datetime,
    deadline_info,
    route_summary,
    savings,
    timeline,
)
from casacomuni.procurement.procedures.services.transitions import (
    available_actions,
    names_disclosed,
    transition_procedure,
)

__all__ = [
    "ADMIT",
    "BidData",
    "EXCLUDE",
    "LotChanges",
    "ProcedureChanges",
    "REQUIREMENTS_DECISION",
    "answer_clarification",
    "ask_clarification",
    "available_actions",
    "award_lot",
    "candidates",
    "create_procedure",
    "deadline_datetime",
    "deadline_info",
    "decide_bid",
    "evaluate_lot",
    "invite_operator",
    "lot_anomaly_parameters",
    "lot_band",
    "lot_category",
    "may_ask",
    "names_disclosed",
    "record_bid",
    "record_contract",
    "reference_choices",
    "requirement_row",
    "route_summary",
    "savings",
    "timeline",
    "transition_procedure",
    "update_lot",
    "update_procedure",
    "winners_requirements",
]
