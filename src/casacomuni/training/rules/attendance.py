"""The attendance register and completion: minutes per session, the share attended, the final test.

The edition sets the minimum share of the sessions' time a participant must attend (75 % unless it says
otherwise; UPI's procurement course asks 80 %) and, when it has a final test, its pass mark (two thirds in UPI's
course: DOMAIN.md section 7). Completion needs both; the hours credited are the module's.
"""

from decimal import ROUND_DOWN, Decimal

MINUTES_NEGATIVE = "minutes_negative"
MINUTES_OVER_SESSION = "minutes_over_session"
SESSION_NOT_HELD = "session_not_held"
NOT_ENOUGH_ATTENDANCE = "not_enough_attendance"
TEST_NOT_TAKEN = "test_not_taken"
TEST_NOT_PASSED = "test_not_passed"
NO_SESSIONS = "no_sessions"


def minutes_problem(minutes: int, session_minutes: int) -> str | None:
    """Why ``minutes`` cannot be recorded for a session of ``session_minutes``, or None."""
    if minutes < 0:
        return MINUTES_NEGATIVE
    if minutes > session_minutes:
        return MINUTES_OVER_SESSION
    return None


def attended_percent(attended_minutes: int, scheduled_minutes: int) -> Decimal:
    """The share of the scheduled time attended, in percent, truncated to one decimal (74.99 % is not 75 %)."""
    if scheduled_minutes <= 0:
        return Decimal(0)
    share = Decimal(attended_minutes) * 100 / Decimal(scheduled_minutes)
    return share.quantize(Decimal("0.1"), ROUND_DOWN)


def completion_problems(
    attended_minutes: int,
    scheduled_minutes: int,
    min_percent: int,
    *,
    final_test: bool,
    test_score_percent: int | None,
    pass_mark_percent: int,
) -> list[str]:
    """What keeps a participant from completing the edition; empty when it completed."""
    problems = []
    if scheduled_minutes <= 0:
        return [NO_SESSIONS]
    if attended_percent(attended_minutes, scheduled_minutes) < min_percent:
        problems.append(NOT_ENOUGH_ATTENDANCE)
    if final_test:
        if test_score_percent is None:
            problems.append(TEST_NOT_TAKEN)
        elif test_score_percent < pass_mark_percent:
            problems.append(TEST_NOT_PASSED)
    return problems
