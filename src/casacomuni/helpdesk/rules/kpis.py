"""The office's indicators over a period, from plain rows: counts, medians in working hours, the share within
the service level and the average rating. Pure."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from statistics import median


@dataclass(frozen=True)
class Row:
    """One request as the indicators read it (the working hours are those recorded when they happened)."""

    category: str
    created_at: datetime
    first_answered_at: datetime | None
    first_answer_hours: Decimal | None
    first_answer_allowed: int
    resolved_at: datetime | None
    resolution_hours: Decimal | None
    resolution_allowed: int
    closed_at: datetime | None
    rating: int | None


@dataclass
class Figures:
    label: str
    opened: int = 0
    resolved: int = 0
    median_first_answer: float | None = None
    median_resolution: float | None = None
    first_answer_within: float | None = None  # a share, 0..1
    resolution_within: float | None = None
    average_rating: float | None = None
    ratings: int = 0


def _within(start: datetime, end: datetime, instant: datetime | None) -> bool:
    return instant is not None and start <= instant < end


def _share(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def figures(label: str, rows: list[Row], start: datetime, end: datetime) -> Figures:
    """The figures of ``rows`` in [start, end): opened in it, resolved in it (their resolution time and level),
    first answered in it (their first-answer time and level), closed with a rating in it."""
    answered = [
        (r.first_answer_hours, r.first_answer_allowed)
        for r in rows
        if _within(start, end, r.first_answered_at) and r.first_answer_hours is not None
    ]
    resolved = [
        (r.resolution_hours, r.resolution_allowed)
        for r in rows
        if _within(start, end, r.resolved_at) and r.resolution_hours is not None
    ]
    rated = [r.rating for r in rows if _within(start, end, r.closed_at) and r.rating is not None]
    return Figures(
        label=label,
        opened=sum(1 for r in rows if _within(start, end, r.created_at)),
        resolved=len(resolved),
        median_first_answer=_median(answered),
        median_resolution=_median(resolved),
        first_answer_within=_share([taken <= allowed for taken, allowed in answered]),
        resolution_within=_share([taken <= allowed for taken, allowed in resolved]),
        average_rating=round(sum(rated) / len(rated), 2) if rated else None,
        ratings=len(rated),
    )


def _median(times: list[tuple[Decimal, int]]) -> float | None:
    return float(median(taken for taken, _allowed in times)) if times else None


def by_category(rows: list[Row], start: datetime, end: datetime, total_label: str) -> list[Figures]:
    """One line per category (alphabetical), then the total."""
    names = sorted({r.category for r in rows})
    lines = [figures(name, [r for r in rows if r.category == name], start, end) for name in names]
    return [*lines, figures(total_label, rows, start, end)]
