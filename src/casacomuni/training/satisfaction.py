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
