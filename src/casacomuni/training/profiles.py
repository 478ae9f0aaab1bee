"""A person's training profile: the competences gained (the highest level each completed module built, the
certificate not revoked), the paths started and how far, the hours of each year and every course, on the
platform and elsewhere.

Reads only; a fixed number of queries per person whatever the history.
"""

from dataclasses import dataclass, field

from casacomuni.training.models import (
    LIVE_STATES,
    Completion,
    ExternalHours,
    Level,
    ModuleCompetence,
    PathModule,
    YearHours,
)
from casacomuni.training.rules import paths as path_rules

# The order of the levels, to keep the highest one reached.
LEVEL_RANK = {level: rank for rank, level in enumerate(Level.values)}


@dataclass
class GainedCompetence:
    code: str
    name: str
    group: str
    level: str
    modules: list[str] = field(default_factory=list)

    @property
    def level_label(self) -> str:
        return Level(self.level).label


def competences_gained(person) -> list[GainedCompetence]:
    """Each competence of the modules ``person`` completed (certificates not revoked), at the highest level
    reached, with the modules that built it; in the order of the framework's codes (one query)."""
    rows = (
        ModuleCompetence.objects.filter(
            module__editions__enrolments__completion__person=person,
            module__editions__enrolments__completion__revoked_at__isnull=True,
        )
        .values_list("competence__code", "competence__name", "competence__group", "level", "module__title")
        .order_by("competence__code", "module__title")
        .distinct()
    )
    gained: dict[str, GainedCompetence] = {}
    for code, name, group, level, module in rows:
        competence = gained.setdefault(code, GainedCompetence(code, name, group, level))
        if LEVEL_RANK[level] > LEVEL_RANK[competence.level]:
            competence.level = level
        if module not in competence.modules:
            competence.modules.append(module)
    return list(gained.values())


def years(person) -> list[YearHours]:
    """The person's hours per year, the latest first."""
    return list(YearHours.objects.filter(person=person).order_by("-year"))


def courses(person) -> tuple[list[Completion], list[ExternalHours]]:
    """Every completion on the platform (revoked ones too, marked) and every course imported, latest first."""
    completions = (
        Completion.objects.filter(person=person)
        .select_related("enrolment__edition__module")
        .order_by("-completed_on", "-pk")
    )
    return list(completions), list(
        ExternalHours.objects.filter(person=person).order_by("-completed_on", "pk")
    )


@dataclass
class PathStanding:
    path_id: int
    title: str
    progress: path_rules.Progress


def paths_started(person) -> list[PathStanding]:
    """The published paths of which the person took (or is taking) a module, each with the progress on it,
    by title: two queries whatever the paths."""
    rows = (
        PathModule.objects.filter(
            path__published=True,
            path__in=PathModule.objects.filter(
                module__editions__enrolments__person=person,
                module__editions__enrolments__state__in=LIVE_STATES,
            ).values("path"),
        )
        .order_by("path__title", "path_id", "position", "pk")
        .values_list("path_id", "path__title", "module_id")
    )
    modules: dict[tuple[int, str], list[int]] = {}
    for path_id, title, module_id in rows:
        modules.setdefault((path_id, title), []).append(module_id)
    done = set(
        Completion.objects.filter(person=person, revoked_at__isnull=True).values_list(
            "enrolment__edition__module_id", flat=True
        )
    )
    return [
        PathStanding(path_id, title, path_rules.progress(ids, done))
        for (path_id, title), ids in modules.items()
    ]
