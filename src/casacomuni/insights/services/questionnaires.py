"""Write operations on questionnaires: the built-in templates, the Province's own questionnaires, their
sections and questions (the builder)."""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.accounts.actor import Actor
from casacomuni.audit.services import record_event
from casacomuni.insights import templates_data
from casacomuni.insights.models import Question, QuestionKind, Questionnaire, Section
from casacomuni.insights.rules import answers as answer_rules
from casacomuni.insights.services._common import clean_title, require_data_officer, state_error


def require_editable_questionnaire(questionnaire: Questionnaire) -> None:
    if questionnaire.is_builtin:
        raise state_error(_("A built-in template cannot be changed: copy it first."))
    if questionnaire.is_locked:
        raise state_error(
            _("This questionnaire was already sent to the Comuni: copy it into a new version to change it.")
        )


def _touch(questionnaire: Questionnaire) -> None:
    questionnaire.updated_at = timezone.now()
    questionnaire.save(update_fields=["updated_at"])


# --- Built-in templates -------------------------------------------------------------------------------------


def builtin_template(code: str) -> Questionnaire:
    """The built-in questionnaire of a template code at its current version, stored on first use."""
    if code not in templates_data.TEMPLATES:
        raise ValidationError({"template_code": _("There is no built-in template with this code.")})
    spec = templates_data.TEMPLATES[code]
    existing = Questionnaire.objects.filter(
        province__isnull=True, template_code=code, version=spec["version"]
    )
    found = existing.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            questionnaire = Questionnaire.objects.create(
                title=spec["title"],
                description=spec["description"],
                template_code=code,
                version=spec["version"],
            )
            _load_sections(questionnaire, spec["sections"])
            record_event(
                Actor.system("insights.templates"),
                "insights_questionnaire.install_template",
                questionnaire,
                {"template_code": [None, code], "version": [None, spec["version"]]},
            )
    except IntegrityError:  # installed meanwhile by a concurrent request
        return existing.get()
    return questionnaire


def builtin_templates() -> list[Questionnaire]:
    return [builtin_template(code) for code in templates_data.TEMPLATES]


def _load_sections(questionnaire: Questionnaire, sections: list[dict]) -> None:
    for s_order, section_spec in enumerate(sections, start=1):
        section = Section.objects.create(
            questionnaire=questionnaire, order=s_order, title=section_spec["title"]
        )
        Question.objects.bulk_create(
            Question(questionnaire=questionnaire, section=section, order=q_order, **question_spec)
            for q_order, question_spec in enumerate(section_spec["questions"], start=1)
        )


# --- Questionnaires, sections and questions -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class QuestionnaireData:
    """A questionnaire's title and description."""

    title: str
    description: str = ""


def create_questionnaire(actor: Actor, data: QuestionnaireData) -> Questionnaire:
    province = require_data_officer(actor)
    errors: dict[str, str] = {}
    title = clean_title(data.title, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        questionnaire = Questionnaire.objects.create(
            title=title,
            description=str(data.description or "").strip(),
            province=province,
            created_by=actor.user,
        )
        record_event(actor, "insights_questionnaire.create", questionnaire, {"title": [None, title]})
    return questionnaire


def update_questionnaire(
    actor: Actor, questionnaire: Questionnaire, data: QuestionnaireData
) -> Questionnaire:
    require_data_officer(actor, questionnaire.province)
    require_editable_questionnaire(questionnaire)
    errors: dict[str, str] = {}
    title = clean_title(data.title, errors)
    if errors:
        raise ValidationError(errors)
    description = str(data.description or "").strip()
    with transaction.atomic():
        changes = {
            name: [getattr(questionnaire, name), value]
            for name, value in (("title", title), ("description", description))
            if getattr(questionnaire, name) != value
        }
        questionnaire.title, questionnaire.description = title, description
        questionnaire.updated_at = timezone.now()
        questionnaire.save()
        record_event(actor, "insights_questionnaire.update", questionnaire, changes)
    return questionnaire


def copy_questionnaire(actor: Actor, source: Questionnaire) -> Questionnaire:
    """An editable copy for the actor's Province: of a built-in template (it keeps its template code, so the
    index is still computed on the questions it keeps), or of one of its own questionnaires as the next
    version."""
    province = require_data_officer(actor)
    if source.province_id not in (None, province.pk):
        raise PermissionDenied(_("This belongs to another Province."))
    version = source.version if source.is_builtin else source.version + 1
    with transaction.atomic():
        copy = Questionnaire.objects.create(
            title=source.title,
            description=source.description,
            template_code=source.template_code,
            version=version,
            province=province,
            based_on=source,
            created_by=actor.user,
        )
        for section in source.sections.prefetch_related("questions"):
            new_section = Section.objects.create(questionnaire=copy, order=section.order, title=section.title)
            Question.objects.bulk_create(
                Question(
                    questionnaire=copy,
                    section=new_section,
                    order=question.order,
                    code=question.code,
                    text=question.text,
                    help=question.help,
                    kind=question.kind,
                    unit=question.unit,
                    required=question.required,
                    choices=question.choices,
                    min_value=question.min_value,
                    max_value=question.max_value,
                    decimal_places=question.decimal_places,
                    visible_if=question.visible_if,
                )
                for question in section.questions.all()
            )
        record_event(actor, "insights_questionnaire.copy", copy, {"based_on": [None, source.pk]})
    return copy


@dataclass(frozen=True, kw_only=True)
class SectionData:
    """A section's title and place (None: after the others; kept when the section is changed)."""

    title: str
    order: int | str | None = None


def save_section(
    actor: Actor, questionnaire: Questionnaire, data: SectionData, section: Section | None = None
) -> Section:
    require_data_officer(actor, questionnaire.province)
    require_editable_questionnaire(questionnaire)
    errors: dict[str, str] = {}
    title = clean_title(data.title, errors)
    order = _clean_order(data.order, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if section is None:
            if order is None:
                order = (
                    questionnaire.sections.order_by("-order").values_list("order", flat=True).first() or 0
                ) + 1
            section = Section.objects.create(questionnaire=questionnaire, title=title, order=order)
            action = "insights_section.create"
        else:
            section.title = title
            if order is not None:
                section.order = order
            section.save()
            action = "insights_section.update"
        _touch(questionnaire)
        record_event(actor, action, section, {"title": [None, title]})
    return section


def delete_section(actor: Actor, section: Section) -> None:
    questionnaire = section.questionnaire
    require_data_officer(actor, questionnaire.province)
    require_editable_questionnaire(questionnaire)
    remaining = [q.definition() for q in questionnaire.questions.exclude(section=section)]
    gone = set(section.questions.values_list("code", flat=True))
    dependants = [q.code for q in remaining if (q.visible_if or {}).get("question") in gone]
    if dependants:
        raise ValidationError(
            _("Other questions depend on this section's questions: %(codes)s.")
            % {"codes": ", ".join(dependants)}
        )
    with transaction.atomic():
        record_event(actor, "insights_section.delete", section, {"title": [section.title, None]})
        section.delete()
        _touch(questionnaire)


def _clean_order(value, errors: dict) -> int | None:
    if value in (None, ""):
        return None
    try:
        order = int(value)
    except (TypeError, ValueError):
        errors["order"] = _("Enter a whole number.")
        return None
    if not 0 <= order <= 10000:
        errors["order"] = _("Enter a number between 0 and 10000.")
        return None
    return order


@dataclass(frozen=True, kw_only=True)
class QuestionData:
    """A question as the builder gives it: a save sets every field. ``choices``: a list of {code, label}
    or lines "code = label"; ``min_value`` and ``max_value``: numbers, or their text; ``decimal_places``: 2
    when not given; ``visible_if``: {"question": code, "equals": value} or empty; ``order``: None puts a
    new question last and keeps a changed one's place."""

    code: str
    text: str
    kind: str
    help: str = ""
    unit: str = ""
    required: bool = False
    choices: str | Sequence = ""
    min_value: Decimal | int | str | None = None
    max_value: Decimal | int | str | None = None
    decimal_places: int | str | None = None
    visible_if: dict | None = None
    order: int | str | None = None


def _parse_choices(value) -> list[dict]:
    """Options as a list of {code, label}: given so, or as lines "code = label" (or just "label")."""
    if isinstance(value, list):
        return [
            {"code": str(item.get("code", "")).strip(), "label": str(item.get("label", "")).strip()}
            if isinstance(item, dict)
            else {"code": slug(str(item)), "label": str(item).strip()}
            for item in value
        ]
    choices = []
    for line in str(value or "").splitlines():
        if not line.strip():
            continue
        code, sep, label = line.partition("=")
        if sep:
            choices.append({"code": code.strip(), "label": label.strip() or code.strip()})
        else:
            choices.append({"code": slug(line), "label": line.strip()})
    return choices


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "_".join("".join(c if c.isalnum() else " " for c in plain).split())[:40]


def _clean_question_data(
    questionnaire: Questionnaire, given: QuestionData, question: Question | None
) -> dict:
    """The question's fields checked, alone and with the rest of the questionnaire (codes, conditions)."""
    data = vars(given)
    errors: dict = {}
    cleaned: dict = {}
    cleaned["code"] = str(data.get("code") or "").strip()
    cleaned["text"] = clean_title(data.get("text"), errors, "text", 500)
    cleaned["help"] = str(data.get("help") or "").strip()
    cleaned["unit"] = str(data.get("unit") or "").strip()[:30]
    cleaned["kind"] = str(data.get("kind") or "").strip()
    if cleaned["kind"] not in QuestionKind.values:
        errors["kind"] = _("Choose one of: %(expected)s.") % {"expected": ", ".join(QuestionKind.values)}
    cleaned["required"] = bool(data.get("required"))
    cleaned["choices"] = _parse_choices(data.get("choices"))
    for name in ("min_value", "max_value"):
        value = data.get(name)
        if value in (None, ""):
            cleaned[name] = None
            continue
        try:
            cleaned[name] = answer_rules.clean_number(value)
        except answer_rules.Invalid as problem:
            errors[name] = problem.msg.render(_)
            cleaned[name] = None
    places = given.decimal_places
    try:
        cleaned["decimal_places"] = int(places) if places is not None and places != "" else 2
    except (TypeError, ValueError):
        errors["decimal_places"] = _("Enter a whole number.")
        cleaned["decimal_places"] = 2
    condition = data.get("visible_if") or {}
    if not isinstance(condition, dict):
        errors["visible_if"] = _("The condition must name a question and a value.")
        condition = {}
    condition = {k: v for k, v in condition.items() if k in ("question", "equals")}
    if condition and not condition.get("question"):
        condition = {}
    cleaned["visible_if"] = condition
    cleaned["order"] = _clean_order(data.get("order"), errors)
    if errors:
        raise ValidationError(errors)
    definition = answer_rules.QuestionDef(
        code=cleaned["code"],
        kind=cleaned["kind"],
        required=cleaned["required"],
        choices=tuple(c["code"] for c in cleaned["choices"]),
        min_value=cleaned["min_value"],
        max_value=cleaned["max_value"],
        decimal_places=cleaned["decimal_places"],
        visible_if=condition,
    )
    others = [
        q.definition() for q in questionnaire.questions.all() if question is None or q.pk != question.pk
    ]
    problems = answer_rules.check_definitions([*others, definition])
    mine = problems.get(cleaned["code"], [])
    if any(not c["label"] for c in cleaned["choices"]):
        errors["choices"] = _("Every option needs a label.")
    for message in mine:
        text = message.render(_)
        field = _field_of(message.message)
        errors.setdefault(field, text)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _field_of(message: str) -> str:
    """Which form field a definition problem belongs to, for the builder's form."""
    lowered = message.lower()
    if "condition" in lowered or "depend" in lowered or "loop" in lowered:
        return "visible_if"
    if "option" in lowered:
        return "choices"
    if "code" in lowered:
        return "code"
    if "minimum" in lowered or "maximum" in lowered:
        return "min_value"
    if "decimal" in lowered:
        return "decimal_places"
    return "kind"


def save_question(
    actor: Actor, section: Section, data: QuestionData, question: Question | None = None
) -> Question:
    questionnaire = section.questionnaire
    require_data_officer(actor, questionnaire.province)
    require_editable_questionnaire(questionnaire)
    cleaned = _clean_question_data(questionnaire, data, question)
    order = cleaned.pop("order")
    with transaction.atomic():
        if question is None:
            if order is None:
                order = (
                    section.questions.order_by("-order").values_list("order", flat=True).first() or 0
                ) + 1
            question = Question.objects.create(
                questionnaire=questionnaire, section=section, order=order, **cleaned
            )
            changes = {"code": [None, question.code]}
            action = "insights_question.create"
        else:
            if question.code != cleaned["code"]:
                dependants = questionnaire.questions.filter(visible_if__question=question.code).exclude(
                    pk=question.pk
                )
                if dependants.exists():
                    raise ValidationError(
                        {"code": _("Other questions depend on this code: change their conditions first.")}
                    )
            changes = {
                name: [getattr(question, name), value]
                for name, value in cleaned.items()
                if getattr(question, name) != value
            }
            for name, value in cleaned.items():
                setattr(question, name, value)
            question.section = section
            if order is not None:
                question.order = order
            question.save()
            action = "insights_question.update"
        _touch(questionnaire)
        record_event(actor, action, question, changes)
    return question


_MOVES = {"up": -1, "down": 1}


def move_question(actor: Actor, question: Question, direction: str) -> Question:
    """Swap the question with its neighbour above (``"up"``) or below (``"down"``) in its section.

    The section's questions are numbered 1..n again, so that equal orders (the default 0 of imported rows)
    cannot make a swap change nothing."""
    questionnaire = question.questionnaire
    require_data_officer(actor, questionnaire.province)
    require_editable_questionnaire(questionnaire)
    if direction not in _MOVES:
        raise ValidationError({"direction": _("Move the question up or down.")})
    with transaction.atomic():
        siblings = list(question.section.questions.select_for_update().order_by("order", "pk"))
        index = next(i for i, sibling in enumerate(siblings) if sibling.pk == question.pk)
        target = index + _MOVES[direction]
        if not 0 <= target < len(siblings):
            raise ValidationError(
                _("The question is already the first of its section.")
                if direction == "up"
                else _("The question is already the last of its section.")
            )
        siblings[index], siblings[target] = siblings[target], siblings[index]
        moved = [sibling for position, sibling in enumerate(siblings, start=1) if sibling.order != position]
        for position, sibling in enumerate(siblings, start=1):
            sibling.order = position
        Question.objects.bulk_update(moved, ["order"])
        _touch(questionnaire)
        record_event(actor, "insights_question.move", question, {"order": [index + 1, target + 1]})
    question.order = target + 1
    return question


def delete_question(actor: Actor, question: Question) -> None:
    questionnaire = question.questionnaire
    require_data_officer(actor, questionnaire.province)
    require_editable_questionnaire(questionnaire)
    dependants = list(
        questionnaire.questions.filter(visible_if__question=question.code).values_list("code", flat=True)
    )
    if dependants:
        raise ValidationError(
            _("Other questions depend on this one: %(codes)s.") % {"codes": ", ".join(dependants)}
        )
    with transaction.atomic():
        record_event(actor, "insights_question.delete", question, {"code": [question.code, None]})
        question.delete()
        _touch(questionnaire)


# --- Questionnaires from a definition (the model library's questionnaire templates) ---------------------------

# The keys of a question in a definition, with their defaults: the format of ``templates_data.q``.
QUESTION_DEFAULTS: dict = {
    "help": "",
    "unit": "",
    "required": False,
    "choices": [],
    "min_value": None,
    "max_value": None,
    "decimal_places": 2,
    "visible_if": {},
}


def normalised_sections(sections) -> tuple[list[dict], list[str]]:
    """A definition (sections with their questions, as in ``templates_data``) checked and completed with the
    defaults: (the sections, []) when sound, else ([], the problems in the user's language)."""
    shape = _("Each section needs a title and a list of questions; each question a code, a text and a kind.")
    if not isinstance(sections, list) or not sections:
        return [], [shape]
    normalised, definitions = [], []
    for section in sections:
        if not isinstance(section, dict) or not str(section.get("title") or "").strip():
            return [], [shape]
        questions = section.get("questions")
        if not isinstance(questions, list) or not questions:
            return [], [shape]
        completed = []
        for question in questions:
            if not isinstance(question, dict) or set(question) - {"code", "text", "kind", *QUESTION_DEFAULTS}:
                return [], [shape]
            if not str(question.get("text") or "").strip() or len(str(question["text"])) > 500:
                return [], [shape]
            spec = QUESTION_DEFAULTS | question
            try:
                spec["choices"] = _parse_choices(spec["choices"])
                for bound in ("min_value", "max_value"):
                    if spec[bound] is not None:
                        spec[bound] = answer_rules.clean_number(spec[bound])
                spec["decimal_places"] = int(spec["decimal_places"])
            except (answer_rules.Invalid, TypeError, ValueError, AttributeError):
                return [], [shape]
            if not isinstance(spec["visible_if"], dict):
                return [], [shape]
            completed.append(spec)
            definitions.append(
                answer_rules.QuestionDef(
                    code=str(spec["code"]),
                    kind=str(spec["kind"]),
                    required=bool(spec["required"]),
                    choices=tuple(c["code"] for c in spec["choices"]),
                    min_value=spec["min_value"],
                    max_value=spec["max_value"],
                    decimal_places=spec["decimal_places"],
                    visible_if=spec["visible_if"],
                )
            )
        normalised.append({"title": str(section["title"]).strip()[:200], "questions": completed})
    problems = answer_rules.check_definitions(definitions)
    messages = [f"{code}: {message.render(_)}" for code, found in problems.items() for message in found]
    return ([], messages) if messages else (normalised, [])


def create_questionnaire_from_sections(
    actor: Actor, data: QuestionnaireData, sections: list[dict]
) -> Questionnaire:
    """A questionnaire of the actor's Province with the sections of a definition (a questionnaire template of
    the model library), editable like any questionnaire of its own.

    Raises:
        PermissionDenied: the actor is not the Province's administrator or data officer.
        ValidationError: the title is missing or the definition is not sound; nothing is written.
    """
    province = require_data_officer(actor)
    errors: dict[str, str] = {}
    title = clean_title(data.title, errors)
    normalised, problems = normalised_sections(sections)
    if problems:
        errors["sections"] = " ".join(problems)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        questionnaire = Questionnaire.objects.create(
            title=title,
            description=str(data.description or "").strip(),
            province=province,
            created_by=actor.user,
        )
        _load_sections(questionnaire, normalised)
        record_event(
            actor,
            "insights_questionnaire.create_from_definition",
            questionnaire,
            {"title": [None, title], "sections": [None, len(normalised)]},
        )
    return questionnaire
