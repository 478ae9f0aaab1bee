"""Eligibility of a Comune (or Unione) for a call, from the call's structured criteria.

Each criterion is quoted from the call's text (DOMAIN §5: entity type, population floor/ceiling, region,
province, special territory, association required, a closed list of comuni, co-financing share). The
engine answers ``eligible``, ``not_eligible`` or ``unknown`` with one reason per criterion:

- any criterion failed → not eligible;
- otherwise, any criterion that cannot be decided (the profile lacks the data, e.g. population None, or
  the criterion lacks its list) → unknown, "needs review": missing data never gives "not eligible";
- no criterion annotated at all → unknown (the call has not been screened yet);
- otherwise eligible. Association and co-financing are conditions of the application, not of the
  applicant: they are reported as reasons and never exclude.

Population limits. Italian calls write the ceiling two ways and the engine keeps both: "Comuni con
popolazione inferiore a 5.000 abitanti" (strictly less: the default, ``inclusive: false``) and "fino a
5.000 abitanti" (L. 158/2017 art. 1 c.2, the "piccoli comuni" law: 5,000 included, ``inclusive: true``).
A floor "almeno / non inferiore a N" includes N (default ``inclusive: true``); "superiore a N" excludes it.

Values (``CallCriterion.value``) by kind:
    entity_type          {"types": ["municipality", "union", "local_authority", "public_body", ...],
                          "other": ["Scuole"]}   optional: applicants the source names that are none of
                                                  the types (an import keeps them: ``rules.applicants``)
    population_min       {"limit": 1000, "inclusive": true}
    population_max       {"limit": 5000, "inclusive": false}
    regions              {"codes": ["05", "06"]}            ISTAT region codes
    provinces            {"siglas": ["TV", "PD"]}
    special_territory    {"label": "aree interne", "istat_codes": ["026001", ...]}
    association_required {"min_members": 3}
    named_comuni         {"istat_codes": ["026086", ...]}
    cofinancing_share    {"percent": "20"}

Pure: plain values in, frozen dataclasses out. Messages are English sources marked with ``gettext_noop``
and filled with ``params`` by the Django layer (``_(message) % params``).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from casacomuni.lib.i18n import gettext_noop

ELIGIBLE = "eligible"
NOT_ELIGIBLE = "not_eligible"
UNKNOWN = "unknown"
CONDITION = "condition"  # a reason that does not decide: the applicant must meet it when applying

ENTITY_TYPE = "entity_type"
POPULATION_MIN = "population_min"
POPULATION_MAX = "population_max"
REGIONS = "regions"
PROVINCES = "provinces"
SPECIAL_TERRITORY = "special_territory"
ASSOCIATION_REQUIRED = "association_required"
NAMED_COMUNI = "named_comuni"
COFINANCING_SHARE = "cofinancing_share"
KINDS = (
    ENTITY_TYPE,
    POPULATION_MIN,
    POPULATION_MAX,
    REGIONS,
    PROVINCES,
    SPECIAL_TERRITORY,
    ASSOCIATION_REQUIRED,
    NAMED_COMUNI,
    COFINANCING_SHARE,
)

# Applicant types a call may name, and which of them a Comune or a Unione falls under.
MUNICIPALITY = "municipality"
UNION = "union"
PROVINCE = "province"
LOCAL_AUTHORITY = "local_authority"  # "enti locali" (TUEL art. 2): comuni, unioni, province, città metrop.
PUBLIC_BODY = "public_body"  # any public administration ("enti pubblici")
ENTERPRISE = "enterprise"
NON_PROFIT = "non_profit"
RESEARCH = "research"
CITIZEN = "citizen"
ENTITY_TYPES = (
    MUNICIPALITY,
    UNION,
    PROVINCE,
    LOCAL_AUTHORITY,
    PUBLIC_BODY,
    ENTERPRISE,
    NON_PROFIT,
    RESEARCH,
    CITIZEN,
)
COVERED_BY = {
    MUNICIPALITY: {MUNICIPALITY, LOCAL_AUTHORITY, PUBLIC_BODY},
    UNION: {UNION, LOCAL_AUTHORITY, PUBLIC_BODY},
    PROVINCE: {PROVINCE, LOCAL_AUTHORITY, PUBLIC_BODY},
}


@dataclass(frozen=True)
class Profile:
    """What the engine knows of an applicant. ``None`` means unknown."""

    entity_type: str = MUNICIPALITY
    istat_code: str | None = None
    name: str = ""
    population: int | None = None
    region_code: str | None = None
    province_sigla: str | None = None
    member_count: int | None = None  # a Unione's member comuni


@dataclass(frozen=True)
class Criterion:
    kind: str
    value: Mapping = field(default_factory=dict)
    excerpt: str = ""


@dataclass(frozen=True)
class Reason:
    kind: str
    outcome: str
    message: str
    params: Mapping = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    outcome: str
    reasons: tuple[Reason, ...] = ()

    @property
    def is_eligible(self) -> bool:
        return self.outcome == ELIGIBLE


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _codes(value: Mapping, key: str) -> frozenset[str]:
    items = value.get(key) if isinstance(value, Mapping) else None
    if isinstance(items, str):
        items = items.replace(",", " ").split()
    if not isinstance(items, Iterable):
        return frozenset()
    return frozenset(str(item).strip().upper() for item in items if str(item).strip())


def _incomplete(kind: str) -> Reason:
    return Reason(kind, UNKNOWN, gettext_noop("The criterion is incomplete: review it."))


def check(criterion: Criterion, profile: Profile) -> Reason:
    """The outcome of one criterion for one profile."""
    kind, value = criterion.kind, criterion.value if isinstance(criterion.value, Mapping) else {}
    checker = _CHECKERS.get(kind)
    if checker is None:
        return Reason(kind, UNKNOWN, gettext_noop("Unknown kind of criterion: review it."))
    return checker(kind, value, profile)


def _entity_type(kind, value, profile):
    types = {t.lower() for t in _codes(value, "types")}
    if not types:
        return _incomplete(kind)
    covered = COVERED_BY.get(profile.entity_type)
    if covered is None:
        return Reason(kind, UNKNOWN, gettext_noop("The applicant's type is not known."))
    params = {"types": ", ".join(sorted(types))}
    if covered & types:
        return Reason(
            kind, ELIGIBLE, gettext_noop("The call is open to this type of body (%(types)s)."), params
        )
    other = _others(value)
    if other:
        # The call names applicants the platform cannot classify: the applicant may be one of them.
        return Reason(
            kind,
            UNKNOWN,
            gettext_noop("The call is open to %(types)s and to: %(other)s. Check whether this body is one."),
            params | {"other": ", ".join(other)},
        )
    return Reason(kind, NOT_ELIGIBLE, gettext_noop("The call is open only to: %(types)s."), params)


def _others(value: Mapping) -> list[str]:
    items = value.get("other")
    if not isinstance(items, list):
        return []
    return [str(item).strip() for item in items if str(item).strip()]


def _population(kind, value, profile):
    limit = _int(value.get("limit"))
    if limit is None:
        return _incomplete(kind)
    inclusive = bool(value.get("inclusive", kind == POPULATION_MIN))
    params = {"limit": limit, "population": profile.population}
    if profile.population is None:
        return Reason(kind, UNKNOWN, gettext_noop("Population unknown (limit %(limit)s)."), params)
    if kind == POPULATION_MAX:
        ok = profile.population <= limit if inclusive else profile.population < limit
        if ok:
            message = gettext_noop("Population %(population)s within the ceiling of %(limit)s.")
        elif inclusive:
            message = gettext_noop("Population %(population)s above the ceiling of %(limit)s.")
        else:
            message = gettext_noop("Population %(population)s not below %(limit)s.")
    else:
        ok = profile.population >= limit if inclusive else profile.population > limit
        if ok:
            message = gettext_noop("Population %(population)s meets the floor of %(limit)s.")
        else:
            message = gettext_noop("Population %(population)s below the floor of %(limit)s.")
    return Reason(kind, ELIGIBLE if ok else NOT_ELIGIBLE, message, params)


def _membership(field_name: str, key: str, known: str, inside: str, outside: str):
    def checker(kind, value, profile):
        codes = _codes(value, key)
        if not codes:
            return _incomplete(kind)
        own = getattr(profile, field_name)
        params = {"value": own or "", "label": str(value.get("label", "")), "count": len(codes)}
        if not own:
            return Reason(kind, UNKNOWN, known, params)
        if own.upper() in codes:
            return Reason(kind, ELIGIBLE, inside, params)
        return Reason(kind, NOT_ELIGIBLE, outside, params)

    return checker


def _association(kind, value, profile):
    minimum = _int(value.get("min_members"))
    if minimum is None:
        return _incomplete(kind)
    params = {"minimum": minimum}
    if profile.entity_type == UNION and profile.member_count is not None and profile.member_count >= minimum:
        return Reason(kind, ELIGIBLE, gettext_noop("The Unione has at least %(minimum)s members."), params)
    return Reason(
        kind, CONDITION, gettext_noop("Apply in association with at least %(minimum)s members."), params
    )


def _cofinancing(kind, value, profile):
    try:
        percent = Decimal(str(value.get("percent")))
    except (InvalidOperation, ValueError):
        return _incomplete(kind)
    if not percent.is_finite() or not 0 <= percent <= 100:
        return _incomplete(kind)
    return Reason(
        kind, CONDITION, gettext_noop("Co-financing of %(percent)s%% required."), {"percent": f"{percent:g}"}
    )


_CHECKERS = {
    ENTITY_TYPE: _entity_type,
    POPULATION_MIN: _population,
    POPULATION_MAX: _population,
    REGIONS: _membership(
        "region_code",
        "codes",
        gettext_noop("Region unknown."),
        gettext_noop("In one of the regions of the call."),
        gettext_noop("Not in the regions of the call."),
    ),
    PROVINCES: _membership(
        "province_sigla",
        "siglas",
        gettext_noop("Province unknown."),
        gettext_noop("In one of the provinces of the call (%(value)s)."),
        gettext_noop("Not in the provinces of the call."),
    ),
    SPECIAL_TERRITORY: _membership(
        "istat_code",
        "istat_codes",
        gettext_noop("ISTAT code unknown."),
        gettext_noop("In the special territory of the call (%(label)s)."),
        gettext_noop("Not in the special territory of the call (%(label)s)."),
    ),
    ASSOCIATION_REQUIRED: _association,
    NAMED_COMUNI: _membership(
        "istat_code",
        "istat_codes",
        gettext_noop("ISTAT code unknown."),
        gettext_noop("Named in the call's list of comuni."),
        gettext_noop("Not in the call's list of %(count)s comuni."),
    ),
    COFINANCING_SHARE: _cofinancing,
}


def verdict(criteria: Iterable[Criterion], profile: Profile) -> Verdict:
    """The verdict of ``criteria`` (all of one call) for ``profile``, with one reason per criterion."""
    reasons = tuple(check(criterion, profile) for criterion in criteria)
    if not reasons:
        return Verdict(UNKNOWN, (Reason("", UNKNOWN, gettext_noop("No criteria annotated yet.")),))
    outcomes = {reason.outcome for reason in reasons}
    if NOT_ELIGIBLE in outcomes:
        return Verdict(NOT_ELIGIBLE, reasons)
    if UNKNOWN in outcomes:
        return Verdict(UNKNOWN, reasons)
    if ELIGIBLE not in outcomes:
        # Only conditions (association, co-financing): nothing said about who may apply.
        return Verdict(UNKNOWN, reasons)
    return Verdict(ELIGIBLE, reasons)


# --- fast matching -----------------------------------------------------------------------------------------
# Matching every open call against every comune of Italy needs the outcome only, millions of times: each
# criterion is compiled once into a predicate on the profile that gives the same outcome as ``check`` (a
# property test holds them together) without building reasons.


def _compile(criterion: Criterion):
    kind = criterion.kind
    value = criterion.value if isinstance(criterion.value, Mapping) else {}
    probe = check(criterion, Profile(entity_type="", population=None))
    if probe.message == gettext_noop("The criterion is incomplete: review it.") or kind not in _CHECKERS:
        return lambda profile: UNKNOWN
    if kind == ENTITY_TYPE:
        types = {t.lower() for t in _codes(value, "types")}
        excluded = UNKNOWN if _others(value) else NOT_ELIGIBLE
        table = {
            entity: (ELIGIBLE if covered & types else excluded) for entity, covered in COVERED_BY.items()
        }
        return lambda profile: table.get(profile.entity_type, UNKNOWN)
    if kind in (POPULATION_MIN, POPULATION_MAX):
        limit = _int(value.get("limit"))
        inclusive = bool(value.get("inclusive", kind == POPULATION_MIN))
        if kind == POPULATION_MAX:
            if inclusive:
                return lambda p: (
                    UNKNOWN if p.population is None else ELIGIBLE if p.population <= limit else NOT_ELIGIBLE
                )
            return lambda p: (
                UNKNOWN if p.population is None else ELIGIBLE if p.population < limit else NOT_ELIGIBLE
            )
        if inclusive:
            return lambda p: (
                UNKNOWN if p.population is None else ELIGIBLE if p.population >= limit else NOT_ELIGIBLE
            )
        return lambda p: (
            UNKNOWN if p.population is None else ELIGIBLE if p.population > limit else NOT_ELIGIBLE
        )
    if kind in _MEMBERSHIP_FIELDS:
        attribute, key = _MEMBERSHIP_FIELDS[kind]
        codes = _codes(value, key)

        def member(profile):
            own = getattr(profile, attribute)
            if not own:
                return UNKNOWN
            return ELIGIBLE if own.upper() in codes else NOT_ELIGIBLE

        return member
    if kind == ASSOCIATION_REQUIRED:
        minimum = _int(value.get("min_members"))
        return lambda p: (
            ELIGIBLE
            if p.entity_type == UNION and p.member_count is not None and p.member_count >= minimum
            else CONDITION
        )
    return lambda profile: CONDITION  # co-financing: a condition, already validated by the probe


_MEMBERSHIP_FIELDS = {
    REGIONS: ("region_code", "codes"),
    PROVINCES: ("province_sigla", "siglas"),
    SPECIAL_TERRITORY: ("istat_code", "istat_codes"),
    NAMED_COMUNI: ("istat_code", "istat_codes"),
}


class Matcher:
    """The criteria of one call, compiled: ``outcome(profile)`` fast, ``verdict(profile)`` with reasons."""

    def __init__(self, criteria: Iterable[Criterion]):
        self.criteria = tuple(criteria)
        self._predicates = tuple(_compile(c) for c in self.criteria)

    def outcome(self, profile: Profile) -> str:
        if not self._predicates:
            return UNKNOWN
        seen_unknown = seen_eligible = False
        for predicate in self._predicates:
            result = predicate(profile)
            if result == NOT_ELIGIBLE:
                return NOT_ELIGIBLE
            if result == UNKNOWN:
                seen_unknown = True
            elif result == ELIGIBLE:
                seen_eligible = True
        if seen_unknown or not seen_eligible:
            return UNKNOWN
        return ELIGIBLE

    def verdict(self, profile: Profile) -> Verdict:
        return verdict(self.criteria, profile)
