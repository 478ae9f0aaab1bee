"""API of data collection: campaigns (the Province's data officers create and send them) and responses (a
Comune submits its own). Reads go through ``for_user``, writes through ``insights.services``.

Errors: 400 invalid campaign data (a message per field), 403 a role that may not act, 404 an object of
another tenant, 409 a response already submitted (or a campaign not open), 422 invalid answers with a
message per question code.
"""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.api import OrganizationBriefOut
from casacomuni.insights import selectors
from casacomuni.insights.models import (
    Campaign,
    CampaignState,
    Questionnaire,
    Response,
    ResponseState,
    data_province,
    respondent_comune,
)
from casacomuni.insights.services import campaigns as campaign_services
from casacomuni.insights.services import questionnaires as questionnaire_services
from casacomuni.insights.services import responses as response_services
from casacomuni.lib.problems import Problem

router = Router(tags=["insights"])


class QuestionnaireOut(Schema):
    id: int
    title: str
    template_code: str = Field(description="maturita_digitale, fabbisogni_formativi or empty")
    version: int
    builtin: bool

    @staticmethod
    def resolve_builtin(obj):
        return obj.is_builtin


class CampaignOut(Schema):
    id: int
    title: str
    year: int = Field(description="The edition")
    opens_on: datetime.date
    deadline: datetime.date
    state: CampaignState
    questionnaire: QuestionnaireOut
    province: OrganizationBriefOut


class CompletionOut(Schema):
    comune: OrganizationBriefOut
    status: str = Field(description="not_started, draft, submitted, reopen_requested or reopened")
    submitted_at: datetime.datetime | None
    score: Decimal | None = Field(description="The template's index (0-100), once submitted")


class QuestionOut(Schema):
    code: str
    section: str
    text: str
    help: str
    kind: str
    unit: str
    required: bool
    choices: list[dict]
    min_value: Decimal | None
    max_value: Decimal | None
    decimal_places: int
    visible_if: dict

    @staticmethod
    def resolve_section(obj):
        return obj.section.title


class CampaignDetailOut(CampaignOut):
    questions: list[QuestionOut]
    completion: list[CompletionOut] = Field(description="Per target Comune (the Province's officers only)")


class CampaignIn(Schema):
    questionnaire: int | None = Field(
        None, description="Id of a questionnaire of the Province or a built-in one"
    )
    template_code: Literal["maturita_digitale", "fabbisogni_formativi"] | None = Field(
        None, description="A built-in template, instead of a questionnaire id"
    )
    title: str = Field(min_length=1, max_length=200)
    year: int = Field(ge=2000, le=2100, description="The edition")
    opens_on: datetime.date | None = Field(None, description="Today when omitted")
    deadline: datetime.date
    targets: list[str] | Literal["all"] = Field(
        description='"all" (every Comune of the Province) or a list of ISTAT codes of its Comuni'
    )
    send: bool = Field(True, description="Send at once (e-mails the Comuni's referents); false keeps a draft")


class CampaignFilters(Schema):
    year: int | None = None
    state: CampaignState | None = None


class ResponseOut(Schema):
    id: int
    campaign: int
    comune: OrganizationBriefOut
    state: ResponseState
    submitted_at: datetime.datetime | None
    score: Decimal | None
    answers: dict[str, Any] = Field(description="Question code -> value (files: their name)")

    @staticmethod
    def resolve_campaign(obj):
        return obj.campaign_id

    @staticmethod
    def resolve_comune(obj):
        return obj.organization

    @staticmethod
    def resolve_answers(obj):
        return {a.question.code: a.value for a in obj.answers.all()}


class ResponseIn(Schema):
    answers: dict[str, Any] = Field(
        description="Question code -> value: true/false, an option's code, a list of codes, a number, "
        "YYYY-MM-DD, a text. The whole response: codes left out are saved as unanswered. Files are uploaded "
        "through the response page; here a file question keeps the file already stored."
    )
    submit: bool = Field(False, description="Submit (then read-only until the Province reopens it)")


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    detail: str = ""
    errors: list[dict] = []


def require_officer(user) -> None:
    if data_province(user) is None:
        raise PermissionDenied


def require_respondent(user) -> None:
    if respondent_comune(user) is None:
        raise PermissionDenied


def readable(request):
    """403 unless a Province's data officer or a Comune's referent or staff (a Unione answers no campaign)."""
    if data_province(request.user) is None and respondent_comune(request.user) is None:
        raise PermissionDenied
    return Campaign.objects.for_user(request.user).select_related("questionnaire", "province__municipality")


@router.get("/campaigns", response=list[CampaignOut], summary="Data-collection campaigns")
@paginate
def list_campaigns(request, filters: Query[CampaignFilters]):
    """A Province's administrators and data officers see its campaigns; a Comune those sent to it."""
    queryset = readable(request)
    if filters.year:
        queryset = queryset.filter(year=filters.year)
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    return queryset.order_by("-year", "-created_at", "-pk")


def campaign_detail(request, campaign: Campaign) -> dict:
    completion = []
    if data_province(request.user) is not None:
        completion = [
            {"comune": row.comune, "status": row.status, "submitted_at": row.submitted_at, "score": row.score}
            for row in selectors.completion_rows(campaign)
        ]
    campaign.questions = list(campaign.questionnaire.questions.select_related("section"))
    campaign.completion = completion
    return campaign


@router.post("/campaigns", response={201: CampaignDetailOut}, summary="Create (and send) a campaign")
def create_campaign(request, payload: CampaignIn):
    """The Province's administrators and data officers only. Give ``questionnaire`` or ``template_code``."""
    require_officer(request.user)
    actor = Actor.from_request(request)
    province = tenancy.acting_organization(request.user)
    if (payload.questionnaire is None) == (payload.template_code is None):
        raise ValidationError({"questionnaire": _("Give either a questionnaire id or a template code.")})
    if payload.template_code:
        questionnaire = questionnaire_services.builtin_template(payload.template_code)
    else:
        questionnaire = Questionnaire.objects.for_user(request.user).filter(pk=payload.questionnaire).first()
        if questionnaire is None:
            raise ValidationError({"questionnaire": _("There is no questionnaire of yours with this id.")})
    if payload.targets == "all":
        targets = "all"
    else:
        codes = [code.strip() for code in payload.targets]
        found = dict(
            campaign_services.province_comuni(province)
            .filter(municipality__istat_code__in=codes)
            .values_list("municipality__istat_code", "pk")
        )
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise ValidationError(
                {
                    "targets": _("No Comune of your Province has these ISTAT codes: %(codes)s.")
                    % {"codes": ", ".join(unknown)}
                }
            )
        targets = [found[code] for code in codes]
    data = payload.dict(exclude={"template_code", "send", "targets", "questionnaire"})
    campaign = campaign_services.create_campaign(
        actor, campaign_services.CampaignData(**data, questionnaire=questionnaire, targets=targets)
    )
    if payload.send:
        campaign_services.send_campaign(actor, campaign)
    return Status(201, campaign_detail(request, readable(request).get(pk=campaign.pk)))


@router.get("/campaigns/{campaign_id}", response=CampaignDetailOut, summary="One campaign")
def get_campaign(request, campaign_id: int):
    """With its questions; for the Province's officers, the completion per Comune."""
    return campaign_detail(request, get_object_or_404(readable(request), pk=campaign_id))


@router.get(
    "/campaigns/{campaign_id}/responses", response=list[ResponseOut], summary="Responses to a campaign"
)
@paginate
def list_responses(request, campaign_id: int):
    """The Province's officers: every response of the campaign; a Comune: its own."""
    campaign = get_object_or_404(readable(request), pk=campaign_id)
    return (
        Response.objects.for_user(request.user)
        .filter(campaign=campaign)
        .select_related("organization__municipality")
        .prefetch_related("answers__question")
        .order_by("organization__name", "pk")
    )


def invalid_answers(errors: dict) -> Problem:
    return Problem(
        422,
        _("Invalid answers"),
        _("Some answers are missing or wrong."),
        errors=[
            {"field": code, "message": message} for code, messages in errors.items() for message in messages
        ],
    )


@router.post(
    "/campaigns/{campaign_id}/responses",
    response={200: ResponseOut, 409: ProblemOut, 422: ProblemOut},
    summary="Save or submit the caller's Comune's response",
)
def submit_response(request, campaign_id: int, payload: ResponseIn):
    """A Comune's referent or staff only. ``submit: false`` saves a draft (types and ranges checked),
    ``submit: true`` submits (required answers checked too). 422 with a message per question code; 409 when
    the response was already submitted (ask the Province to reopen it) or the campaign is not open."""
    require_respondent(request.user)
    campaign = get_object_or_404(readable(request), pk=campaign_id)
    try:
        response = response_services.save_response(
            Actor.from_request(request), campaign, payload.answers, submit=payload.submit
        )
    except ValidationError as refused:
        if hasattr(refused, "error_dict"):
            raise invalid_answers(refused.message_dict) from refused
        if refused.code == "state":
            raise HttpError(409, " ".join(refused.messages)) from refused
        raise
    return (
        Response.objects.for_user(request.user)
        .select_related("organization__municipality")
        .prefetch_related("answers__question")
        .get(pk=response.pk)
    )


class ReopenIn(Schema):
    reason: str = Field("", max_length=5000)


@router.post(
    "/responses/{response_id}/reopen",
    response={200: ResponseOut, 409: ProblemOut},
    summary="Reopen a submitted response (the Province) or ask to (the Comune)",
)
def reopen_response(request, response_id: int, payload: ReopenIn):
    """The Province's officers reopen; a Comune's referent or staff asks to reopen (a reason is required).
    409 unless the response is submitted."""
    readable(request)
    response = get_object_or_404(
        Response.objects.for_user(request.user).select_related("campaign"), pk=response_id
    )
    actor = Actor.from_request(request)
    try:
        if data_province(request.user) is not None:
            response_services.reopen_response(actor, response, payload.reason)
        else:
            response_services.request_reopen(actor, response, payload.reason)
    except ValidationError as refused:
        if not hasattr(refused, "error_dict") and refused.code == "state":
            raise HttpError(409, " ".join(refused.messages)) from refused
        raise
    return (
        Response.objects.for_user(request.user)
        .select_related("organization__municipality")
        .prefetch_related("answers__question")
        .get(pk=response.pk)
    )
