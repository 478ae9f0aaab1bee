"""Choosing the operators to invite to a negotiated procedure: rotation (art. 49 D.Lgs. 36/2023) and the SOA
class that covers the amount of a works lot.

Art. 49 D.Lgs. 36/2023:
- c.2: "è vietato l'affidamento o l'aggiudicazione di un appalto al contraente uscente nei casi in cui due
  consecutivi affidamenti abbiano a oggetto una commessa rientrante nello stesso settore merceologico, oppure
  nella stessa categoria di opere, oppure nello stesso settore di servizi";
- c.3: the authority may split the awards into bands by value ("fasce"): the ban then applies within each band;
- c.4: "in casi motivati con riferimento alla struttura del mercato e alla effettiva assenza di alternative,
  nonché di accurata esecuzione del precedente contratto, il contraente uscente può essere reinvitato o essere
  individuato quale affidatario diretto";
- c.5: for the negotiated procedures of art. 50 c.1 lett. c), d), e) rotation does not apply when the market
  survey put no limit on the number of operators to invite;
- c.6: rotation may be waived for direct awards below 5.000 euro.
Art. 50 c.2: invitees are chosen from registers or market surveys, never by random draw save motivated cases:
the choice is the officer's; this module only says who is the outgoing contractor and whether it may be
invited, and orders the candidates by documented, neutral criteria (fewest previous invitations and awards
first, then name).

SOA classes (d.P.R. 207/2010 art. 61 c.4, kept in force by Allegato II.12 D.Lgs. 36/2023): each class covers
works up to its amount; art. 61 c.2 lets a qualified company bid up to its class increased by one fifth.
Below 150.000 euro no SOA certificate is required (art. 28 Allegato II.12 for works under 150.000).

Pure: plain values in, frozen dataclasses out.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from casacomuni.lib.i18n import gettext_noop

ART_49 = "art. 49 D.Lgs. 36/2023"
DIRECT_AWARD_WAIVER_BELOW = Decimal("5000")  # art. 49 c.6
EXCEPTION_MIN_LENGTH = 30  # a motivation, not a word: c.4 asks for reasons on three matters

DIRECT_AWARD = "direct_award"
NEGOTIATED = "negotiated"

# Bands by value (art. 49 c.3), the SUA's default split: the lower bounds, in euro. Works follow the steps of
# art. 50 c.1 (150.000 and 1.000.000), services and supplies its 140.000; 40.000 is art. 52's step.
DEFAULT_BANDS = {
    "works": (Decimal("0"), Decimal("40000"), Decimal("150000"), Decimal("1000000")),
    "services": (Decimal("0"), Decimal("40000"), Decimal("140000")),
}

# d.P.R. 207/2010 art. 61 c.4: the amount up to which each class qualifies (VIII: no limit).
SOA_CLASS_LIMITS = {
    "I": Decimal("258000"),
    "II": Decimal("516000"),
    "III": Decimal("1033000"),
    "III-bis": Decimal("1500000"),
    "IV": Decimal("2582000"),
    "IV-bis": Decimal("3500000"),
    "V": Decimal("5165000"),
    "VI": Decimal("10329000"),
    "VII": Decimal("15494000"),
    "VIII": None,
}
SOA_REQUIRED_FROM = Decimal("150000")  # Allegato II.12 art. 28: below, no SOA certificate is needed
SOA_FIFTH = Decimal("1.2")  # art. 61 c.2 d.P.R. 207/2010: class increased by one fifth


def band_of(amount: Decimal, family: str, bands=None) -> int:
    """The index of the band (art. 49 c.3) an amount falls in: the last lower bound not above it."""
    bounds = (bands or DEFAULT_BANDS)[family]
    index = 0
    for position, lower in enumerate(bounds):
        if amount >= lower:
            index = position
    return index


def family_of(contract_kind: str) -> str:
    return "works" if contract_kind == "works" else "services"


def soa_class_covers(soa_class: str, amount: Decimal) -> bool:
    """Whether a SOA class qualifies for works of ``amount`` (art. 61 c.2 and c.4 d.P.R. 207/2010)."""
    if amount < SOA_REQUIRED_FROM:
        return True
    if soa_class not in SOA_CLASS_LIMITS:
        return False
    limit = SOA_CLASS_LIMITS[soa_class]
    return limit is None or amount <= limit * SOA_FIFTH


def minimum_soa_class(amount: Decimal) -> str | None:
    """The lowest class covering ``amount``; None below 150.000 (no SOA needed)."""
    if amount < SOA_REQUIRED_FROM:
        return None
    for name in SOA_CLASS_LIMITS:
        if soa_class_covers(name, amount):
            return name
    return "VIII"


@dataclass(frozen=True)
class PastAward:
    """An award made by the same SUA: to whom, in which category (works category or CPV group) and band."""

    operator: str
    category: str
    band: int
    day: date
    key: str = ""  # a stable tie-break for awards of the same day (e.g. the lot's id)


def outgoing_contractor(past: list[PastAward], category: str, band: int) -> str | None:
    """The contractor of the latest award in the same category and band (art. 49 c.2-c.3), if any."""
    same = [award for award in past if award.category == category and award.band == band]
    if not same:
        return None
    return max(same, key=lambda award: (award.day, award.key)).operator


@dataclass(frozen=True)
class RotationVerdict:
    applies: bool  # rotation binds this choice
    outgoing: bool  # the candidate is the outgoing contractor
    allowed: bool  # the candidate may be invited (with the exception, if given)
    needs_exception: bool  # allowed only with a motivated exception
    message: str
    article: str
    params: dict


def check_invitation(
    operator: str,
    outgoing: str | None,
    *,
    procedure: str,
    amount: Decimal,
    unlimited_survey: bool = False,
    exception_reason: str = "",
) -> RotationVerdict:
    """May ``operator`` be invited, given the outgoing contractor of the category and band?

    ``procedure`` is "direct_award" or "negotiated"; ``unlimited_survey`` a market survey that put no limit on
    the invitees (c.5); ``exception_reason`` the officer's motivation (c.4), at least EXCEPTION_MIN_LENGTH
    characters.
    """
    if procedure == NEGOTIATED and unlimited_survey:
        return RotationVerdict(
            False,
            operator == outgoing,
            True,
            False,
            gettext_noop("Rotation does not apply: the market survey put no limit on the invitees."),
            f"{ART_49}, comma 5",
            {},
        )
    if procedure == DIRECT_AWARD and amount < DIRECT_AWARD_WAIVER_BELOW:
        return RotationVerdict(
            False,
            operator == outgoing,
            True,
            False,
            gettext_noop("Below 5.000,00 € a direct award may derogate from rotation."),
            f"{ART_49}, comma 6",
            {},
        )
    if operator != outgoing:
        return RotationVerdict(
            True,
            False,
            True,
            False,
            gettext_noop("Not the outgoing contractor of this category and band."),
            f"{ART_49}, commi 2-3",
            {},
        )
    if len(exception_reason.strip()) >= EXCEPTION_MIN_LENGTH:
        return RotationVerdict(
            True,
            True,
            True,
            True,
            gettext_noop(
                "The outgoing contractor is invited by a motivated exception (market structure, lack of "
                "alternatives, accurate execution of the previous contract)."
            ),
            f"{ART_49}, comma 4",
            {},
        )
    return RotationVerdict(
        True,
        True,
        False,
        True,
        gettext_noop(
            "The outgoing contractor of this category and band may be invited only with a motivated exception "
            "on the market's structure, the lack of alternatives and the accurate execution of the previous "
            "contract (at least %(length)d characters)."
        ),
        f"{ART_49}, commi 2 e 4",
        {"length": EXCEPTION_MIN_LENGTH},
    )


@dataclass(frozen=True)
class Candidate:
    operator: str
    name: str
    invitations: int  # previous invitations by this SUA in the category
    awards: int  # previous awards by this SUA in the category


def order_candidates(candidates: list[Candidate]) -> list[Candidate]:
    """Neutral, documented order for the officer's choice (never a draw): fewest awards, then fewest
    invitations (spreading the chances, art. 49 c.1 and art. 50 c.2), then name."""
    return sorted(candidates, key=lambda c: (c.awards, c.invitations, c.name.casefold(), c.operator))
