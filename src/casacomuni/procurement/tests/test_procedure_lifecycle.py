"""The procedure's state machine (rules/procedure_lifecycle.py): every (state, action) pair, and the
preconditions of each action, with the provision each rests on."""

from datetime import UTC, datetime, timedelta

import pytest

from casacomuni.procurement.rules import procedure_lifecycle as life

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

# The path the law lays down: notice (artt. 71-72; art. 50 c.2 invitation), offers until the deadline (art. 92),
# examination (art. 54 / art. 108), proposal and award (art. 17 c.5), contract (art. 18).
EXPECTED = {
    (life.DRAFT, life.PUBLISH): life.PUBLISHED,
    (life.PUBLISHED, life.OPEN_BIDS): life.BIDS_OPEN,
    (life.BIDS_OPEN, life.CLOSE_BIDS): life.BIDS_CLOSED,
    (life.BIDS_CLOSED, life.START_EVALUATION): life.EVALUATION,
    (life.EVALUATION, life.PROPOSE_AWARD): life.PROPOSED_AWARD,
    (life.PROPOSED_AWARD, life.AWARD): life.AWARDED,
    (life.AWARDED, life.SIGN_CONTRACT): life.CONTRACT_SIGNED,
    (life.BIDS_CLOSED, life.DECLARE_DESERTED): life.DESERTED,
    (life.EVALUATION, life.DECLARE_DESERTED): life.DESERTED,
    **{
        (state, life.CANCEL): life.CANCELLED
        for state in (
            life.DRAFT,
            life.PUBLISHED,
            life.BIDS_OPEN,
            life.BIDS_CLOSED,
            life.EVALUATION,
            life.PROPOSED_AWARD,
        )
    },
}


def ready_facts(state: str, action: str) -> life.ProcedureFacts:
    """Facts under which ``action``'s preconditions hold (so only the state decides)."""
    deserted = action == life.DECLARE_DESERTED
    lot = life.LotFacts(
        number=1,
        has_cig=True,
        admitted_bids=0 if deserted else 5,
        has_evaluation=not deserted,
        has_winner=not deserted,
        awarded=not deserted,
        contract_recorded=not deserted,
    )
    deadline = NOW + timedelta(days=10) if action == life.PUBLISH else NOW - timedelta(hours=1)
    return life.ProcedureFacts(state=state, lots=(lot,), now=NOW, bid_deadline=deadline)


@pytest.mark.parametrize("state", life.STATES)
@pytest.mark.parametrize("action", life.ACTIONS)
def test_every_state_and_action_pair(state, action):
    facts = ready_facts(state, action)
    found = life.problems(action, facts, reason="Motivazione")
    if (state, action) in EXPECTED:
        assert found == []
        assert life.require(action, facts, "Motivazione") == EXPECTED[(state, action)]
    else:
        assert [p.code for p in found] == ["wrong_state"]
        with pytest.raises(life.TransitionError):
            life.require(action, facts, "Motivazione")


def test_final_states_allow_nothing():
    for state in life.FINAL_STATES:
        assert life.allowed_actions(state) == ()


def test_unknown_action():
    assert [p.code for p in life.problems("teleport", ready_facts(life.DRAFT, life.PUBLISH))] == [
        "unknown_action"
    ]


def codes(action, facts, reason="Motivazione"):
    return [p.code for p in life.problems(action, facts, reason)]


def test_publish_needs_every_cig_a_future_deadline_and_a_criterion():
    # L. 136/2010 art. 3 and art. 23 D.Lgs. 36/2023: a CIG per lot before the notice; artt. 71-72: the
    # notice states the deadline for offers.
    lots = (life.LotFacts(1, has_cig=True), life.LotFacts(2, has_cig=False))
    facts = life.ProcedureFacts(life.DRAFT, lots, now=NOW, bid_deadline=None, has_criterion=False)
    assert codes(life.PUBLISH, facts) == ["cig_missing", "deadline_missing", "criterion_missing"]
    problem = life.problems(life.PUBLISH, facts)[0]
    assert problem.params == {"lots": "2"}
    past = life.ProcedureFacts(life.DRAFT, lots[:1], now=NOW, bid_deadline=NOW - timedelta(minutes=1))
    assert codes(life.PUBLISH, past) == ["deadline_past"]
    assert codes(
        life.PUBLISH, life.ProcedureFacts(life.DRAFT, (), now=NOW, bid_deadline=NOW + timedelta(days=1))
    ) == ["no_lots"]


def test_bids_close_only_after_the_deadline():
    # Offers are received until the deadline (artt. 71-73, art. 92): not a minute earlier.
    lot = (life.LotFacts(1, True),)
    before = life.ProcedureFacts(life.BIDS_OPEN, lot, now=NOW, bid_deadline=NOW + timedelta(minutes=1))
    assert codes(life.CLOSE_BIDS, before) == ["deadline_not_reached"]
    at = life.ProcedureFacts(life.BIDS_OPEN, lot, now=NOW, bid_deadline=NOW)
    assert codes(life.CLOSE_BIDS, at) == []


def test_deserted_only_without_admissible_bids_and_with_reasons():
    with_bids = life.ProcedureFacts(life.BIDS_CLOSED, (life.LotFacts(1, True, admitted_bids=1),), now=NOW)
    assert codes(life.DECLARE_DESERTED, with_bids) == ["has_admitted_bids"]
    none = life.ProcedureFacts(life.BIDS_CLOSED, (life.LotFacts(1, True, admitted_bids=0),), now=NOW)
    assert codes(life.DECLARE_DESERTED, none, reason="  ") == ["reason_required"]
    assert codes(life.DECLARE_DESERTED, none) == []
    assert codes(life.START_EVALUATION, none) == ["no_admitted_bids"]


def test_cancel_needs_reasons():
    facts = ready_facts(life.PUBLISHED, life.CANCEL)
    assert codes(life.CANCEL, facts, reason="") == ["reason_required"]
    assert codes(life.CANCEL, facts, reason=None) == ["reason_required"]


def test_award_steps_need_evaluation_award_and_contract_data():
    unevaluated = life.LotFacts(1, True, admitted_bids=5)
    assert codes(life.PROPOSE_AWARD, life.ProcedureFacts(life.EVALUATION, (unevaluated,))) == [
        "evaluation_missing"
    ]
    no_winner = life.LotFacts(1, True, admitted_bids=5, has_evaluation=True)
    assert codes(life.PROPOSE_AWARD, life.ProcedureFacts(life.EVALUATION, (no_winner,))) == ["winner_missing"]
    # A lot without bids beside an evaluated one: the proposal goes on (the empty lot will be deserted).
    empty = life.LotFacts(2, True)
    ready = life.LotFacts(1, True, admitted_bids=5, has_evaluation=True, has_winner=True)
    assert codes(life.PROPOSE_AWARD, life.ProcedureFacts(life.EVALUATION, (ready, empty))) == []
    assert codes(life.AWARD, life.ProcedureFacts(life.PROPOSED_AWARD, (ready,))) == ["award_missing"]
    assert codes(life.AWARD, life.ProcedureFacts(life.PROPOSED_AWARD, (empty,))) == ["nothing_awarded"]
    awarded = life.LotFacts(1, True, admitted_bids=5, has_evaluation=True, has_winner=True, awarded=True)
    assert codes(life.SIGN_CONTRACT, life.ProcedureFacts(life.AWARDED, (awarded,))) == ["contract_missing"]


# What may be done to a lot, in every state of its procedure and of the lot (D.Lgs. 36/2023): the lot is edited
# while the procedure is a draft, and its CIG entered until bids close (ANAC issues it asynchronously, art. 23);
# bids are recorded while reception is open or just closed, and admitted or excluded from the deadline to the
# end of the examination (art. 92, art. 54 / art. 108); the evaluation precedes the proposal, the award follows
# it (art. 17 c.5) and the contract the award (art. 18). A final state allows nothing.
LOT_ACTIONS = {
    (life.DRAFT, "open"): {life.EDIT_LOT, life.ENTER_CIG},
    (life.PUBLISHED, "open"): {life.ENTER_CIG},
    (life.BIDS_OPEN, "open"): {life.ENTER_CIG, life.RECORD_BID, life.DECIDE_BID},
    (life.BIDS_CLOSED, "open"): {life.RECORD_BID, life.DECIDE_BID},
    (life.EVALUATION, "open"): {life.DECIDE_BID, life.EVALUATE_LOT},
    (life.PROPOSED_AWARD, "open"): {life.AWARD_LOT},
    (life.PROPOSED_AWARD, "awarded"): set(),  # awarded once
    (life.AWARDED, "awarded"): {life.RECORD_CONTRACT},
    (life.AWARDED, "deserted"): set(),  # a deserted lot of an awarded procedure gets no contract
    (life.BIDS_OPEN, "cancelled"): {life.ENTER_CIG, life.DECIDE_BID},  # no new bid on a cancelled lot
}


@pytest.mark.parametrize("procedure_state", life.STATES)
@pytest.mark.parametrize("lot_state", ["open", "awarded", "deserted", "cancelled"])
def test_what_may_be_done_to_a_lot_in_each_state(procedure_state, lot_state):
    expected = LOT_ACTIONS.get((procedure_state, lot_state))
    actions = life.lot_actions(procedure_state, lot_state)
    if expected is not None:
        assert actions == expected
    if procedure_state in life.FINAL_STATES:
        assert actions == frozenset()
    # Nothing needs an open lot once the lot is decided, and only an awarded lot gets a contract.
    if lot_state != "open":
        assert not actions & {life.RECORD_BID, life.AWARD_LOT}
    if lot_state != "awarded":
        assert life.RECORD_CONTRACT not in actions
