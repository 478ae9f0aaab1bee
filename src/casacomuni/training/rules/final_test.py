"""The final test of an edition (issue 11, item 5): multiple-choice questions with one correct option each.

The score is the share of questions answered correctly, in whole percent truncated (2 of 3 is 66 %, not 67 %),
so that "passed" (the share reaches the edition's pass mark) reads the same off the exact share and off the
stored score: with a pass mark of 67 %, 2 answers out of 3 (66.67 %) do not pass. A participant who fails may
try once more when the edition allows a second attempt; no more than that.
"""

from dataclasses import dataclass

MAX_ATTEMPTS = 2


@dataclass(frozen=True)
class Score:
    correct: int
    total: int
    percent: int
    passed: bool


def score(correct_options: dict[int, int], chosen: dict[int, int], pass_mark_percent: int) -> Score:
    """``correct_options``: question id -> index of its correct option; ``chosen``: question id -> index
    chosen (every question answered: the caller checks it)."""
    total = len(correct_options)
    correct = sum(1 for question, option in correct_options.items() if chosen.get(question) == option)
    percent = correct * 100 // total if total else 0
    return Score(correct, total, percent, total > 0 and correct * 100 >= pass_mark_percent * total)


def may_attempt(previous_passed: list[bool], retry_allowed: bool) -> bool:
    """Whether another attempt is allowed after ``previous_passed`` (one flag per attempt, in order): the
    first always; a second only after a failed first and when the edition allows it; never a third."""
    if not previous_passed:
        return True
    return retry_allowed and len(previous_passed) < MAX_ATTEMPTS and not any(previous_passed)
