"""The data collection card on the dashboard: for a Comune, the open campaigns still to answer; for the
Province's data officers, the open campaigns and how many Comuni have submitted. Two queries at most."""

from casacomuni.accounts.roles import DATA_OFFICE_ROLES, LOCAL_ROLES, OrganizationKind
from casacomuni.insights import selectors
from casacomuni.insights.models import Campaign, CampaignState, Response


def insights_card(user, membership) -> dict | None:
    if membership is None or membership.role not in (*DATA_OFFICE_ROLES, *LOCAL_ROLES):
        return None
    open_campaigns = Campaign.objects.for_user(user).filter(state=CampaignState.SENT)
    if membership.organization.kind == OrganizationKind.PROVINCE:
        campaigns = list(selectors.with_completion(open_campaigns).order_by("deadline")[:5])
        return {"template": "insights/_dashboard_card.html", "province": True, "campaigns": campaigns}
    answered = set(
        Response.objects.for_user(user)
        .filter(state__in=selectors.SUBMITTED, campaign__state=CampaignState.SENT)
        .values_list("campaign_id", flat=True)
    )
    pending = [c for c in open_campaigns.order_by("deadline")[:20] if c.pk not in answered]
    return {"template": "insights/_dashboard_card.html", "province": False, "campaigns": pending[:5]}


CARDS = [insights_card]
