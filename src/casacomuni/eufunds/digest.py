"""The digest of calls for a Comune: the calls that opened or changed since its last digest, that it is not
excluded from and that match its interests; one card per call with funder, beneficiaries, deadlines, eligible
actions, funding form, maximum amount and link (DOMAIN §5). The calls it can apply to come first; those whose
eligibility is unknown (to review) follow in a part of their own; a call it is not eligible for is never
sent."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from casacomuni.eufunds.models import FREQUENCY_DAYS, Call, CallStatus, DigestFrequency, DigestPreference
from casacomuni.eufunds.rules import eligibility
from casacomuni.eufunds.selectors import calls_with_verdicts, organization_profile

# The window of a first digest, or of a preference switched off: the last month.
DEFAULT_WINDOW_DAYS = 30


@dataclass(frozen=True)
class DigestItem:
    call: Call
    verdict: eligibility.Verdict
    is_new: bool  # first seen in the window (else: changed in it)


def window_start(preference: DigestPreference, now: datetime) -> datetime:
    if preference.last_sent_at:
        return preference.last_sent_at
    return now - timedelta(days=FREQUENCY_DAYS.get(preference.frequency, DEFAULT_WINDOW_DAYS))


def calls_for_organization(organization):
    """The catalogue an organisation reads: national calls and its Province's own."""
    return Call.objects.filter(Q(province__isnull=True) | Q(province_id=organization.province_id))


def matches_interests(call: Call, interests: list[str]) -> bool:
    if not interests:
        return True
    haystack = " ".join(
        (call.title, call.summary, call.programme, call.funder, call.eligible_actions, call.beneficiaries)
    ).lower()
    return any(interest.lower() in haystack for interest in interests)


def build_digest(preference: DigestPreference, *, now: datetime | None = None) -> list[DigestItem]:
    """The cards of ``preference``'s next digest (empty when unsubscribed)."""
    now = now or timezone.now()
    if preference.unsubscribed:
        return []
    organization = preference.organization
    profile = organization_profile(organization)
    if profile is None:
        return []
    since = window_start(preference, now)
    calls = (
        calls_for_organization(organization)
        .filter(status__in=(CallStatus.OPEN, CallStatus.FORTHCOMING))
        .filter(Q(first_seen_at__gte=since) | Q(changed_at__gte=since))
        .order_by("deadline", "pk")
    )
    interests = preference.interest_list
    items = []
    for call, verdict in calls_with_verdicts(profile, calls):
        if verdict.outcome == eligibility.NOT_ELIGIBLE or not matches_interests(call, interests):
            continue
        items.append(DigestItem(call, verdict, is_new=call.first_seen_at >= since))
    # Eligible first; within each part, by deadline (the order of the query: the sort is stable).
    return sorted(items, key=lambda item: item.verdict.outcome != eligibility.ELIGIBLE)


def due_preferences(now: datetime):
    """Preferences whose digest is due: subscribed, not off, never sent or sent a period ago."""
    due = []
    for preference in (
        DigestPreference.objects.select_related("organization")
        .exclude(frequency=DigestFrequency.OFF)
        .filter(unsubscribed=False)
    ):
        days = FREQUENCY_DAYS[preference.frequency]
        if preference.last_sent_at is None or preference.last_sent_at <= now - timedelta(days=days):
            due.append(preference)
    return due
