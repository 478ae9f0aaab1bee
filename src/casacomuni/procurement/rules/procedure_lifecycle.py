"""The life of a procedure run by the SUA: its states, the actions between them and their preconditions.

D.Lgs. 36/2023 gives the sequence a procedure goes through: the notice or invitation is published (artt. 71-72,
art. 50 c.2), offers are received until the deadline (artt. 71-73 with art. 92 for the terms), the bids are
examined (art. 54 for the automatic exclusion of anomalous bids, art. 108 for OEPV), the award is proposed and
then made (art. 17 c.5: "la stazione appaltante, previa verifica della proposta di aggiudicazione, dispone
l'aggiudicazione"), and the contract is signed (art. 18). A procedure with no admissible bid is deserted
("gara deserta"); the authority may withdraw a procedure ("revoca", art. 21-quinquies L. 241/1990) with reasons.

Pure: plain values in, plain values out. ``problems(action, facts)`` lists why an action cannot be taken now,
each problem an English source message (translate with gettext) with its parameters; ``next_state`` the state
the action leads to. Every (state, action) pair is covered by the tests.
"""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from casacomuni.lib.i18n import gettext_noop

# The deadlines are those of the Italian procedures: a person reads them in Rome time, never in UTC.
ROME = ZoneInfo("Europe/Rome")


# States.
DRAFT = "draft"
PUBLISHED = "published"
BIDS_OPEN = "bids_open"
BIDS_CLOSED = "bids_closed"
EVALUATION = "evaluation"
PROPOSED_AWARD = "proposed_award"
AWARDED = "awarded"
CONTRACT_SIGNED = "contract_signed"
DESERTED = "deserted"
CANCELLED = "cancelled"
STATES = (
    DRAFT,
    PUBLISHED,
    BIDS_OPEN,
    BIDS_CLOSED,
    EVALUATION,
    PROPOSED_AWARD,
    AWARDED,
    CONTRACT_SIGNED,
    DESERTED,
    CANCELLED,
)
FINAL_STATES = (CONTRACT_SIGNED, DESERTED, CANCELLED)
# States in which the procedure is public (its page, its OCDS release).
PUBLIC_STATES = tuple(state for state in STATES if state not in (DRAFT,))

# Actions.
PUBLISH = "publish"
OPEN_BIDS = "open_bids"
CLOSE_BIDS = "close_bids"
START_EVALUATION = "start_evaluation"
PROPOSE_AWARD = "propose_award"
AWARD = "award"
SIGN_CONTRACT = "sign_contract"
DECLARE_DESERTED = "declare_deserted"
CANCEL = "cancel"
ACTIONS = (
    PUBLISH,
    OPEN_BIDS,
    CLOSE_BIDS,
    START_EVALUATION,
    PROPOSE_AWARD,
    AWARD,
    SIGN_CONTRACT,
    DECLARE_DESERTED,
    CANCEL,
)

# action -> (states it may be taken from, state it leads to)
TRANSITIONS = {
    PUBLISH: ((DRAFT,), PUBLISHED),
    OPEN_BIDS: ((PUBLISHED,), BIDS_OPEN),
    CLOSE_BIDS: ((BIDS_OPEN,), BIDS_CLOSED),
    START_EVALUATION: ((BIDS_CLOSED,), EVALUATION),
    PROPOSE_AWARD: ((EVALUATION,), PROPOSED_AWARD),
    AWARD: ((PROPOSED_AWARD,), AWARDED),
    SIGN_CONTRACT: ((AWARDED,), CONTRACT_SIGNED),
    DECLARE_DESERTED: ((BIDS_CLOSED, EVALUATION), DESERTED),
    CANCEL: ((DRAFT, PUBLISHED, BIDS_OPEN, BIDS_CLOSED, EVALUATION, PROPOSED_AWARD), CANCELLED),
}

# Actions that need reasons written by the officer.
REASONED_ACTIONS = (CANCEL, DECLARE_DESERTED)


@dataclass(frozen=True)
class LotFacts:
    """What the preconditions read of a lot (cancelled lots are left out by the caller)."""

    number: int
    has_cig: bool
    admitted_bids: int = 0
    has_evaluation: bool = False
    has_winner: bool = False  # the evaluation ranks a first admitted bid
    awarded: bool = False  # operator, amount and award date recorded
    deserted: bool = False
    contract_recorded: bool = False  # contract date and amount recorded


@dataclass(frozen=True)
class ProcedureFacts:
    state: str
    lots: tuple[LotFacts, ...]
    now: datetime | None = None
    bid_deadline: datetime | None = None
    has_criterion: bool = True
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    params: dict = field(default_factory=dict)

    def text(self, translate=None) -> str:
        message = translate(self.message) if translate else self.message
        return message % self.params if self.params else message


class TransitionError(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(problem.text() for problem in problems))
        self.problems = problems


def next_state(action: str) -> str:
    return TRANSITIONS[action][1]


# What may be done to one lot, by its procedure's state and its own: the services refuse anything else and the
# procedure page shows a command only when ``lot_actions`` lists it.
EDIT_LOT = "edit_lot"  # every field of the lot
ENTER_CIG = "enter_cig"  # the CIG alone, which ANAC issues after the procedure is under way
RECORD_BID = "record_bid"
DECIDE_BID = "decide_bid"  # admit or exclude; from the deadline on (``bid_decision_problems``)
EVALUATE_LOT = "evaluate_lot"
AWARD_LOT = "award_lot"
RECORD_CONTRACT = "record_contract"
LOT_OPEN = "open"
LOT_AWARDED = "awarded"
_LOT_ACTIONS = {
    DRAFT: (EDIT_LOT, ENTER_CIG),
    PUBLISHED: (ENTER_CIG,),
    BIDS_OPEN: (ENTER_CIG, RECORD_BID, DECIDE_BID),
    BIDS_CLOSED: (RECORD_BID, DECIDE_BID),
    EVALUATION: (DECIDE_BID, EVALUATE_LOT),
    PROPOSED_AWARD: (AWARD_LOT,),
    AWARDED: (RECORD_CONTRACT,),
}
# The lot's own state each action needs, where it needs one.
_LOT_STATE_NEEDED = {RECORD_BID: LOT_OPEN, AWARD_LOT: LOT_OPEN, RECORD_CONTRACT: LOT_AWARDED}


def lot_actions(procedure_state: str, lot_state: str) -> frozenset[str]:
    """What may be done to a lot in ``lot_state`` of a procedure in ``procedure_state``."""
    return frozenset(
        action
        for action in _LOT_ACTIONS.get(procedure_state, ())
        if _LOT_STATE_NEEDED.get(action, lot_state) == lot_state
    )


def allowed_actions(state: str) -> tuple[str, ...]:
    """The actions whose source states include ``state`` (their preconditions still to be checked)."""
    return tuple(action for action in ACTIONS if state in TRANSITIONS[action][0])


def problems(action: str, facts: ProcedureFacts, reason: str | None = None) -> list[Problem]:
    """Why ``action`` cannot be taken on a procedure described by ``facts``; empty when it can."""
    if action not in TRANSITIONS:
        return [Problem("unknown_action", gettext_noop("Unknown action %(action)s."), {"action": action})]
    sources, _target = TRANSITIONS[action]
    if facts.state not in sources:
        return [
            Problem(
                "wrong_state",
                gettext_noop("The action %(action)s is not possible in the state %(state)s."),
                {"action": action, "state": facts.state},
            )
        ]
    found: list[Problem] = []
    if action in REASONED_ACTIONS and not (reason or "").strip():
        found.append(Problem("reason_required", gettext_noop("Write the reasons for this decision.")))
    check = _CHECKS.get(action)
    if check is not None:
        found.extend(check(facts))
    return found


def require(action: str, facts: ProcedureFacts, reason: str | None = None) -> str:
    """The state ``action`` leads to, or TransitionError with every problem found."""
    found = problems(action, facts, reason)
    if found:
        raise TransitionError(found)
    return next_state(action)


def _publish(facts: ProcedureFacts) -> list[Problem]:
    """Art. 50 c.2 / artt. 71-72: the notice or invitation states each lot's CIG (art. 23, L. 136/2010 art. 3)
    and the deadline for offers."""
    found = []
    if not facts.lots:
        found.append(Problem("no_lots", gettext_noop("The procedure has no lot.")))
    missing = [str(lot.number) for lot in facts.lots if not lot.has_cig]
    if missing:
        found.append(
            Problem(
                "cig_missing",
                gettext_noop("Every lot needs its CIG before publication: missing for lot %(lots)s.")
                if len(missing) == 1
                else gettext_noop("Every lot needs its CIG before publication: missing for lot(s) %(lots)s."),
                {"lots": ", ".join(missing)},
            )
        )
    if facts.bid_deadline is None:
        found.append(
            Problem("deadline_missing", gettext_noop("Set the deadline for offers before publishing."))
        )
    elif facts.now is not None and facts.bid_deadline <= facts.now:
        found.append(Problem("deadline_past", gettext_noop("The deadline for offers has already passed.")))
    if not facts.has_criterion:
        found.append(Problem("criterion_missing", gettext_noop("Choose the award criterion.")))
    return found


def _close_bids(facts: ProcedureFacts) -> list[Problem]:
    """Offers are received until the deadline: the bids cannot be closed before it (artt. 71-73, art. 92)."""
    if facts.bid_deadline is not None and facts.now is not None and facts.now < facts.bid_deadline:
        return [
            Problem(
                "deadline_not_reached",
                gettext_noop("Bids can be closed only after the deadline (%(deadline)s)."),
                {"deadline": facts.bid_deadline.astimezone(ROME).strftime("%d/%m/%Y %H:%M")},
            )
        ]
    return []


def bid_decision_problems(now: datetime, bid_deadline: datetime | None) -> list[Problem]:
    """Bids are admitted or excluded only once the deadline for offers has passed: until then nobody may know
    the bids (Dir. 2014/24/EU Annex IV lett. c; art. 35 c.2-3 D.Lgs. 36/2023 defers even the list of the
    bidders), and the examination of the administrative documents and the exclusions (artt. 94-95) come after
    the reception closes. The deadline is told in Rome time."""
    if bid_deadline is None or now < bid_deadline:
        deadline = bid_deadline.astimezone(ROME).strftime("%d/%m/%Y %H:%M") if bid_deadline else "—"
        return [
            Problem(
                "bids_still_open",
                gettext_noop(
                    "Bids are admitted or excluded only after the deadline for offers (%(deadline)s, "
                    "Italian time): reception is still open."
                ),
                {"deadline": deadline},
            )
        ]
    return []


def _start_evaluation(facts: ProcedureFacts) -> list[Problem]:
    if not any(lot.admitted_bids for lot in facts.lots):
        return [
            Problem(
                "no_admitted_bids",
                gettext_noop("No lot has an admitted bid: declare the procedure deserted instead."),
            )
        ]
    return []


def _propose_award(facts: ProcedureFacts) -> list[Problem]:
    """Every lot is either evaluated with a first-ranked bid or without admitted bids (deserted)."""
    found = []
    pending = [str(lot.number) for lot in facts.lots if lot.admitted_bids and not lot.has_evaluation]
    if pending:
        found.append(
            Problem(
                "evaluation_missing",
                gettext_noop("Evaluate the bids of lot %(lots)s first.")
                if len(pending) == 1
                else gettext_noop("Evaluate the bids of lot(s) %(lots)s first."),
                {"lots": ", ".join(pending)},
            )
        )
    no_winner = [
        str(lot.number)
        for lot in facts.lots
        if lot.admitted_bids and lot.has_evaluation and not lot.has_winner
    ]
    if no_winner:
        found.append(
            Problem(
                "winner_missing",
                gettext_noop("The evaluation of lot %(lots)s ranks no bid first (a tie needs a draw).")
                if len(no_winner) == 1
                else gettext_noop(
                    "The evaluation of lot(s) %(lots)s ranks no bid first (a tie needs a draw)."
                ),
                {"lots": ", ".join(no_winner)},
            )
        )
    if facts.lots and not any(lot.admitted_bids for lot in facts.lots):
        found.append(
            Problem(
                "no_admitted_bids",
                gettext_noop("No lot has an admitted bid: declare the procedure deserted instead."),
            )
        )
    return found


def _award(facts: ProcedureFacts) -> list[Problem]:
    """Art. 17 c.5: the award follows the verified proposal; each lot with a winner gets its award data."""
    missing = [
        str(lot.number) for lot in facts.lots if lot.has_winner and not lot.awarded and not lot.deserted
    ]
    if missing:
        return [
            Problem(
                "award_missing",
                gettext_noop("Record the award (operator, amount, date) of lot %(lots)s.")
                if len(missing) == 1
                else gettext_noop("Record the award (operator, amount, date) of lot(s) %(lots)s."),
                {"lots": ", ".join(missing)},
            )
        ]
    if not any(lot.awarded for lot in facts.lots):
        return [Problem("nothing_awarded", gettext_noop("No lot is awarded."))]
    return []


def _sign_contract(facts: ProcedureFacts) -> list[Problem]:
    """Art. 18: the contract of each awarded lot, with its date and amount."""
    missing = [str(lot.number) for lot in facts.lots if lot.awarded and not lot.contract_recorded]
    if missing:
        return [
            Problem(
                "contract_missing",
                gettext_noop("Record the contract (date, amount) of lot %(lots)s.")
                if len(missing) == 1
                else gettext_noop("Record the contract (date, amount) of lot(s) %(lots)s."),
                {"lots": ", ".join(missing)},
            )
        ]
    return []


def _declare_deserted(facts: ProcedureFacts) -> list[Problem]:
    """A procedure is deserted when no lot has an admissible bid (a lot-by-lot outcome is recorded at award)."""
    if any(lot.admitted_bids for lot in facts.lots):
        return [
            Problem(
                "has_admitted_bids",
                gettext_noop("A lot has admitted bids: the procedure is not deserted."),
            )
        ]
    return []


_CHECKS = {
    PUBLISH: _publish,
    CLOSE_BIDS: _close_bids,
    START_EVALUATION: _start_evaluation,
    PROPOSE_AWARD: _propose_award,
    AWARD: _award,
    SIGN_CONTRACT: _sign_contract,
    DECLARE_DESERTED: _declare_deserted,
}
