"""The calls' card on the dashboard: open calls, and for a Comune those it can apply to (three queries)."""

from django.utils import timezone

from casacomuni.accounts.roles import EUFUNDS_OFFICE_ROLES, LOCAL_ROLES, OrganizationKind
from casacomuni.eufunds import selectors
from casacomuni.eufunds.models import Call
from casacomuni.eufunds.rules import eligibility


def calls_card(user, membership) -> dict | None:
    if membership is None or membership.role not in (*EUFUNDS_OFFICE_ROLES, *LOCAL_ROLES):
        return None
    org = membership.organization
    if org.kind == OrganizationKind.PROVINCE and membership.role not in EUFUNDS_OFFICE_ROLES:
        return None
    open_calls = Call.objects.for_user(user).open_on(timezone.localdate())
    card = {"template": "eufunds/_dashboard_card.html", "open": open_calls.count(), "comune": False}
    profile = selectors.organization_profile(org) if org.kind != OrganizationKind.PROVINCE else None
    if profile is not None:
        verdicts = selectors.eligible_call_ids(profile, open_calls)
        card["comune"] = True
        card["eligible"] = sum(1 for outcome in verdicts.values() if outcome == eligibility.ELIGIBLE)
        card["to_review"] = sum(1 for outcome in verdicts.values() if outcome == eligibility.UNKNOWN)
    return card


CARDS = [calls_card]
