"""Reads that match calls and comuni: profiles loaded once, verdicts computed in Python (rules.eligibility).

The territory is read with only the fields the engine needs, in one query, whatever the number of comuni;
criteria of many calls in one query. A Province's list covers every current comune of its territory
(``territory.Municipality``), not only those with an organisation on the platform.
"""

from collections import defaultdict
from dataclasses import dataclass

from casacomuni.accounts.roles import OrganizationKind
from casacomuni.eufunds.models import Call, CallCriterion
from casacomuni.eufunds.rules import eligibility
from casacomuni.territory.models import Municipality

PROFILE_FIELDS = ("istat_code", "name", "population", "province__sigla", "province__region__code")


def municipality_profiles(municipalities=None) -> list[eligibility.Profile]:
    """Profiles of ``municipalities`` (a Municipality QuerySet; default every current comune), one query."""
    queryset = Municipality.objects.current() if municipalities is None else municipalities
    return [
        eligibility.Profile(
            entity_type=eligibility.MUNICIPALITY,
            istat_code=istat,
            name=name,
            population=population,
            province_sigla=sigla,
            region_code=region,
        )
        for istat, name, population, sigla, region in queryset.order_by("name").values_list(*PROFILE_FIELDS)
    ]


def organization_profile(organization) -> eligibility.Profile | None:
    """The profile of a Comune or Unione organisation (a Unione's population is not summed: unknown)."""
    if organization is None:
        return None
    if organization.kind == OrganizationKind.MUNICIPALITY and organization.municipality_id:
        found = municipality_profiles(Municipality.objects.filter(pk=organization.municipality_id))
        return found[0] if found else None
    if organization.kind == OrganizationKind.UNION:
        province = organization.province
        return eligibility.Profile(
            entity_type=eligibility.UNION,
            name=organization.name,
            province_sigla=province.sigla if province else None,
            region_code=province.region.code if province else None,
            member_count=organization.member_municipalities.count(),
        )
    return None


def criteria_by_call(call_ids, province_sigla: str | None) -> dict[int, list[eligibility.Criterion]]:
    """The criteria judging the comuni of a Province (national and the Province's own), by call."""
    grouped: dict[int, list[eligibility.Criterion]] = defaultdict(list)
    rows = CallCriterion.objects.filter(call_id__in=list(call_ids)).applying_to(province_sigla).order_by("pk")
    for call_id, kind, value, excerpt in rows.values_list("call_id", "kind", "value", "excerpt"):
        grouped[call_id].append(eligibility.Criterion(kind, value or {}, excerpt))
    return grouped


@dataclass(frozen=True)
class Row:
    profile: eligibility.Profile
    verdict: eligibility.Verdict


def province_eligibility(call: Call, province) -> list[Row]:
    """Every current comune of ``province`` with its verdict for ``call``."""
    criteria = criteria_by_call([call.pk], province.sigla).get(call.pk, [])
    profiles = municipality_profiles(Municipality.objects.current().filter(province=province))
    return [Row(profile, eligibility.verdict(criteria, profile)) for profile in profiles]


def calls_with_verdicts(profile: eligibility.Profile, calls) -> list[tuple[Call, eligibility.Verdict]]:
    """``calls`` (a QuerySet or list) each with its verdict for ``profile`` (on the criteria of its Province)."""
    calls = list(calls)
    criteria = criteria_by_call((call.pk for call in calls), profile.province_sigla)
    return [(call, eligibility.verdict(criteria.get(call.pk, []), profile)) for call in calls]


def eligible_call_ids(profile: eligibility.Profile, calls, *, include_unknown: bool = True) -> dict[int, str]:
    """{call id: outcome} of the calls in ``calls`` that ``profile`` is not excluded from."""
    keep = {eligibility.ELIGIBLE, eligibility.UNKNOWN} if include_unknown else {eligibility.ELIGIBLE}
    ids = list(calls.values_list("pk", flat=True))
    criteria = criteria_by_call(ids, profile.province_sigla)
    outcomes = {pk: eligibility.Matcher(criteria.get(pk, [])).outcome(profile) for pk in ids}
    return {pk: outcome for pk, outcome in outcomes.items() if outcome in keep}


def outcome_counts(profile: eligibility.Profile, calls) -> dict[str, int]:
    """{outcome: number of ``calls`` (a QuerySet)} for ``profile``, on the criteria of its Province."""
    ids = list(calls.values_list("pk", flat=True))
    criteria = criteria_by_call(ids, profile.province_sigla)
    counts = dict.fromkeys((eligibility.ELIGIBLE, eligibility.NOT_ELIGIBLE, eligibility.UNKNOWN), 0)
    for pk in ids:
        counts[eligibility.Matcher(criteria.get(pk, [])).outcome(profile)] += 1
    return counts


def match_all(calls, profiles) -> dict[str, int]:
    """Every call × every profile, on the national criteria: counts of outcomes (the benchmark's work)."""
    calls = list(calls)
    criteria = criteria_by_call((call.pk for call in calls), None)
    counts: dict[str, int] = defaultdict(int)
    for call in calls:
        outcome = eligibility.Matcher(criteria.get(call.pk, [])).outcome
        for profile in profiles:
            counts[outcome(profile)] += 1
    return dict(counts)
