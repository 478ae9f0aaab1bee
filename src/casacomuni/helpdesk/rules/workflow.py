"""The states of a request for help and the steps between them, in one table.

Pure data and functions. The office (the Province) and the party (the Comune or Unione that opened the
request) take turns: the office's clock runs in NEW and IN_PROGRESS only; while the request WAITS for the
Comune's information, and once it is RESOLVED (the Comune's turn to confirm), it stops.
"""

from dataclasses import dataclass

NEW = "new"
IN_PROGRESS = "in_progress"
WAITING = "waiting"
RESOLVED = "resolved"
CLOSED = "closed"

OFFICE = "office"
PARTY = "party"
SYSTEM = "system"

ASSIGN = "assign"
REPLY = "reply"
NOTE = "note"
ASK_INFO = "ask_info"
ANSWER = "answer"
RESOLVE = "resolve"
REOPEN = "reopen"
CLOSE = "close"
AUTO_CLOSE = "auto_close"

# The states in which the office's clock runs.
CLOCK_RUNS = frozenset({NEW, IN_PROGRESS})
OPEN_STATES = frozenset({NEW, IN_PROGRESS, WAITING})


@dataclass(frozen=True)
class Step:
    """Who may take the step, from which states, and the state it leads to (None: the state does not change)."""

    by: str
    sources: frozenset[str]
    target: str | None
    # Whether the step is the office's answer to the Comune (the first one stops the first-answer clock).
    answers: bool = False


STEPS: dict[str, Step] = {
    ASSIGN: Step(OFFICE, frozenset({NEW, IN_PROGRESS, WAITING}), None),
    REPLY: Step(OFFICE, frozenset({NEW, IN_PROGRESS}), IN_PROGRESS, answers=True),
    NOTE: Step(OFFICE, frozenset({NEW, IN_PROGRESS, WAITING, RESOLVED}), None),
    ASK_INFO: Step(OFFICE, frozenset({NEW, IN_PROGRESS}), WAITING, answers=True),
    ANSWER: Step(PARTY, frozenset({NEW, IN_PROGRESS, WAITING}), None),
    RESOLVE: Step(OFFICE, frozenset({NEW, IN_PROGRESS, WAITING}), RESOLVED, answers=True),
    REOPEN: Step(PARTY, frozenset({RESOLVED}), IN_PROGRESS),
    CLOSE: Step(PARTY, frozenset({RESOLVED}), CLOSED),
    AUTO_CLOSE: Step(SYSTEM, frozenset({RESOLVED}), CLOSED),
}


def next_state(state: str, step: str) -> str:
    """The state after ``step`` from ``state``.

    Assigning a new request puts it in progress; the Comune's answer to a request for information puts it back
    in progress; every other step leads to its target or leaves the state as it is.

    Raises ValueError when the step cannot be taken from ``state``.
    """
    rule = STEPS[step]
    if state not in rule.sources:
        raise ValueError(f"{step} is not allowed from {state}")
    if step == ASSIGN and state == NEW:
        return IN_PROGRESS
    if step == ANSWER and state == WAITING:
        return IN_PROGRESS
    return rule.target or state


def steps_for(state: str, by: str) -> list[str]:
    """The steps ``by`` (OFFICE or PARTY) may take from ``state``, in the table's order."""
    return [name for name, rule in STEPS.items() if rule.by == by and state in rule.sources]


def clock_runs(state: str) -> bool:
    return state in CLOCK_RUNS
