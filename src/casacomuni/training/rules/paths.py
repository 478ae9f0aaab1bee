"""A person's progress on a training path (percorso formativo, issue 11 item 3: "paths made of modules").

A path is its modules in order. A module counts as done when the person holds a completion of one of its
editions that was not revoked (a revoked certificate no longer counts, as in the 40-hour ledger, ADR 0013).
The modules may be taken in any order: the next one is the first of the path not done yet; the path is
complete when every module is done. Its hours are the sum of its modules' hours.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Progress:
    completed: tuple[int, ...]  # the modules done, in the path's order
    next: int | None  # the first module not done, None once the path is complete
    complete: bool
    total: int  # the modules of the path

    @property
    def done(self) -> int:
        return len(self.completed)


def progress(path_modules: Sequence[int], completed_modules: Iterable[int]) -> Progress:
    """The progress on the path of modules ``path_modules`` (ids, in order) of a person who completed
    ``completed_modules`` (ids of modules, in any order, those of other paths included; no revoked ones)."""
    done = set(completed_modules)
    completed = tuple(module for module in path_modules if module in done)
    missing = [module for module in path_modules if module not in done]
    return Progress(
        completed=completed,
        next=missing[0] if missing else None,
        complete=bool(path_modules) and not missing,
        total=len(path_modules),
    )


def total_hours(module_hours: Iterable[Decimal]) -> Decimal:
    """The hours of a path: those of its modules, added."""
    return sum((Decimal(hours) for hours in module_hours), Decimal(0))
