"""Write operations on campaigns: a questionnaire sent to the Comuni of a Province for a year, from draft to
sent (the referents are e-mailed) to closed."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.audit.services import record_event
from casacomuni.insights.models import Campaign, CampaignState, CampaignTarget, Questionnaire
from casacomuni.insights.services._common import as_date, clean_title, require_data_officer, state_error

MIN_YEAR, MAX_YEAR = 2000, 2100


def province_comuni(province: Organization):
    """The Comuni (active organisations of kind municipality) of a Province's territory."""
    if province.province_id is None:  # an organisation with no territory has no Comuni (never all of them)
        return Organization.objects.none()
    return Organization.objects.filter(
        kind=OrganizationKind.MUNICIPALITY, province_id=province.province_id, is_active=True
    )


@dataclass(frozen=True, kw_only=True)
class CampaignData:
    """A campaign as the officer sets it up: its title, the questionnaire (its own or a built-in template, or
    its id), the year of the edition, the opening day (today by default) and deadline (dates or
    "YYYY-MM-DD"), and the target Comuni (Organizations or ids, or ``"all"``)."""

    title: str
    questionnaire: Questionnaire | int | str | None
    year: int | str | None
    opens_on: date | str | None = None
    deadline: date | str | None
    targets: Sequence[Organization | int | str] | Literal["all"] = ()


def _clean_campaign_data(province: Organization, data: CampaignData) -> dict:
    """Title, year, dates, the questionnaire (its own or a built-in template) and the target Comuni."""
    errors: dict[str, str] = {}
    cleaned: dict = {}
    cleaned["title"] = clean_title(data.title, errors)
    questionnaire = data.questionnaire
    if isinstance(questionnaire, int | str):
        questionnaire = (
            Questionnaire.objects.filter(pk=questionnaire).first() if str(questionnaire).isdigit() else None
        )
    if questionnaire is None or questionnaire.province_id not in (None, province.pk):
        errors["questionnaire"] = _("Choose a questionnaire of your Province or a built-in template.")
    elif not questionnaire.questions.exists():
        errors["questionnaire"] = _("The questionnaire has no question yet.")
    cleaned["questionnaire"] = questionnaire
    try:
        if data.year is None:
            raise ValueError
        year = cleaned["year"] = int(data.year)
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = _("Enter a year between %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}
    opens_on = cleaned["opens_on"] = as_date(data.opens_on, errors, "opens_on") or timezone.localdate()
    deadline = cleaned["deadline"] = as_date(data.deadline, errors, "deadline", required=True)
    if deadline and deadline < opens_on:
        errors["deadline"] = _("The deadline cannot come before the opening date.")
    targets = data.targets
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


def create_campaign(actor: Actor, data: CampaignData) -> Campaign:
    """A draft campaign with its target Comuni."""
    province = require_data_officer(actor)
    cleaned = _clean_campaign_data(province, data)
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


def update_campaign(actor: Actor, campaign: Campaign, data: CampaignData) -> Campaign:
    """Change a draft campaign: title, year, dates, questionnaire and targets."""
    province = require_data_officer(actor, campaign.province)
    if campaign.state != CampaignState.DRAFT:
        raise state_error(_("Only a draft campaign can be changed."))
    cleaned = _clean_campaign_data(province, data)
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
