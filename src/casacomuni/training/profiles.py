"""A person's training profile: the competences gained (the highest level each completed module built, the
certificate not revoked), the hours of each year and every course, on the platform and elsewhere.

Reads only; a fixed number of queries per person whatever the history.
"""

from dataclasses import dataclass, field

from casacomuni.training.models import Completion, ExternalHours, Level, ModuleCompetence, YearHours

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
