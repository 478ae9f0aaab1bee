"""Validation of a Comune's answers against a questionnaire's question definitions, field by field.

Pure and dependency-free. ``validate_answers(questions, raw)`` takes the raw values as a form or a JSON
body gives them (strings, numbers, booleans, lists) keyed by question code and returns the cleaned values
(JSON-ready: bool, str, list of str, int, decimal as a string, ISO date, or None) and, per question code,
the messages of what is wrong. Rules:

- a question with ``visible_if = {"question": code, "equals": value}`` is shown only when that question is
  itself shown and its cleaned answer equals ``value`` (for a multiple choice: contains it); a hidden
  question's answer is dropped and never checked;
- a required question must be answered only when it is shown (and not when saving a draft);
- each kind checks its type: yes/no, one of the choices, a list of distinct choices, an integer, a
  decimal with at most ``decimal_places`` places, an ISO date (YYYY-MM-DD), a text of at most 5,000
  characters, a file (present or not: its content is checked by the service);
- numbers must lie within ``min_value``..``max_value`` when given;
- codes that are no question of the questionnaire are refused.

``check_definitions(questions)`` checks a questionnaire's definitions themselves (for the builder).

Messages are English source strings marked with ``gettext_noop`` and carry their parameters separately:
the caller translates them (``_(m.message) % m.params``).
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from casacomuni.lib.i18n import gettext_noop

YES_NO = "yes_no"
SINGLE_CHOICE = "single_choice"
MULTIPLE_CHOICE = "multiple_choice"
INTEGER = "integer"
DECIMAL = "decimal"
DATE = "date"
TEXT = "text"
FILE = "file"
KINDS = (YES_NO, SINGLE_CHOICE, MULTIPLE_CHOICE, INTEGER, DECIMAL, DATE, TEXT, FILE)
CHOICE_KINDS = (SINGLE_CHOICE, MULTIPLE_CHOICE)
NUMBER_KINDS = (INTEGER, DECIMAL)

MAX_TEXT = 5000
MAX_DECIMAL_PLACES = 4
# What the database columns hold (14 digits, 4 decimals) and what a JSON number holds exactly.
MAX_ABS_NUMBER = Decimal("9999999999")
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

TRUE_WORDS = frozenset({"yes", "true", "1", "si", "sì", "on"})
FALSE_WORDS = frozenset({"no", "false", "0", "off"})

# Sentinel of an answer that did not pass its checks: visibility treats it as no answer.
INVALID = object()


@dataclass(frozen=True)
class QuestionDef:
    code: str
    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    decimal_places: int = 2
    visible_if: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Message:
    message: str
    params: dict = field(default_factory=dict)

    def render(self, translate=lambda s: s) -> str:
        text = translate(self.message)
        return text % self.params if self.params else text


@dataclass
class Result:
    cleaned: dict
    errors: dict  # code -> list[Message]
    visible: set

    @property
    def is_valid(self) -> bool:
        return not self.errors


def is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == [] or value == ()


class Invalid(Exception):
    def __init__(self, message: str, **params):
        super().__init__(message)
        self.msg = Message(message, params)


def clean_value(question: QuestionDef, value):
    """The value in its stored form, or ``None`` when empty. Raises ``Invalid``."""
    if is_empty(value):
        return None
    kind = question.kind
    if kind == YES_NO:
        return clean_bool(value)
    if kind == SINGLE_CHOICE:
        if isinstance(value, list | tuple):
            if len(value) != 1:
                raise Invalid(gettext_noop("Choose one option."))
            value = value[0]
        code = str(value).strip()
        if code not in question.choices:
            raise Invalid(gettext_noop("“%(value)s” is not one of the options."), value=short(code))
        return code
    if kind == MULTIPLE_CHOICE:
        items = list(value) if isinstance(value, list | tuple) else [value]
        codes = [str(item).strip() for item in items if not is_empty(item)]
        for code in codes:
            if code not in question.choices:
                raise Invalid(gettext_noop("“%(value)s” is not one of the options."), value=short(code))
        if len(set(codes)) != len(codes):
            raise Invalid(gettext_noop("Choose each option at most once."))
        # Kept in the order of the options, so that equal answers are equal values.
        return [code for code in question.choices if code in codes] or None
    if kind == INTEGER:
        number = clean_number(value)
        if number != number.to_integral_value():
            raise Invalid(gettext_noop("Enter a whole number."))
        check_range(question, number)
        return int(number)
    if kind == DECIMAL:
        number = clean_number(value)
        places = min(question.decimal_places, MAX_DECIMAL_PLACES)
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            if places == 0:
                raise Invalid(gettext_noop("Enter a whole number."))
            raise Invalid(
                gettext_noop("Enter a number with at most %(places)s decimal places."), places=places
            )
        check_range(question, number)
        return format(number, "f")
    if kind == DATE:
        if isinstance(value, date):
            return value.isoformat()
        text = str(value).strip()
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise Invalid(gettext_noop("Enter a date as YYYY-MM-DD.")) from None
    if kind == TEXT:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise Invalid(gettext_noop("Enter a text."))
        text = str(value).strip()
        if len(text) > MAX_TEXT:
            raise Invalid(gettext_noop("Enter at most %(max)s characters."), max=MAX_TEXT)
        return text
    if kind == FILE:
        # The service passes the file's name (a new upload or the one already stored).
        return str(value)[:255]
    raise Invalid(gettext_noop("Unknown kind of question “%(kind)s”."), kind=short(str(kind)))


def clean_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise Invalid(gettext_noop("Answer yes or no."))


def clean_number(value) -> Decimal:
    if isinstance(value, bool | list | tuple | dict):
        raise Invalid(gettext_noop("Enter a number."))
    text = str(value).strip().replace(" ", "")
    # Italian decimal comma, as people type it ("12,5"); a thousands separator is refused (ambiguous).
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise Invalid(gettext_noop("Enter a number.")) from None
    if not number.is_finite() or abs(number) > MAX_ABS_NUMBER:
        raise Invalid(gettext_noop("Enter a number."))
    return number


def check_range(question: QuestionDef, number: Decimal) -> None:
    low, high = question.min_value, question.max_value
    if low is not None and high is not None and not low <= number <= high:
        raise Invalid(
            gettext_noop("Enter a number between %(min)s and %(max)s."), min=plain(low), max=plain(high)
        )
    if low is not None and number < low:
        raise Invalid(gettext_noop("Enter a number of at least %(min)s."), min=plain(low))
    if high is not None and number > high:
        raise Invalid(gettext_noop("Enter a number of at most %(max)s."), max=plain(high))


def plain(number: Decimal) -> str:
    """A bound as people write it: 100 and 2.5, not 100.0000 or 1E+2."""
    return format(Decimal(number).normalize(), "f")


def short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def matches(question: QuestionDef, cleaned, expected) -> bool:
    """Whether a question's cleaned answer equals the value a condition expects."""
    if cleaned is None or cleaned is INVALID:
        return False
    try:
        wanted = clean_value(question, expected) if question.kind != MULTIPLE_CHOICE else str(expected)
    except Invalid:
        return False
    if question.kind == MULTIPLE_CHOICE:
        return wanted in cleaned
    return cleaned == wanted


def visible_codes(questions, cleaned: dict) -> set:
    """The codes of the questions shown given the answers: a condition on a hidden question hides too."""
    by_code = {q.code: q for q in questions}
    memo: dict[str, bool] = {}

    def shown(code: str, seen: frozenset) -> bool:
        if code in memo:
            return memo[code]
        condition = by_code[code].visible_if or {}
        target = condition.get("question")
        if not target:
            result = True
        elif target not in by_code or target in seen:
            result = False
        else:
            result = shown(target, seen | {code}) and matches(
                by_code[target], cleaned.get(target), condition.get("equals")
            )
        memo[code] = result
        return result

    return {q.code for q in questions if shown(q.code, frozenset())}


def validate_answers(questions, raw: dict, *, draft: bool = False) -> Result:
    """Check ``raw`` (code -> value) against ``questions``; ``draft`` skips the required checks."""
    questions = list(questions)
    by_code = {q.code: q for q in questions}
    errors: dict[str, list[Message]] = {}
    cleaned: dict = {}
    for code in raw:
        if code not in by_code:
            errors.setdefault(str(code), []).append(
                Message(gettext_noop("There is no question with this code."))
            )
    for question in questions:
        try:
            cleaned[question.code] = clean_value(question, raw.get(question.code))
        except Invalid as problem:
            cleaned[question.code] = INVALID
            errors.setdefault(question.code, []).append(problem.msg)
    visible = visible_codes(questions, cleaned)
    for question in questions:
        if question.code not in visible:
            cleaned[question.code] = None
            errors.pop(question.code, None)
        elif question.required and not draft and cleaned[question.code] is None:
            errors.setdefault(question.code, []).append(Message(gettext_noop("This answer is required.")))
    for code, value in cleaned.items():
        if value is INVALID:
            cleaned[code] = None
    return Result(cleaned=cleaned, errors=errors, visible=visible)


def possible_answer(question: QuestionDef, value) -> bool:
    """Whether ``value`` is an answer ``question`` could receive (for a multiple choice: one option)."""
    if is_empty(value):
        return False
    if question.kind == MULTIPLE_CHOICE:
        return str(value) in question.choices
    try:
        return clean_value(question, value) is not None
    except Invalid:
        return False


def check_definitions(questions) -> dict:
    """Problems of a questionnaire's definitions: code -> list[Message] (empty when sound)."""
    questions = list(questions)
    errors: dict[str, list[Message]] = {}

    def add(key, message, **params):
        errors.setdefault(key, []).append(Message(message, params))

    seen: set[str] = set()
    by_code = {q.code: q for q in questions}
    for q in questions:
        if not CODE_PATTERN.match(q.code or ""):
            add(
                q.code,
                gettext_noop(
                    "The code must start with a lower-case letter and hold only lower-case letters, digits "
                    "and underscores (at most 40)."
                ),
            )
        if q.code in seen:
            add(q.code, gettext_noop("Another question already has the code “%(code)s”."), code=q.code)
        seen.add(q.code)
        if q.kind not in KINDS:
            add(q.code, gettext_noop("Unknown kind of question “%(kind)s”."), kind=short(str(q.kind)))
        if q.kind in CHOICE_KINDS:
            if len(q.choices) < 2:
                add(q.code, gettext_noop("A choice question needs at least two options."))
            if len(set(q.choices)) != len(q.choices):
                add(q.code, gettext_noop("Two options have the same code."))
            if any(not str(c).strip() for c in q.choices):
                add(q.code, gettext_noop("Every option needs a code."))
        elif q.choices:
            add(q.code, gettext_noop("Only choice questions have options."))
        if q.kind in NUMBER_KINDS:
            if q.min_value is not None and q.max_value is not None and q.min_value > q.max_value:
                add(q.code, gettext_noop("The minimum is greater than the maximum."))
        elif q.min_value is not None or q.max_value is not None:
            add(q.code, gettext_noop("Only number questions have a minimum or a maximum."))
        if q.kind == DECIMAL and not 0 <= q.decimal_places <= MAX_DECIMAL_PLACES:
            add(q.code, gettext_noop("Decimal places must be between 0 and %(max)s."), max=MAX_DECIMAL_PLACES)
        condition = q.visible_if or {}
        if condition:
            target = condition.get("question")
            if target == q.code:
                add(q.code, gettext_noop("A question cannot depend on itself."))
            elif target not in by_code:
                add(q.code, gettext_noop("The condition refers to no question of this questionnaire."))
            else:
                if not possible_answer(by_code[target], condition.get("equals")):
                    add(
                        q.code,
                        gettext_noop("The condition's value is not a possible answer of “%(code)s”."),
                        code=target,
                    )
    # A loop of conditions would hide every question in it.
    for q in questions:
        path, code = [], q.code
        while code in by_code and (by_code[code].visible_if or {}).get("question"):
            if code in path:
                add(q.code, gettext_noop("The conditions form a loop."))
                break
            path.append(code)
            code = by_code[code].visible_if["question"]
    return errors
