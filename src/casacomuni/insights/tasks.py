"""Background tasks of data collection: e-mails to the Comuni when a campaign is sent, and reminders (enqueued
daily by cron through ``casacomuni campaign_reminders``)."""

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from casacomuni.accounts.models import Membership
from casacomuni.accounts.roles import Role
from casacomuni.inbox.services import notify
from casacomuni.insights.models import Campaign, CampaignState, CampaignTarget, Response, ResponseState
from casacomuni.insights.rules.reminders import BEFORE, reminder_due

SUBMITTED = (ResponseState.SUBMITTED, ResponseState.REOPEN_REQUESTED)


def referents_of(organization_ids) -> dict[int, list]:
    """organisation id -> its active referents (users)."""
    found: dict[int, dict] = {}
    memberships = (
        Membership.objects.active()
        .filter(organization_id__in=organization_ids, role=Role.MUNICIPALITY_REFERENT, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    for membership in memberships:
        found.setdefault(membership.organization_id, {})[membership.user_id] = membership.user
    return {key: list(users.values()) for key, users in found.items()}


def campaign_link(campaign: Campaign) -> str:
    return settings.CASACOMUNI_BASE_URL + reverse("insights:response_form", args=[campaign.pk])


@task
def send_campaign_notice(campaign_id: int) -> int:
    """E-mail the referents of every target Comune that the campaign is open: what, until when, where."""
    campaign = Campaign.objects.filter(pk=campaign_id).select_related("province").first()
    if campaign is None or campaign.state != CampaignState.SENT:
        return 0
    targets = list(campaign.targets.values_list("organization_id", flat=True))
    sent = 0
    with override(settings.LANGUAGE_CODE):
        subject = _("Casa dei Comuni: %(province)s asks your Comune for data: “%(title)s”") % {
            "province": campaign.province.name,
            "title": campaign.title[:80],
        }
        body = render_to_string(
            "insights/email/campaign_sent.txt", {"campaign": campaign, "link": campaign_link(campaign)}
        )
        for people in referents_of(targets).values():
            sent += notify(people, "insights.campaign", subject, body, campaign_link(campaign))
    return sent


def due_targets(today):
    """Targets of open campaigns whose Comune has not submitted, with the kind of reminder due today."""
    targets = (
        CampaignTarget.objects.filter(campaign__state=CampaignState.SENT)
        .exclude(
            Exists(
                Response.objects.filter(
                    campaign=OuterRef("campaign"), organization=OuterRef("organization"), state__in=SUBMITTED
                )
            )
        )
        .select_related("campaign__province", "organization")
    )
    for target in targets:
        kind = reminder_due(
            today, target.campaign.opens_on, target.campaign.deadline, target.last_reminded_on
        )
        if kind:
            yield target, kind


@task
def send_campaign_reminders() -> dict:
    """Remind the referents of each target Comune without a submitted response, on the days
    ``rules.reminders`` sets (7 and 2 days before the deadline, the day after, then weekly)."""
    today = timezone.localdate()
    due = list(due_targets(today))
    referents = referents_of({target.organization_id for target, _kind in due})
    sent = 0
    with override(settings.LANGUAGE_CODE):
        for target, kind in due:
            campaign = target.campaign
            subject = (
                _("Casa dei Comuni: reminder, “%(title)s” is due on %(deadline)s")
                if kind == BEFORE
                else _("Casa dei Comuni: “%(title)s” was due on %(deadline)s")
            ) % {"title": campaign.title[:80], "deadline": campaign.deadline.strftime("%d/%m/%Y")}
            body = render_to_string(
                "insights/email/campaign_reminder.txt",
                {"campaign": campaign, "overdue": kind != BEFORE, "link": campaign_link(campaign)},
            )
            sent += notify(
                referents.get(target.organization_id, ()),
                "insights.campaign_reminder",
                subject,
                body,
                campaign_link(campaign),
            )
            with transaction.atomic():
                CampaignTarget.objects.filter(pk=target.pk).update(
                    last_reminded_on=today, reminders_sent=target.reminders_sent + 1
                )
    return {"targets": len(due), "emails": sent}
