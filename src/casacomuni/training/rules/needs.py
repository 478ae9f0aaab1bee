"""From a Comune's answers to the "Fabbisogni formativi" questionnaire (insights template
``fabbisogni_formativi``) to its training needs: one per area asked, at the level asked, for the people it
wants to train; and their ranking for the plan.

The questionnaire's areas are finer than the training areas (the platform's three services, digital skills,
other): privacy and security are digital skills in the national Syllabus (its area 3, "Sicurezza"); accounting,
transparency and planning have no service of their own here and go to "other". The questionnaire asks how many
people to train overall, not per area: each area's need counts them all, which is how many may need it.
"""

from dataclasses import dataclass

# The questionnaire's area codes -> the training areas (training.models.Area).
AREA_OF_ANSWER = {
    "procurement": "procurement",
    "eu_funds": "eu_funds",
    "digital": "digital",
    "privacy": "digital",
    "security": "digital",
    "accounting": "other",
    "transparency": "other",
    "planning": "other",
    "other": "other",
}
LEVELS = ("base", "intermediate", "advanced")


@dataclass(frozen=True)
class DerivedNeed:
    area: str
    level: str
    people: int


def needs_from_answers(areas: list[str] | None, level: str | None, people: int | None) -> list[DerivedNeed]:
    """The needs one response expresses; none without areas, a level or people to train."""
    if not areas or level not in LEVELS or not people or people <= 0:
        return []
    training_areas = sorted({AREA_OF_ANSWER[code] for code in areas if code in AREA_OF_ANSWER})
    return [DerivedNeed(area, level, people) for area in training_areas]


def ranked(totals: dict[tuple[str, str], tuple[int, int]]) -> list[tuple[str, str, int, int]]:
    """(area, level) -> (people, organisations) as a ranking: most people first, then most organisations
    asking, then the area and level for a stable order."""
    rows = [(area, level, people, bodies) for (area, level), (people, bodies) in totals.items()]
    return sorted(rows, key=lambda row: (-row[2], -row[3], row[0], LEVELS.index(row[1])))
