"""Reads of data collection shared by pages and API: completion per Comune, editions, catalogue adoptions.

Each function runs a fixed number of queries whatever the number of rows.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q

from casacomuni.accounts import tenancy
from casacomuni.insights.models import (
    AdoptionStatus,
    Campaign,
    CampaignState,
    QuestionKind,
    Questionnaire,
    Response,
    ResponseState,
    ServiceAdoption,
    TemplateCode,
)
from casacomuni.insights.services import questionnaires as questionnaire_services

SUBMITTED = (ResponseState.SUBMITTED, ResponseState.REOPEN_REQUESTED)
NOT_STARTED = "not_started"


def with_completion(campaigns):
    """Campaigns annotated with ``target_count`` and ``submitted_count``."""
    return campaigns.annotate(
        target_count=Count("targets", distinct=True),
        submitted_count=Count("responses", filter=Q(responses__state__in=SUBMITTED), distinct=True),
    )


def attach_own_responses(campaigns, comune) -> None:
    """Set ``own_response`` (or None) on each campaign: the Comune's response to it."""
    campaigns = list(campaigns)
    responses = {
        r.campaign_id: r for r in Response.objects.filter(campaign__in=campaigns, organization=comune)
    }
    for campaign in campaigns:
        campaign.own_response = responses.get(campaign.pk)


@dataclass
class CompletionRow:
    comune: object
    response: Response | None
    target: object

    @property
    def status(self) -> str:
        return self.response.state if self.response else NOT_STARTED

    @property
    def score(self) -> Decimal | None:
        return self.response.score if self.response and self.response.is_submitted else None

    @property
    def submitted_at(self) -> datetime | None:
        return self.response.submitted_at if self.response else None


def completion_rows(campaign: Campaign) -> list[CompletionRow]:
    """One row per target Comune, in name order, with its response if any (two queries)."""
    responses = {r.organization_id: r for r in campaign.responses.all()}
    targets = campaign.targets.select_related("organization__municipality").order_by("organization__name")
    return [CompletionRow(t.organization, responses.get(t.organization_id), t) for t in targets]


STATUS_ORDER = (
    NOT_STARTED,
    ResponseState.DRAFT,
    ResponseState.SUBMITTED,
    ResponseState.REOPEN_REQUESTED,
    ResponseState.REOPENED,
)


def completion_summary(rows) -> dict:
    counts = Counter(row.status for row in rows)
    return {status: counts.get(status, 0) for status in STATUS_ORDER} | {"total": len(rows)}


def questionnaires_for_campaign(user) -> list[Questionnaire]:
    """The built-in templates and the Province's questionnaires that have questions."""
    questionnaire_services.builtin_templates()
    return list(
        Questionnaire.objects.for_user(user)
        .annotate(question_count=Count("questions"))
        .filter(question_count__gt=0)
        .order_by("province", "title", "-version")
    )


def display_value(question, value) -> str:
    if value is None or value == "" or value == []:
        return ""
    if question.kind == QuestionKind.YES_NO:
        return "yes" if value else "no"
    if question.kind == QuestionKind.SINGLE_CHOICE:
        return question.choice_label(value)
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return "; ".join(question.choice_label(v) for v in value)
    return str(value)


def answer_rows(questions, values: dict) -> list[tuple]:
    """(section, question, value shown) of each question, in order."""
    return [(q.section, q, values.get(q.code), display_value(q, values.get(q.code))) for q in questions]


def maturity_editions(user) -> dict:
    """The maturity index of each Comune of the Province, edition by edition (campaign years), with the
    Province's mean per edition. Several campaigns in one year: the latest submission counts."""
    province = tenancy.acting_organization(user)
    responses = (
        Response.objects.for_user(user)
        .filter(
            state__in=SUBMITTED,
            campaign__questionnaire__template_code=TemplateCode.MATURITY,
            campaign__state__in=(CampaignState.SENT, CampaignState.CLOSED),
            score__isnull=False,
        )
        .select_related("organization", "campaign")
        .order_by("submitted_at", "pk")
    )
    by_comune: dict = {}
    years: set = set()
    for response in responses:
        years.add(response.campaign.year)
        by_comune.setdefault(response.organization, {})[response.campaign.year] = response.score
    years_sorted = sorted(years)
    rows = [
        (comune, [scores.get(year) for year in years_sorted])
        for comune, scores in sorted(by_comune.items(), key=lambda item: item[0].name)
    ]
    means = []
    for index, _year in enumerate(years_sorted):
        values = [scores[index] for _comune, scores in rows if scores[index] is not None]
        means.append((sum(values) / len(values)).quantize(Decimal("0.01")) if values else None)
    return {"province": province, "years": years_sorted, "rows": rows, "means": means}


def attach_adoptions(digital_services: list, user, officer: bool) -> None:
    """For the officer, ``active_count`` of each service; for a Comune, its ``own_adoption`` (or None)."""
    adoptions = ServiceAdoption.objects.for_user(user).filter(service__in=digital_services)
    if officer:
        counts = dict(
            adoptions.filter(status=AdoptionStatus.ACTIVE)
            .values("service")
            .annotate(n=Count("pk"))
            .values_list("service", "n")
        )
        for service in digital_services:
            service.active_count = counts.get(service.pk, 0)
    else:
        own = {a.service_id: a for a in adoptions}
        for service in digital_services:
            service.own_adoption = own.get(service.pk)
