"""The procedure router: what the law allows for a contract, and who may run it (D.Lgs. 36/2023).

From the object, the value (options and renewals included, art. 14 c.4), the day the procedure starts, the
buyer Comune's qualification and the SUA's, it answers, each answer with the article that decides it:

- the allowed procedures and the minimum number of operators to consult (art. 50 c.1 below the EU threshold,
  artt. 70-76 above it);
- whether the Comune may proceed by itself or must go through a qualified SUA, and whether the SUA's level
  suffices (art. 62 c.1, art. 63, Allegato II.4);
- which ANAC form obtains the CIG [unverified mapping, DOMAIN §4.7];
- whether the automatic exclusion of anomalous bids can apply (art. 54 c.1);
- whether OEPV is mandatory (art. 108 c.2, recalled below threshold by art. 50 c.4);
- the rotation reminder (art. 49) and the self-declaration rule for small direct awards (art. 52 c.1).

Pure: plain values in, frozen dataclasses out. Each answer carries an English source message, marked with
``gettext_noop`` and filled with ``params``: the Django layer translates it (the UI shows it in Italian).
Article references are Italian legal citations and are not translated. Amounts in params are formatted the
Italian way ("140.000,00 €").
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from casacomuni.lib.i18n import gettext_noop

from . import deadlines as procs
from .thresholds import (
    PERIODS,
    SOCIAL,
    SUB_CENTRAL,
    SUPPLIES_SERVICES,
    WORKS,
    as_amount,
    period_on,
    threshold_on,
)

CODE = "D.Lgs. 36/2023"

# Objects of the contract.
OBJECT_WORKS = "works"
OBJECT_SERVICES = "services"
OBJECT_SUPPLIES = "supplies"
OBJECT_SOCIAL_SERVICES = "social_services"
OBJECT_ENGINEERING = "engineering"  # engineering and architecture services, design (art. 50 c.1 lett. b)
OBJECTS = (OBJECT_WORKS, OBJECT_SERVICES, OBJECT_SUPPLIES, OBJECT_SOCIAL_SERVICES, OBJECT_ENGINEERING)

# Qualification levels of a contracting authority (Allegato II.4).
NONE = "none"
BASIC = "basic"
INTERMEDIATE = "intermediate"
ADVANCED = "advanced"
LEVELS = (NONE, BASIC, INTERMEDIATE, ADVANCED)

# Reading of the limits up to which a non-qualified authority acts alone (DOMAIN §4.3, [unverified] which
# prevails): ANAC's FAQ requires a qualified SUA only *above* the limit, Allegato II.4 "equal or above".
STRICTLY_ABOVE = "strictly_above"
AT_OR_ABOVE = "at_or_above"
BOUNDARY_READINGS = (STRICTLY_ABOVE, AT_OR_ABOVE)

LOWEST_PRICE = "lowest_price"
OEPV = "oepv"
CRITERIA = (LOWEST_PRICE, OEPV)

# Anomalous bids.
ANOMALY_IF_FIVE_BIDS = "applies_if_at_least_5_admitted_bids"
ANOMALY_NOT_APPLICABLE = "not_applicable"

# Amounts fixed by the code (euro, net of VAT).
DIRECT_AWARD_WORKS_BELOW = Decimal("150000")  # art. 50 c.1 lett. a
DIRECT_AWARD_SERVICES_BELOW = Decimal("140000")  # art. 50 c.1 lett. b
TEN_OPERATORS_WORKS_FROM = Decimal("1000000")  # art. 50 c.1 lett. d
ALONE_WORKS_UP_TO = Decimal("500000")  # art. 62 c.1
ALONE_SERVICES_UP_TO = Decimal("140000")  # art. 62 c.1 (the direct-award limit)
OEPV_TECHNICAL_FROM = Decimal("140000")  # art. 108 c.2 lett. b-c
SELF_DECLARATION_BELOW = Decimal("40000")  # art. 52 c.1
ROTATION_WAIVER_BELOW = Decimal("5000")  # art. 49 c.6
AD5_BELOW = Decimal("5000")  # DOMAIN §4.7 [unverified]

# Allegato II.4: the amount each level may award, per family ("works" / "services"); None means no limit,
# "eu" the EU works threshold in force.
LEVEL_LIMITS: dict[str, dict[str, Decimal | str | None]] = {
    NONE: {"works": Decimal("0"), "services": Decimal("0")},
    BASIC: {"works": Decimal("1000000"), "services": Decimal("750000")},
    INTERMEDIATE: {"works": "eu", "services": Decimal("5000000")},
    ADVANCED: {"works": None, "services": None},
}

# ANAC's PCP forms ("schede") that obtain the CIG (DOMAIN §4.7). The codes exist in ANAC's public
# specification (GitHub anticorruzione/npa, docs/modello-dati/regole); which one fits each procedure is
# [unverified]: every answer citing them is flagged unverified.
ANAC_FORMS = {
    "direct_award_small": "AD5",
    "direct_award": "AD3",
    procs.NEGOTIATED_BELOW_THRESHOLD: "P7_1_3",
    "notice_below_threshold": "P2_16",
    "notice_above_threshold": "P1_16",
}
ANAC_FORMS_ARTICLE = f"art. 23, {CODE}; ANAC, Piattaforma Contratti Pubblici (schede)"


@dataclass(frozen=True)
class Answer[T]:
    """One answer of the router: its value, the article that decides it and the explanation."""

    value: T
    article: str
    message: str
    params: dict = field(default_factory=dict)
    unverified: bool = False

    def explanation(self, translate=None) -> str:
        """The explanation, translated by ``translate`` (e.g. Django's gettext) when given."""
        text = translate(self.message) if translate else self.message
        return text % self.params


@dataclass(frozen=True)
class ProcedureOption:
    """A procedure the law allows; ``min_operators`` None means a public notice open to every operator."""

    code: str
    article: str
    min_operators: int | None
    anac_form: str | None


@dataclass(frozen=True)
class OepvFlags:
    """Facts about the object that make OEPV mandatory (art. 108 c.2); the object kind adds its own."""

    catering: bool = False  # hospital, care and school catering (lett. a)
    labour_intensive: bool = False  # Allegato I.1 art. 2 c.1 lett. e (lett. a)
    intellectual: bool = False  # technical and intellectual services (lett. b)
    innovative: bool = False  # notable technological content or innovative (lett. c)
    dialogue_or_partnership: bool = False  # competitive dialogue, innovation partnership (lett. d)


@dataclass(frozen=True)
class RouteDecision:
    object_kind: str
    amount: Decimal
    day: date
    threshold: Answer
    above_threshold: Answer
    procedures: Answer
    min_operators: Answer
    may_proceed_alone: Answer
    sua_level_suffices: Answer
    anac_form: Answer
    anomaly_exclusion: Answer
    oepv_mandatory: Answer
    rotation: Answer | None
    self_declaration: Answer | None

    def answers(self) -> dict[str, Answer]:
        """Every answer given, by name (rotation and self-declaration only where they apply)."""
        names = (
            "threshold",
            "above_threshold",
            "procedures",
            "min_operators",
            "may_proceed_alone",
            "sua_level_suffices",
            "anac_form",
            "anomaly_exclusion",
            "oepv_mandatory",
            "rotation",
            "self_declaration",
        )
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}


class RouteError(ValueError):
    """``message`` is an English source string; ``params`` fill its %(name)s placeholders."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


# Bands of art. 50 c.1.
DIRECT = "direct"
NEGOTIATED_FIVE = "negotiated_five"
NEGOTIATED_TEN = "negotiated_ten"
ABOVE = "above"


@dataclass(frozen=True)
class _Facts:
    """The inputs once checked, and what follows from them at once."""

    kind: str
    amount: Decimal
    day: date
    threshold: Decimal
    band: str
    works: bool
    periods: tuple


def format_euro(amount: Decimal) -> str:
    """An amount the Italian way: 1.000.000,00 €."""
    text = format(amount.quantize(Decimal("0.01")), ",.2f")
    return text.replace(",", "_").replace(".", ",").replace("_", ".") + " €"


def threshold_kind(object_kind: str) -> str:
    """The kind of art. 14 threshold that applies to an object."""
    if object_kind == OBJECT_WORKS:
        return WORKS
    if object_kind == OBJECT_SOCIAL_SERVICES:
        return SOCIAL
    return SUPPLIES_SERVICES


def route(
    object_kind: str,
    amount,
    day: date,
    *,
    buyer_qualification: str = NONE,
    sua_qualification: str | None = None,
    criterion: str | None = None,
    oepv_flags: OepvFlags = OepvFlags(),
    cross_border_interest: bool = False,
    authority: str = SUB_CENTRAL,
    autonomy_boundary: str = STRICTLY_ABOVE,
    ordinary_below_threshold: bool = False,
    periods=PERIODS,
) -> RouteDecision:
    """Route a contract through D.Lgs. 36/2023 (see the module docstring for what is answered).

    ``amount`` includes options and renewals (art. 14 c.4); ``day`` is when the procedure starts.
    ``buyer_qualification`` and ``sua_qualification`` are levels of Allegato II.4 held for the family of this
    contract (works, or services and supplies); ``sua_qualification`` None means not stated.
    ``criterion`` is the award criterion if already chosen. ``ordinary_below_threshold`` lists the ordinary
    procedures below the threshold too (ANAC's reading that they may be used "in via generale"; the text of
    art. 50 c.1 lett. d names them only for works from 1,000,000).
    """
    facts = _facts(object_kind, amount, day, authority, periods)
    _check(buyer_qualification, LEVELS, "qualification")
    if sua_qualification is not None:
        _check(sua_qualification, LEVELS, "qualification")
    if criterion is not None:
        _check(criterion, CRITERIA, "criterion")
    _check(autonomy_boundary, BOUNDARY_READINGS, "boundary reading")
    procedures = _procedures(facts, ordinary_below_threshold)
    oepv = _oepv(facts, oepv_flags)
    return RouteDecision(
        object_kind=facts.kind,
        amount=facts.amount,
        day=facts.day,
        threshold=_threshold(facts),
        above_threshold=_above_threshold(facts),
        procedures=procedures,
        min_operators=_min_operators(facts, procedures),
        may_proceed_alone=_may_proceed_alone(facts, buyer_qualification, autonomy_boundary),
        sua_level_suffices=_sua_level(facts, sua_qualification, autonomy_boundary),
        anac_form=_anac_form(facts, procedures),
        anomaly_exclusion=_anomaly(facts, criterion, oepv.value, cross_border_interest),
        oepv_mandatory=oepv,
        rotation=_rotation(facts),
        self_declaration=_self_declaration(facts),
    )


def _facts(object_kind, amount, day, authority, periods) -> _Facts:
    _check(object_kind, OBJECTS, "object")
    value = as_amount(amount)
    threshold = threshold_on(threshold_kind(object_kind), day, authority, periods=periods)
    works = object_kind == OBJECT_WORKS
    direct_below = DIRECT_AWARD_WORKS_BELOW if works else DIRECT_AWARD_SERVICES_BELOW
    if value >= threshold:
        band = ABOVE
    elif value < direct_below:
        band = DIRECT
    elif works and value >= TEN_OPERATORS_WORKS_FROM:
        band = NEGOTIATED_TEN
    else:
        band = NEGOTIATED_FIVE
    return _Facts(object_kind, value, day, threshold, band, works, periods)


def _check(value, choices, name) -> None:
    if value not in choices:
        raise RouteError(
            gettext_noop("Unknown %(name)s %(value)s: expected one of %(choices)s."),
            name=name,
            value=value,
            choices=", ".join(choices),
        )


def _threshold(facts: _Facts) -> Answer:
    return Answer(
        facts.threshold,
        f"art. 14, commi 1 e 4, {CODE}",
        gettext_noop(
            "The EU threshold in force on %(day)s is %(threshold)s (%(source)s). The value to compare "
            "includes options and renewals."
        ),
        {
            "day": facts.day.strftime("%d/%m/%Y"),
            "threshold": format_euro(facts.threshold),
            "source": period_on(facts.day, facts.periods).source,
        },
    )


def _above_threshold(facts: _Facts) -> Answer:
    params = {"amount": format_euro(facts.amount), "threshold": format_euro(facts.threshold)}
    if facts.band == ABOVE:
        message = gettext_noop(
            "%(amount)s reaches the EU threshold of %(threshold)s: the contract is of European relevance."
        )
    else:
        message = gettext_noop("%(amount)s is below the EU threshold of %(threshold)s.")
    return Answer(facts.band == ABOVE, f"art. 14, {CODE}; Dir. 2014/24/UE, art. 4", message, params)


def _procedures(facts: _Facts, ordinary_below_threshold: bool) -> Answer[tuple[ProcedureOption, ...]]:
    """Art. 50 c.1 below the threshold, artt. 70-76 above it."""
    band, works = facts.band, facts.works
    if band == ABOVE:
        return _above_threshold_procedures()
    if band == DIRECT:
        letter = "a" if works else "b"
        limit = DIRECT_AWARD_WORKS_BELOW if works else DIRECT_AWARD_SERVICES_BELOW
        small = facts.amount < AD5_BELOW
        form = ANAC_FORMS["direct_award_small" if small else "direct_award"]
        options = [ProcedureOption(procs.DIRECT_AWARD, _art50(letter), 1, form)]
        message = gettext_noop(
            "Below %(limit)s a direct award is allowed, even without consulting several operators, to an "
            "operator with documented previous experience suited to the contract."
        )
        params: dict[str, object] = {"limit": format_euro(limit)}
    else:
        letter, count = ("d", 10) if band == NEGOTIATED_TEN else ("c" if works else "e", 5)
        form = ANAC_FORMS[procs.NEGOTIATED_BELOW_THRESHOLD]
        article = f"art. 50, comma 1, lett. {letter}), e comma 2, {CODE}"  # c.2: how invitees are chosen
        options = [ProcedureOption(procs.NEGOTIATED_BELOW_THRESHOLD, article, count, form)]
        params = {"threshold": format_euro(facts.threshold), "count": count}
        message = _NEGOTIATED_MESSAGES[band == NEGOTIATED_TEN or ordinary_below_threshold]
        if band == NEGOTIATED_TEN or ordinary_below_threshold:
            options += _ordinary_options(ANAC_FORMS["notice_below_threshold"])
    return Answer(tuple(options), options[0].article, message, params)


# Keyed by "may an ordinary procedure be used instead"; whole sentences so that the catalogue has them.
_NEGOTIATED_MESSAGES = {
    False: gettext_noop(
        "Below the EU threshold of %(threshold)s the contract is awarded by negotiated procedure without "
        "notice, consulting at least %(count)d operators where they exist, chosen from registers or market "
        "surveys and never by random draw; their names are published."
    ),
    True: gettext_noop(
        "Below the EU threshold of %(threshold)s the contract is awarded by negotiated procedure without "
        "notice, consulting at least %(count)d operators where they exist, chosen from registers or market "
        "surveys and never by random draw, their names published; or by an ordinary procedure."
    ),
}


def _art50(letter: str) -> str:
    return f"art. 50, comma 1, lett. {letter}), {CODE}"


def _ordinary_options(open_form: str) -> list[ProcedureOption]:
    return [
        ProcedureOption(procs.OPEN, f"art. 71, {CODE}", None, open_form),
        ProcedureOption(procs.RESTRICTED, f"art. 72, {CODE}", None, None),
        ProcedureOption(procs.COMPETITIVE_NEGOTIATION, f"art. 73, {CODE}", None, None),
        ProcedureOption(procs.COMPETITIVE_DIALOGUE, f"art. 74, {CODE}", None, None),
        ProcedureOption(procs.INNOVATION_PARTNERSHIP, f"art. 75, {CODE}", None, None),
    ]


def _above_threshold_procedures() -> Answer:
    options = _ordinary_options(ANAC_FORMS["notice_above_threshold"])
    options.append(ProcedureOption(procs.NEGOTIATED_WITHOUT_NOTICE, f"art. 76, {CODE}", None, None))
    return Answer(
        tuple(options),
        f"artt. 70-76, {CODE}",
        gettext_noop(
            "At or above the EU threshold the ordinary procedures apply: open, restricted, competitive "
            "procedure with negotiation, competitive dialogue, innovation partnership. The negotiated "
            "procedure without notice only in the cases art. 76 lists, with reasons."
        ),
    )


def _min_operators(facts: _Facts, procedures: Answer) -> Answer:
    first = procedures.value[0]
    if first.min_operators is None:
        message = gettext_noop(
            "A public notice opens the procedure to every operator: there is no list of invitees."
        )
    elif first.min_operators == 1:
        message = gettext_noop("A direct award needs a single operator; comparing several quotes is allowed.")
    else:
        message = gettext_noop("At least %(count)d operators must be invited, where they exist.")
    return Answer(first.min_operators, first.article, message, {"count": first.min_operators or 0})


def _autonomy(facts: _Facts, reading: str) -> tuple[bool, Decimal]:
    """Art. 62 c.1: whether this amount needs a qualified authority, and the limit that decides it."""
    limit = ALONE_WORKS_UP_TO if facts.works else ALONE_SERVICES_UP_TO
    needs = facts.amount > limit if reading == STRICTLY_ABOVE else facts.amount >= limit
    return needs, limit


def _may_proceed_alone(facts: _Facts, buyer_level: str, reading: str) -> Answer:
    """Art. 62 c.1: any authority awards by itself services and supplies up to the direct-award limit and
    works up to 500,000; beyond, only if qualified (art. 63, Allegato II.4), else through a qualified SUA."""
    needs, limit = _autonomy(facts, reading)
    params = {"limit": format_euro(limit)}
    on_boundary = facts.amount == limit  # only there does the [unverified] reading change the answer
    if not needs:
        message = gettext_noop(
            "Up to %(limit)s any contracting authority, qualified or not, may award this contract by itself."
        )
        return Answer(
            True, f"art. 62, comma 1, {CODE}; Allegato II.4", message, params, unverified=on_boundary
        )
    if _level_covers(buyer_level, facts):
        message = gettext_noop("Above %(limit)s the Comune's own qualification covers this amount.")
        return Answer(True, f"artt. 62-63, {CODE}; Allegato II.4", message, params, unverified=on_boundary)
    message = gettext_noop(
        "Above %(limit)s an authority without a sufficient qualification obtains no CIG by itself: a "
        "qualified SUA or central purchasing body must run the procedure (ordering through a central "
        "purchasing body's instruments remains possible)."
    )
    return Answer(False, f"artt. 62-63, {CODE}; Allegato II.4", message, params, unverified=on_boundary)


def level_limit(level: str, object_kind: str, day: date, periods=PERIODS) -> Decimal | None:
    """The highest amount ``level`` may award for this object (Allegato II.4); None means unlimited."""
    _check(level, LEVELS, "qualification")
    limit = LEVEL_LIMITS[level]["works" if object_kind == OBJECT_WORKS else "services"]
    if limit == "eu":
        return threshold_on(WORKS, day, periods=periods)
    if isinstance(limit, str):
        raise ValueError(f"unknown limit {limit!r} for {level}")
    return limit


def _level_covers(level: str, facts: _Facts) -> bool:
    if level == NONE:
        return False
    limit = level_limit(level, facts.kind, facts.day, facts.periods)
    return limit is None or facts.amount <= limit


def _sua_level(facts: _Facts, level: str | None, reading: str) -> Answer:
    """Whether the SUA may run this procedure: within the limits of art. 62 c.1 any authority may, beyond
    them only one whose Allegato II.4 level covers the amount."""
    article = f"art. 63, {CODE}; Allegato II.4"
    if level is None:
        return Answer(
            None, article, gettext_noop("State the SUA's qualification level to check whether it suffices.")
        )
    needs, autonomy_limit = _autonomy(facts, reading)
    if not needs:
        message = gettext_noop("Up to %(limit)s no qualification is needed: any SUA may run this procedure.")
        params = {"limit": format_euro(autonomy_limit)}
        return Answer(
            True, f"art. 62, comma 1, {CODE}", message, params, unverified=facts.amount == autonomy_limit
        )
    limit = level_limit(level, facts.kind, facts.day, facts.periods)
    if limit is None:
        return Answer(True, article, gettext_noop("The SUA's qualification level has no amount limit."))
    params = {"limit": format_euro(max(limit, autonomy_limit))}
    if _level_covers(level, facts):
        return Answer(
            True, article, gettext_noop("The SUA's qualification level covers up to %(limit)s."), params
        )
    message = gettext_noop(
        "The SUA's qualification covers only up to %(limit)s: a SUA or central purchasing body with a "
        "higher level must run this procedure."
    )
    return Answer(False, article, message, params)


def _anac_form(facts: _Facts, procedures: Answer) -> Answer:
    form = procedures.value[0].anac_form
    message = gettext_noop(
        "The CIG is obtained by sending ANAC form %(form)s through the certified platform (to be confirmed "
        "on ANAC's Piattaforma Contratti Pubblici)."
    )
    return Answer(form, ANAC_FORMS_ARTICLE, message, {"form": form}, unverified=True)


def _anomaly(facts: _Facts, criterion: str | None, oepv_mandatory: bool, cross_border: bool) -> Answer:
    """Art. 54 c.1: automatic exclusion only with the lowest price, for works or services below the threshold
    without certain cross-border interest, never for direct awards, and with at least 5 admitted bids."""
    article = f"art. 54, comma 1, {CODE}; Allegato II.2"
    reasons = [
        (
            facts.band == ABOVE,
            gettext_noop("No automatic exclusion of anomalous bids above the EU threshold."),
        ),
        (facts.band == DIRECT, gettext_noop("No automatic exclusion of anomalous bids in a direct award.")),
        (
            facts.kind == OBJECT_SUPPLIES,
            gettext_noop("No automatic exclusion of anomalous bids for supplies."),
        ),
        (
            cross_border,
            gettext_noop(
                "No automatic exclusion of anomalous bids: the contract has a certain cross-border interest."
            ),
        ),
        (
            oepv_mandatory or criterion == OEPV,
            gettext_noop(
                "No automatic exclusion of anomalous bids: it applies only with the lowest-price criterion."
            ),
        ),
    ]
    for applies, message in reasons:
        if applies:
            return Answer(ANOMALY_NOT_APPLICABLE, article, message)
    message = gettext_noop(
        "With the lowest-price criterion the tender documents provide for the automatic exclusion of "
        "anomalous bids (method A, B or C of Allegato II.2): it applies if at least 5 bids are admitted."
    )
    return Answer(ANOMALY_IF_FIVE_BIDS, article, message)


def _oepv(facts: _Facts, flags: OepvFlags) -> Answer[bool]:
    """Art. 108 c.2 (recalled for negotiated procedures below the threshold by art. 50 c.4)."""
    if facts.band == DIRECT:
        return Answer(
            False,
            f"art. 50, commi 1 e 4, {CODE}",
            gettext_noop("A direct award involves no comparative award criterion."),
        )
    technical = facts.amount >= OEPV_TECHNICAL_FROM
    cases = [
        ("a", facts.kind == OBJECT_SOCIAL_SERVICES or flags.catering or flags.labour_intensive),
        ("b", technical and (facts.kind == OBJECT_ENGINEERING or flags.intellectual)),
        ("c", technical and flags.innovative and facts.kind in (OBJECT_SERVICES, OBJECT_SUPPLIES)),
        ("d", flags.dialogue_or_partnership),
    ]
    for letter, applies in cases:
        if applies:
            return Answer(True, f"art. 108, comma 2, lett. {letter}), {CODE}", _OEPV_REASONS[letter])
    return Answer(
        False,
        f"art. 50, comma 4, e art. 108, {CODE}",
        gettext_noop("OEPV is not mandatory: the lowest price or OEPV may be chosen."),
    )


_OEPV_REASONS = {
    "a": gettext_noop(
        "OEPV (best price-quality ratio) is mandatory for social services, hospital, care and school catering "
        "and labour-intensive services."
    ),
    "b": gettext_noop(
        "OEPV is mandatory for engineering, architecture and other technical and intellectual services of "
        "140.000,00 € or more."
    ),
    "c": gettext_noop(
        "OEPV is mandatory for services and supplies of 140.000,00 € or more with notable technological "
        "content or an innovative character."
    ),
    "d": gettext_noop("OEPV is mandatory in a competitive dialogue and an innovation partnership."),
}


def _rotation(facts: _Facts) -> Answer | None:
    """Art. 49: below the threshold the outgoing contractor is not re-awarded in the same sector."""
    if facts.band == ABOVE:
        return None
    waivable = facts.band == DIRECT and facts.amount < ROTATION_WAIVER_BELOW
    message = _ROTATION_MESSAGES[waivable]
    return Answer(True, f"art. 49, {CODE}", message)


_ROTATION_MESSAGES = {
    False: gettext_noop(
        "Rotation: the outgoing contractor may not be invited or awarded again when two consecutive awards "
        "concern the same commodity sector, works category or service sector (amount bands may be set); an "
        "exception needs reasons on the market's structure, the lack of alternatives and the quality of the "
        "previous execution. It does not apply when the market survey put no limit on the invitees."
    ),
    True: gettext_noop(
        "Rotation: the outgoing contractor may not be invited or awarded again when two consecutive awards "
        "concern the same commodity sector, works category or service sector (amount bands may be set); an "
        "exception needs reasons on the market's structure, the lack of alternatives and the quality of the "
        "previous execution. Below 5.000,00 € a direct award may derogate from rotation."
    ),
}


def _self_declaration(facts: _Facts) -> Answer | None:
    """Art. 52 c.1: direct awards below 40,000 rely on self-declarations, checked on a sample."""
    if facts.band != DIRECT or facts.amount >= SELF_DECLARATION_BELOW:
        return None
    return Answer(
        True,
        f"art. 52, comma 1, {CODE}",
        gettext_noop(
            "Below 40.000,00 € the operator declares its requirements by self-declaration; the authority "
            "checks them on a sample drawn each year with predetermined rules."
        ),
    )
