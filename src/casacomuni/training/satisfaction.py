"""The course satisfaction questionnaire (issue 11, item 5), written and checked with the campaigns'
questionnaire engine: the questions are defined as the built-in templates of ``insights.templates_data`` are
(``q``), rendered by ``insights.forms.ResponseForm`` and validated by ``insights.rules.answers``.

The answers themselves are not stored as ``insights.Response``s: a response there is a Comune's, one per
campaign, read by the Province's data office; here each participant (of a Province, a Comune or a Unione)
answers for itself, once per completion, and the training office reads the results. So each edition has a
``SatisfactionSurvey`` (opened when the edition is completed, pinned to the questions' ``VERSION``) and each
participant one ``SatisfactionResponse``.

Titles and texts are Italian on purpose, like the built-in templates': they are content. A change of
questions needs a new ``VERSION`` (past editions keep theirs).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, QuerySet

from casacomuni.insights.models import Question
from casacomuni.insights.rules import answers as answer_rules
from casacomuni.insights.templates_data import q

VERSION = 1
RATINGS = ("overall", "contents", "teachers", "organisation", "usefulness")
COMMENT = "comment"
SCALE = (
    ("1", "1 – per nulla soddisfatto"),
    ("2", "2 – poco soddisfatto"),
    ("3", "3 – abbastanza soddisfatto"),
    ("4", "4 – soddisfatto"),
    ("5", "5 – molto soddisfatto"),
)


def rating(code: str, text: str) -> dict:
    return q(code, text, answer_rules.SINGLE_CHOICE, required=True, choices=SCALE)


SECTIONS = {
    VERSION: [
        {
            "title": "Il corso",
            "questions": [
                rating("overall", "Nel complesso, quanto è soddisfatto del corso?"),
                rating("contents", "I contenuti"),
                rating("teachers", "I docenti"),
                rating("organisation", "L'organizzazione (sedi, orari, materiali, collegamenti)"),
                rating("usefulness", "L'utilità per il suo lavoro"),
            ],
        },
        {
            "title": "Commenti",
            "questions": [
                q(COMMENT, "Che cosa cambierebbe o aggiungerebbe?", answer_rules.TEXT),
            ],
        },
    ]
}


def sections(version: int = VERSION) -> list[tuple[str, list[Question]]]:
    """The questions of ``version`` by section, as (unsaved) questions of the engine."""
    return [
        (section["title"], [Question(order=n, **spec) for n, spec in enumerate(section["questions"], 1)])
        for section in SECTIONS[version]
    ]


def questions(version: int = VERSION) -> list[Question]:
    return [question for _title, items in sections(version) for question in items]


def validate(raw: dict, version: int = VERSION) -> answer_rules.Result:
    """The engine's validation: every rating required, from 1 to 5; the comment free (up to 5,000 chars)."""
    return answer_rules.validate_answers([question.definition() for question in questions(version)], raw)


@dataclass
class Results:
    count: int
    averages: list[tuple[Question, Decimal | None]]
    comments: list[str]


def two_places(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def results(answers: list[dict], version: int = VERSION) -> Results:
    """Per question the average rating of ``answers`` (each a response's answers), and the comments."""
    averages = []
    for question in questions(version):
        if question.code not in RATINGS:
            continue
        given = [int(a[question.code]) for a in answers if a.get(question.code) not in (None, "")]
        averages.append((question, two_places(sum(given) / len(given)) if given else None))
    comments = [a[COMMENT].strip() for a in answers if (a.get(COMMENT) or "").strip()]
    return Results(len(answers), averages, comments)


@dataclass(frozen=True)
class Satisfaction:
    average: Decimal | None  # the average overall rating, 1-5, two decimals; None without answers
    count: int  # how many participants answered


def satisfaction_by(editions: QuerySet, *, year: int | None = None, group: str | None = None):
    """The average overall rating (1 to 5) participants gave the ``editions`` and how many answered, in one
    query, for the dashboards.

    ``editions``: a queryset of ``Edition``; the caller scopes it (``Edition.objects.for_user(user)``, or
    ``Edition.objects.filter(module__province=...)`` for a Province, ``Edition.objects.all()`` nationally).
    ``year``: only the answers about completions of that calendar year (``Completion.completed_on``).
    ``group``: None returns one ``Satisfaction``; ``"province"`` a dict {Province organisation id:
    Satisfaction} (the Province that ran the edition); ``"organization"`` a dict {organisation id:
    Satisfaction} by the participant's own organisation (a Comune, a Unione or the Province itself).
    Groups without answers are absent from the dicts. Aggregates only: no person is named.
    """
    from casacomuni.training.models import SatisfactionResponse

    answers = SatisfactionResponse.objects.filter(survey__edition__in=editions)
    if year is not None:
        answers = answers.filter(enrolment__completion__completed_on__year=year)
    if group is None:
        totals = answers.aggregate(average=Avg("overall"), count=Count("pk"))
        return Satisfaction(two_places(totals["average"]), totals["count"])
    key = {"province": "survey__edition__module__province", "organization": "enrolment__person__organization"}
    if group not in key:
        raise ValueError(f"group must be None, 'province' or 'organization', not {group!r}")
    rows = answers.values(key[group]).annotate(average=Avg("overall"), count=Count("pk")).order_by()
    return {row[key[group]]: Satisfaction(two_places(row["average"]), row["count"]) for row in rows}
