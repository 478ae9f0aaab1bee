"""Write operations on responses: a Comune saves its answers as a draft or submits them, asks the Province
to reopen a submitted response, and the Province reopens it."""

from pathlib import PurePosixPath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import LOCAL_ROLES, OrganizationKind
from casacomuni.audit.services import record_event
from casacomuni.insights.models import (
    EDITABLE_STATES,
    Answer,
    Campaign,
    CampaignState,
    QuestionKind,
    Questionnaire,
    Response,
    ResponseState,
    TemplateCode,
)
from casacomuni.insights.rules import answers as answer_rules
from casacomuni.insights.rules.maturity import maturity_index
from casacomuni.insights.services._common import require_data_officer, state_error
from casacomuni.lib import formats

_MAX_FILE_BYTES = 10 * 1024 * 1024
_FILE_EXTENSIONS = (".pdf", ".odt", ".ods", ".docx", ".xlsx", ".csv", ".png", ".jpg", ".jpeg", ".p7m")


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


def _check_file(upload) -> str | None:
    """An error message, or None when the file may be stored."""
    name = upload.name or ""
    if PurePosixPath(name).suffix.lower() not in _FILE_EXTENSIONS:
        return _("Accepted files: %(extensions)s.") % {"extensions": ", ".join(_FILE_EXTENSIONS)}
    if upload.size > _MAX_FILE_BYTES:
        return _("The file is larger than %(size)s MB.") % {"size": _MAX_FILE_BYTES // (1024 * 1024)}
    if upload.size == 0:
        return _("The file is empty.")
    return None


def _answer_errors(result: answer_rules.Result) -> dict:
    return {code: [m.render(_) for m in messages] for code, messages in result.errors.items()}


def _compute_score(questionnaire: Questionnaire, cleaned: dict):
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
                problem = _check_file(upload)
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
        errors = _answer_errors(result)
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
            response.score, response.score_parts = _compute_score(campaign.questionnaire, result.cleaned)
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
