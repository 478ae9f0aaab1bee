"""Seats and the waiting list of an edition: first come, first served.

A new enrolment takes a seat while one is free, otherwise it waits; when a seat frees (a cancellation, more
seats), the longest waiting enrolment takes it, in the order of their requests.
"""

ENROLLED = "enrolled"
WAITING = "waiting"


def placement(taken: int, seats: int) -> str:
    """Where a new enrolment goes when ``taken`` of ``seats`` are taken."""
    return ENROLLED if taken < seats else WAITING


def promoted(taken: int, seats: int, waiting: list) -> list:
    """Which of ``waiting`` (in the order of their requests) take the seats free now."""
    return waiting[: max(seats - taken, 0)]
