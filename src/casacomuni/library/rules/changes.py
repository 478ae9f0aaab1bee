"""What changed between two versions of a model: the fields whose text differs and the files added, removed or
replaced. Pure: the versions come in as plain values (``Snapshot``), so that the rule is tested on its own.

A file is known by its name within a version: a name only in the newer version was added, a name only in the
older one removed, a name in both with another content (SHA-256 digest) replaced.
"""

from dataclasses import dataclass, field

# The fields of a version that "what changed" compares, in the order the page lists them.
COMPARED_FIELDS = ("title", "legal_basis", "description", "questionnaire")


@dataclass(frozen=True)
class Snapshot:
    """A version as values: its compared fields (``COMPARED_FIELDS``) and its files, name -> digest."""

    fields: dict[str, object]
    files: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Changes:
    fields: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    replaced: tuple[str, ...]

    @property
    def any(self) -> bool:
        return bool(self.fields or self.added or self.removed or self.replaced)


def changes(old: Snapshot, new: Snapshot) -> Changes:
    """The differences from ``old`` to ``new``; names of files sorted, fields in ``COMPARED_FIELDS`` order."""
    fields = tuple(name for name in COMPARED_FIELDS if old.fields.get(name) != new.fields.get(name))
    old_names, new_names = set(old.files), set(new.files)
    return Changes(
        fields=fields,
        added=tuple(sorted(new_names - old_names)),
        removed=tuple(sorted(old_names - new_names)),
        replaced=tuple(sorted(n for n in old_names & new_names if old.files[n] != new.files[n])),
    )


def update_number(adopted: int, upstream: int | None, dismissed: int | None) -> int | None:
    """The upstream version a copy may move to: the published one, when newer than the adopted version and
    than the last one the Province dismissed; else None (nothing to show)."""
    if upstream is None or upstream <= adopted:
        return None
    if dismissed is not None and upstream <= dismissed:
        return None
    return upstream
