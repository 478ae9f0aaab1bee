"""The inbox in the demo: the notices the demo's events would have sent in the last days, in each Province —
the SUA told of the Comuni's procurement requests, the referents of the SUA's answers and of the data campaigns
sent to their Comune, the Province's administrator of the agreements coming to an end — with the e-mails'
own texts (the tasks' templates), the older ones already read. The referent of each capoluogo chose the daily
digest for the campaigns' reminders, to show the preferences page with a choice made.

Written as rows: these notices happened before the demo was loaded, their e-mails are not sent again. What the
demo enqueues while loading (``db_worker`` runs it) goes through ``notify`` like any other notice.
Re-runnable: a user who already has notices is left as they are.
"""

from datetime import timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from casacomuni.accounts.models import Membership, Organization, User
from casacomuni.accounts.roles import OrganizationKind, Role
from casacomuni.agreements.models import Agreement
from casacomuni.inbox.kinds import Delivery
from casacomuni.inbox.models import EmailState, NoticePreference, Notification
from casacomuni.insights.models import Campaign, CampaignState
from casacomuni.procurement.requests.models import ProcurementRequest

# Notices older than this many hours are shown as read.
READ_AFTER_HOURS = 30


class DemoInbox:
    def build(self, siglas: list[str]) -> None:
        self.now = timezone.now()
        self.rows: list[Notification] = []
        with override(settings.LANGUAGE_CODE):
            for sigla in siglas:
                province = Organization.objects.get(kind=OrganizationKind.PROVINCE, province__sigla=sigla)
                self.requests(province)
                self.campaigns(province)
                self.agreements(province)
        Notification.objects.bulk_create(self.rows)

    def add(self, user: User, kind: str, subject: str, body: str, path: str, hours_ago: int) -> None:
        if user.notifications.exists() or any(
            row.recipient == user and row.subject == subject for row in self.rows
        ):
            return
        created = self.now - timedelta(hours=hours_ago)
        self.rows.append(
            Notification(
                recipient=user,
                kind=kind,
                subject=subject,
                body=body,
                url=path,
                created_at=created,
                read_at=created + timedelta(hours=2) if hours_ago > READ_AFTER_HOURS else None,
                email_state=EmailState.SENT,
                emailed_at=created,
            )
        )

    def requests(self, province: Organization) -> None:
        """The SUA's officers told of the latest requests; each Comune's referent of the SUA's answer."""
        officers = people(province, Role.SUA_OFFICER)
        latest = ProcurementRequest.objects.filter(province=province).select_related(
            "municipality", "province"
        )
        for hours_ago, request in zip((3, 50), latest.order_by("-pk")[:2], strict=False):
            path = reverse("procurement:request_detail", args=[request.pk])
            subject = _("Casa dei Comuni: procurement request “%(title)s”: %(state)s") % {
                "title": request.title[:80],
                "state": request.get_state_display(),
            }
            body = render_to_string(
                "procurement/email/request_change.txt",
                {"request": request, "action": "submit", "link": settings.CASACOMUNI_BASE_URL + path},
            )
            for officer in officers:
                self.add(officer, "procurement.request", subject, body, path, hours_ago)
            for referent in people(request.municipality, Role.MUNICIPALITY_REFERENT):
                self.add(referent, "procurement.request", subject, body, path, hours_ago + 1)

    def campaigns(self, province: Organization) -> None:
        for campaign in Campaign.objects.filter(province=province, state=CampaignState.SENT).select_related(
            "province"
        )[:1]:
            path = reverse("insights:response_form", args=[campaign.pk])
            subject = _("Casa dei Comuni: %(province)s asks your Comune for data: “%(title)s”") % {
                "province": province.name,
                "title": campaign.title[:80],
            }
            body = render_to_string(
                "insights/email/campaign_sent.txt",
                {"campaign": campaign, "link": settings.CASACOMUNI_BASE_URL + path},
            )
            for target in campaign.targets.select_related("organization")[:6]:
                for referent in people(target.organization, Role.MUNICIPALITY_REFERENT):
                    self.add(referent, "insights.campaign", subject, body, path, 26)
                    if target.organization.municipality and target.organization.municipality.is_capoluogo:
                        NoticePreference.objects.update_or_create(
                            user=referent,
                            kind="insights.campaign_reminder",
                            defaults={"delivery": Delivery.DIGEST},
                        )

    def agreements(self, province: Organization) -> None:
        ending = list(
            Agreement.objects.filter(province=province, end_date__gte=self.now.date())
            .select_related("province", "municipality")
            .order_by("end_date")[:3]
        )
        if not ending:
            return
        for agreement in ending:
            agreement.link = settings.CASACOMUNI_BASE_URL + reverse("agreements:detail", args=[agreement.pk])
        for admin in people(province, Role.PROVINCE_ADMIN):
            body = render_to_string(
                "agreements/email/reminders.txt",
                {"user": admin, "agreements": ending, "today": self.now.date()},
            )
            subject = _("Casa dei Comuni: agreements with a deadline")
            self.add(admin, "agreements.deadlines", subject, body, reverse("agreements:list"), 74)


def people(organization: Organization, role: str) -> list[User]:
    memberships = (
        Membership.objects.active().filter(organization=organization, role=role).select_related("user")
    )
    return [membership.user for membership in memberships]
