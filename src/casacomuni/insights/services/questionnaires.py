"""Write operations of data collection: questionnaires, campaigns, responses, the digital services catalogue.

Every function takes the ``Actor``, checks its role and scope, runs in one transaction and records an audit
event. Bad input raises ``ValidationError`` (a message per field, or per question code for answers) and
writes nothing; a role that may not act raises ``PermissionDenied``. A refusal due to the state of an
object (a submitted response, a sent campaign) is a ``ValidationError`` with code ``"state"``: the API
turns it into a 409.
"""

import unicodedata
from datetime import date
from pathlib import PurePosixPath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import DATA_OFFICE_ROLES, LOCAL_ROLES, OrganizationKind
from casacomuni.audit.services import record_event
from casacomuni.insights import templates_data
from casacomuni.insights.models import (
    EDITABLE_STATES,
    AdoptionStatus,
    Answer,
    Campaign,
    CampaignState,
    CampaignTarget,
    DigitalService,
    Question,
    QuestionKind,
    Questionnaire,
    Response,
    ResponseState,
    Section,
    ServiceAdoption,
    ServiceCategory,
    TemplateCode,
)
from casacomuni.insights.rules import answers as answer_rules
from casacomuni.insights.rules.maturity import maturity_index
from casacomuni.lib import formats

MAX_FILE_BYTES = 10 * 1024 * 1024
FILE_EXTENSIONS = (".pdf", ".odt", ".ods", ".docx", ".xlsx", ".csv", ".png", ".jpg", ".jpeg", ".p7m")
MIN_YEAR, MAX_YEAR = 2000, 2100


def state_error(message: str) -> ValidationError:
    return ValidationError(message, code="state")


# --- Who may act ---------------------------------------------------------------------------------------------


def require_data_officer(actor: Actor, province: Organization | None = None) -> Organization:
    """The Province the actor acts for as administrator or data officer (``province`` when given)."""
    membership = actor.membership
    if (
        membership is None
        or membership.role not in DATA_OFFICE_ROLES
        or membership.organization.kind != OrganizationKind.PROVINCE
    ):
        raise PermissionDenied(_("Only the Province's administrators and data officers may do this."))
    if province is not None and membership.organization_id != province.pk:
        raise PermissionDenied(_("This belongs to another Province."))
    return membership.organization


def require_respondent(actor: Actor, campaign: Campaign) -> Organization:
    """The Comune the actor answers for; it must be one of the campaign's targets."""
    membership = actor.membership
    if (
        membership is None
        or membership.role not in LOCAL_ROLES
        or membership.organization.kind != OrganizationKind.MUNICIPALITY
    ):
        raise PermissionDenied(_("Only a Comune's referents and staff may answer."))
    comune = membership.organization
    if not campaign.targets.filter(organization=comune).exists():
        raise PermissionDenied(_("This campaign was not sent to your Comune."))
    return comune


def require_editable_questionnaire(questionnaire: Questionnaire) -> None:
    if questionnaire.is_builtin:
        raise state_error(_("A built-in template cannot be changed: copy it first."))
    if questionnaire.is_locked:
        raise state_error(
            _("This questionnaire was already sent to the Comuni: copy it into a new version to change it.")
        )


def touch(questionnaire: Questionnaire) -> None:
    questionnaire.updated_at = timezone.now()
    questionnaire.save(update_fields=["updated_at"])


# --- Built-in templates ------------------------------------------------------------------------------------


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
            load_sections(questionnaire, spec["sections"])
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


def load_sections(questionnaire: Questionnaire, sections: list[dict]) -> None:
    for s_order, section_spec in enumerate(sections, start=1):
        section = Section.objects.create(
            questionnaire=questionnaire, order=s_order, title=section_spec["title"]
        )
        Question.objects.bulk_create(
            Question(questionnaire=questionnaire, section=section, order=q_order, **question_spec)
            for q_order, question_spec in enumerate(section_spec["questions"], start=1)
        )


# --- Questionnaires ----------------------------------------------------------------------------------------


def clean_title(data: dict, errors: dict, name: str = "title", max_length: int = 200) -> str:
    value = str(data.get(name) or "").strip()
    if not value:
        errors[name] = _("This field is required.")
    elif len(value) > max_length:
        errors[name] = _("Enter at most %(max_length)s characters.") % {"max_length": max_length}
    return value


def create_questionnaire(actor: Actor, data: dict) -> Questionnaire:
    province = require_data_officer(actor)
    errors = {}
    title = clean_title(data, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        questionnaire = Questionnaire.objects.create(
            title=title,
            description=str(data.get("description") or "").strip(),
            province=province,
            created_by=actor.user,
        )
        record_event(actor, "insights_questionnaire.create", questionnaire, {"title": [None, title]})
    return questionnaire


def update_questionnaire(actor: Actor, questionnaire: Questionnaire, data: dict) -> Questionnaire:
    require_data_officer(actor, questionnaire.province)
    require_editable_questionnaire(questionnaire)
    errors = {}
    title = clean_title(data, errors)
    if errors:
        raise ValidationError(errors)
    description = str(data.get("description") or "").strip()
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


def save_section(
    actor: Actor, questionnaire: Questionnaire, data: dict, section: Section | None = None
) -> Section:
    require_data_officer(actor, questionnaire.province)
    require_editable_questionnaire(questionnaire)
    errors = {}
    title = clean_title(data, errors)
    order = clean_order(data, errors)
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
        touch(questionnaire)
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
        touch(questionnaire)


def clean_order(data: dict, errors: dict) -> int | None:
    value = data.get("order")
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


QUESTION_FIELDS = (
    "code",
    "text",
    "help",
    "kind",
    "unit",
    "required",
    "choices",
    "min_value",
    "max_value",
    "decimal_places",
    "visible_if",
    "order",
)


def parse_choices(value) -> list[dict]:
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


def clean_question_data(questionnaire: Questionnaire, data: dict, question: Question | None) -> dict:
    """The question's fields checked, alone and with the rest of the questionnaire (codes, conditions)."""
    errors: dict = {}
    cleaned: dict = {}
    cleaned["code"] = str(data.get("code") or "").strip()
    cleaned["text"] = clean_title(data, errors, "text", 500)
    cleaned["help"] = str(data.get("help") or "").strip()
    cleaned["unit"] = str(data.get("unit") or "").strip()[:30]
    cleaned["kind"] = str(data.get("kind") or "").strip()
    if cleaned["kind"] not in QuestionKind.values:
        errors["kind"] = _("Choose one of: %(expected)s.") % {"expected": ", ".join(QuestionKind.values)}
    cleaned["required"] = bool(data.get("required"))
    cleaned["choices"] = parse_choices(data.get("choices"))
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
    try:
        cleaned["decimal_places"] = int(
            data.get("decimal_places") if data.get("decimal_places") not in (None, "") else 2
        )
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
    cleaned["order"] = clean_order(data, errors)
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
        field = field_of(message.message)
        errors.setdefault(field, text)
    if errors:
        raise ValidationError(errors)
    return cleaned


def field_of(message: str) -> str:
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


def save_question(actor: Actor, section: Section, data: dict, question: Question | None = None) -> Question:
    questionnaire = section.questionnaire
    require_data_officer(actor, questionnaire.province)
    require_editable_questionnaire(questionnaire)
    cleaned = clean_question_data(questionnaire, data, question)
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
        touch(questionnaire)
        record_event(actor, action, question, changes)
    return question


MOVES = {"up": -1, "down": 1}


def move_question(actor: Actor, question: Question, direction: str) -> Question:
    """Swap the question with its neighbour above (``"up"``) or below (``"down"``) in its section.

    The section's questions are numbered 1..n again, so that equal orders (the default 0 of imported rows)
    cannot make a swap change nothing."""
    questionnaire = question.questionnaire
    require_data_officer(actor, questionnaire.province)
    require_editable_questionnaire(questionnaire)
    if direction not in MOVES:
        raise ValidationError({"direction": _("Move the question up or down.")})
    with transaction.atomic():
        siblings = list(question.section.questions.select_for_update().order_by("order", "pk"))
        index = next(i for i, sibling in enumerate(siblings) if sibling.pk == question.pk)
        target = index + MOVES[direction]
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
        touch(questionnaire)
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
        touch(questionnaire)


# --- Campaigns ---------------------------------------------------------------------------------------------


def province_comuni(province: Organization):
    """The Comuni (active organisations of kind municipality) of a Province's territory."""
    return Organization.objects.filter(
        kind=OrganizationKind.MUNICIPALITY, province_id=province.province_id, is_active=True
    )


def clean_campaign_data(province: Organization, data: dict) -> dict:
    """Title, year, dates, the questionnaire (its own or a built-in template) and the target Comuni."""
    errors, cleaned = {}, {}
    cleaned["title"] = clean_title(data, errors)
    questionnaire = data.get("questionnaire")
    if isinstance(questionnaire, int | str) and not isinstance(questionnaire, bool):
        questionnaire = (
            Questionnaire.objects.filter(pk=questionnaire).first() if str(questionnaire).isdigit() else None
        )
    if questionnaire is None or questionnaire.province_id not in (None, province.pk):
        errors["questionnaire"] = _("Choose a questionnaire of your Province or a built-in template.")
    elif not questionnaire.questions.exists():
        errors["questionnaire"] = _("The questionnaire has no question yet.")
    cleaned["questionnaire"] = questionnaire
    year = data.get("year")
    try:
        cleaned["year"] = int(year)
        if not MIN_YEAR <= cleaned["year"] <= MAX_YEAR:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = _("Enter a year between %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}
    cleaned["opens_on"] = as_date(data.get("opens_on"), errors, "opens_on") or timezone.localdate()
    cleaned["deadline"] = as_date(data.get("deadline"), errors, "deadline", required=True)
    if cleaned["deadline"] and cleaned["deadline"] < cleaned["opens_on"]:
        errors["deadline"] = _("The deadline cannot come before the opening date.")
    targets = data.get("targets")
    comuni = province_comuni(province)
    if targets == "all":
        chosen = list(comuni)
    else:
        ids, unknown = set(), False
        for target in targets or ():
            value = target.pk if isinstance(target, Organization) else target
            try:
                ids.add(int(value))
            except (TypeError, ValueError):
                unknown = True
        chosen = list(comuni.filter(pk__in=ids))
        if unknown or len(chosen) != len(ids):
            errors["targets"] = _("Choose Comuni of your Province only.")
    if not chosen and "targets" not in errors:
        errors["targets"] = _("Choose at least one Comune.")
    cleaned["targets"] = chosen
    if errors:
        raise ValidationError(errors)
    return cleaned


def as_date(value, errors: dict, name: str, required: bool = False) -> date | None:
    if value in (None, ""):
        if required:
            errors[name] = _("This field is required.")
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[name] = _("Enter a date as YYYY-MM-DD.")
        return None


def create_campaign(actor: Actor, data: dict) -> Campaign:
    """A draft campaign with its target Comuni (``targets``: Organizations or ids, or ``"all"``)."""
    province = require_data_officer(actor)
    cleaned = clean_campaign_data(province, data)
    targets = cleaned.pop("targets")
    with transaction.atomic():
        campaign = Campaign.objects.create(province=province, created_by=actor.user, **cleaned)
        CampaignTarget.objects.bulk_create(CampaignTarget(campaign=campaign, organization=c) for c in targets)
        record_event(
            actor,
            "insights_campaign.create",
            campaign,
            {
                "title": [None, campaign.title],
                "year": [None, campaign.year],
                "questionnaire": [None, campaign.questionnaire_id],
                "targets": [None, len(targets)],
            },
        )
    return campaign


def update_campaign(actor: Actor, campaign: Campaign, data: dict) -> Campaign:
    """Change a draft campaign: title, year, dates, questionnaire and targets."""
    province = require_data_officer(actor, campaign.province)
    if campaign.state != CampaignState.DRAFT:
        raise state_error(_("Only a draft campaign can be changed."))
    cleaned = clean_campaign_data(province, data)
    targets = cleaned.pop("targets")
    with transaction.atomic():
        changes = {k: [getattr(campaign, k), v] for k, v in cleaned.items() if getattr(campaign, k) != v}
        for name, value in cleaned.items():
            setattr(campaign, name, value)
        campaign.save()
        campaign.targets.exclude(organization__in=targets).delete()
        present = set(campaign.targets.values_list("organization_id", flat=True))
        CampaignTarget.objects.bulk_create(
            CampaignTarget(campaign=campaign, organization=c) for c in targets if c.pk not in present
        )
        changes["targets"] = [len(present), len(targets)]
        record_event(actor, "insights_campaign.update", campaign, changes)
    return campaign


def send_campaign(actor: Actor, campaign: Campaign, *, now=None) -> Campaign:
    """Open the campaign to its Comuni and e-mail their referents (after the commit). ``now``: the moment
    recorded (the demo's past editions)."""
    from casacomuni.insights.tasks import send_campaign_notice

    require_data_officer(actor, campaign.province)
    if campaign.state != CampaignState.DRAFT:
        raise state_error(_("This campaign was already sent."))
    if not campaign.targets.exists():
        raise ValidationError({"targets": _("Choose at least one Comune.")})
    with transaction.atomic():
        updated = Campaign.objects.filter(pk=campaign.pk, state=CampaignState.DRAFT).update(
            state=CampaignState.SENT, sent_at=now or timezone.now()
        )
        if not updated:
            raise state_error(_("This campaign was already sent."))
        campaign.refresh_from_db()
        record_event(
            actor,
            "insights_campaign.send",
            campaign,
            {"state": [CampaignState.DRAFT, CampaignState.SENT], "targets": [None, campaign.targets.count()]},
        )
        transaction.on_commit(lambda: send_campaign_notice.enqueue(campaign.pk))
    return campaign


def close_campaign(actor: Actor, campaign: Campaign, *, now=None) -> Campaign:
    require_data_officer(actor, campaign.province)
    if campaign.state != CampaignState.SENT:
        raise state_error(_("Only a sent campaign can be closed."))
    with transaction.atomic():
        updated = Campaign.objects.filter(pk=campaign.pk, state=CampaignState.SENT).update(
            state=CampaignState.CLOSED, closed_at=now or timezone.now()
        )
        if not updated:
            raise state_error(_("Only a sent campaign can be closed."))
        campaign.refresh_from_db()
        record_event(
            actor, "insights_campaign.close", campaign, {"state": [CampaignState.SENT, CampaignState.CLOSED]}
        )
    return campaign


# --- Responses ---------------------------------------------------------------------------------------------


def check_file(upload) -> str | None:
    """An error message, or None when the file may be stored."""
    name = upload.name or ""
    if PurePosixPath(name).suffix.lower() not in FILE_EXTENSIONS:
        return _("Accepted files: %(extensions)s.") % {"extensions": ", ".join(FILE_EXTENSIONS)}
    if upload.size > MAX_FILE_BYTES:
        return _("The file is larger than %(size)s MB.") % {"size": MAX_FILE_BYTES // (1024 * 1024)}
    if upload.size == 0:
        return _("The file is empty.")
    return None


def answer_errors(result: answer_rules.Result) -> dict:
    return {code: [m.render(_) for m in messages] for code, messages in result.errors.items()}


def compute_score(questionnaire: Questionnaire, cleaned: dict):
    if questionnaire.template_code == TemplateCode.MATURITY:
        result = maturity_index(cleaned)
        return result.score, {"areas": {k: str(v) for k, v in result.parts.items()}}
    return None, {}


def save_response(
    actor: Actor,
    campaign: Campaign,
    raw: dict,
    *,
    submit: bool,
    files: dict | None = None,
    clear_files: tuple = (),
    now=None,
) -> Response:
    """Save the Comune's answers (``raw``: question code -> value, the whole response) as a draft, or submit
    them. A submitted response cannot change until the Province reopens it; a draft is checked for types and
    ranges only, a submission also for the required answers. ``files``: question code -> uploaded file;
    ``now``: the moment recorded (the demo's past editions)."""
    now = now or timezone.now()
    comune = require_respondent(actor, campaign)
    if campaign.state != CampaignState.SENT:
        raise state_error(_("This campaign is not open for answers."))
    if campaign.opens_on > timezone.localtime(now).date():
        raise state_error(_("This campaign opens on %(date)s.") % {"date": formats.day(campaign.opens_on)})
    files = files or {}
    if not isinstance(raw, dict):
        raise ValidationError(_("The answers must be given by question code."))
    questions = list(campaign.questionnaire.questions.select_related("section"))
    by_code = {q.code: q for q in questions}
    with transaction.atomic():
        response, _created = Response.objects.select_for_update().get_or_create(
            campaign=campaign, organization=comune
        )
        if response.state not in EDITABLE_STATES:
            raise state_error(_("The response was already submitted: ask the Province to reopen it."))
        stored = {a.question.code: a for a in response.answers.select_related("question")}
        raw = dict(raw)
        file_errors = {}
        for code, question in by_code.items():
            if question.kind != QuestionKind.FILE:
                continue
            upload = files.get(code)
            if upload is not None:
                problem = check_file(upload)
                if problem:
                    file_errors[code] = [problem]
                raw[code] = upload.name
            elif code in clear_files:
                raw[code] = None
            else:
                # A file answer is the stored file, whatever value the caller sent for it.
                kept = stored.get(code)
                raw[code] = kept.original_name if kept and kept.file else None
        for code in files:
            if code not in by_code or by_code[code].kind != QuestionKind.FILE:
                file_errors[code] = [_("There is no file question with this code.")]
        result = answer_rules.validate_answers([q.definition() for q in questions], raw, draft=not submit)
        errors = answer_errors(result)
        for code, messages in file_errors.items():
            errors.setdefault(code, []).extend(messages)
        if errors:
            raise ValidationError(errors)
        previous_state = response.state
        for code, question in by_code.items():
            value = result.cleaned.get(code)
            answer = stored.get(code) or Answer(response=response, question=question)
            if question.kind == QuestionKind.FILE:
                if code in files and value is not None:
                    if answer.file:
                        answer.file.delete(save=False)
                    answer.file.save(files[code].name, files[code], save=False)
                    answer.original_name = PurePosixPath(files[code].name).name[:255]
                elif value is None and answer.file:
                    answer.file.delete(save=False)
                    answer.original_name = ""
                value = answer.original_name or None
            answer.value = value
            answer.save()
        response.updated_at = now
        if submit:
            response.state = ResponseState.SUBMITTED
            response.submitted_at = now
            response.submitted_by = actor.user
            response.score, response.score_parts = compute_score(campaign.questionnaire, result.cleaned)
        response.save()
        record_event(
            actor,
            "insights_response.submit" if submit else "insights_response.save_draft",
            response,
            {"state": [previous_state, response.state], "score": [None, response.score]}
            if submit
            else {"answers": [None, sum(1 for v in result.cleaned.values() if v is not None)]},
            organization=comune,
        )
    return response


def request_reopen(actor: Actor, response: Response, reason: str) -> Response:
    """The Comune asks the Province to reopen its submitted response, saying why."""
    comune = require_respondent(actor, response.campaign)
    if response.organization_id != comune.pk:
        raise PermissionDenied
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what you need to change.")})
    if response.campaign.state != CampaignState.SENT:
        raise state_error(_("This campaign is not open for answers."))
    with transaction.atomic():
        updated = Response.objects.filter(pk=response.pk, state=ResponseState.SUBMITTED).update(
            state=ResponseState.REOPEN_REQUESTED, reopen_reason=reason[:5000], updated_at=timezone.now()
        )
        if not updated:
            raise state_error(_("Only a submitted response can be reopened."))
        response.refresh_from_db()
        record_event(
            actor,
            "insights_response.request_reopen",
            response,
            {"state": [ResponseState.SUBMITTED, response.state], "reason": [None, reason]},
            organization=comune,
        )
    return response


def reopen_response(actor: Actor, response: Response, reason: str = "") -> Response:
    """The Province reopens a submitted response: the Comune may change it and must submit it again."""
    require_data_officer(actor, response.campaign.province)
    if response.campaign.state != CampaignState.SENT:
        raise state_error(_("This campaign is not open for answers."))
    with transaction.atomic():
        previous = response.state
        updated = Response.objects.filter(
            pk=response.pk, state__in=(ResponseState.SUBMITTED, ResponseState.REOPEN_REQUESTED)
        ).update(state=ResponseState.REOPENED, updated_at=timezone.now())
        if not updated:
            raise state_error(_("Only a submitted response can be reopened."))
        response.refresh_from_db()
        record_event(
            actor,
            "insights_response.reopen",
            response,
            {"state": [previous, response.state], "reason": [None, str(reason or "").strip()]},
            organization=response.organization,
        )
    return response


# --- Digital services catalogue ----------------------------------------------------------------------------


def save_digital_service(actor: Actor, data: dict, service: DigitalService | None = None) -> DigitalService:
    province = require_data_officer(actor, service.province if service else None)
    errors = {}
    name = clean_title(data, errors, "name")
    category = str(data.get("category") or "").strip()
    if category not in ServiceCategory.values:
        errors["category"] = _("Choose one of: %(expected)s.") % {
            "expected": ", ".join(ServiceCategory.values)
        }
    duplicate = DigitalService.objects.filter(province=province, name__iexact=name)
    if service is not None:
        duplicate = duplicate.exclude(pk=service.pk)
    if name and duplicate.exists():
        errors["name"] = _("The catalogue already has a service with this name.")
    url = str(data.get("url") or "").strip()
    if url and not url.startswith(("https://", "http://")):
        errors["url"] = _("Enter a web address starting with https://.")
    if errors:
        raise ValidationError(errors)
    values = {
        "name": name,
        "category": category,
        "description": str(data.get("description") or "").strip(),
        "url": url[:200],
        "is_active": bool(data.get("is_active", True)),
    }
    with transaction.atomic():
        if service is None:
            service = DigitalService.objects.create(province=province, **values)
            changes, action = {"name": [None, name]}, "insights_service.create"
        else:
            changes = {k: [getattr(service, k), v] for k, v in values.items() if getattr(service, k) != v}
            for k, v in values.items():
                setattr(service, k, v)
            service.save()
            action = "insights_service.update"
        record_event(actor, action, service, changes)
    return service


def record_adoption(actor: Actor, service: DigitalService, data: dict) -> ServiceAdoption:
    """Record (or change) a Comune's adoption of a service of the catalogue."""
    province = require_data_officer(actor, service.province)
    errors = {}
    comune = data.get("organization")
    if not isinstance(comune, Organization):
        comune = province_comuni(province).filter(pk=comune).first() if str(comune or "").isdigit() else None
    if comune is None or not province_comuni(province).filter(pk=comune.pk).exists():
        errors["organization"] = _("Choose a Comune of your Province.")
    status = str(data.get("status") or "").strip()
    if status not in AdoptionStatus.values:
        errors["status"] = _("Choose one of: %(expected)s.") % {"expected": ", ".join(AdoptionStatus.values)}
    since = as_date(data.get("since"), errors, "since")
    if since and since > timezone.localdate() and status != AdoptionStatus.PLANNED:
        errors["since"] = _("Only a planned adoption may start in the future.")
    if errors:
        raise ValidationError(errors)
    notes = str(data.get("notes") or "").strip()[:300]
    with transaction.atomic():
        adoption = ServiceAdoption.objects.filter(service=service, organization=comune).first()
        if adoption is None:
            adoption = ServiceAdoption.objects.create(
                service=service, organization=comune, status=status, since=since, notes=notes
            )
            changes = {"status": [None, status]}
        else:
            changes = {"status": [adoption.status, status], "since": [adoption.since, since]}
            adoption.status, adoption.since, adoption.notes = status, since, notes
            adoption.updated_at = timezone.now()
            adoption.save()
        record_event(actor, "insights_adoption.record", adoption, changes, organization=comune)
    return adoption
