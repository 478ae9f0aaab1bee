"""Rotation of invitations (art. 49 D.Lgs. 36/2023) and SOA classes (d.P.R. 207/2010 art. 61): rules/rotation.py."""

from datetime import date
from decimal import Decimal

import pytest

from casacomuni.procurement.rules import rotation

LONG_REASON = "Mercato con due soli operatori; esecuzione precedente accurata e nei tempi."


def test_outgoing_contractor_is_the_latest_award_in_the_same_category_and_band():
    # Art. 49 c.2: the ban concerns "due consecutivi affidamenti" in the same category; c.3: within each band.
    past = [
        rotation.PastAward("alfa", "OG1", 2, date(2025, 3, 1)),
        rotation.PastAward("beta", "OG1", 2, date(2025, 9, 1)),
        rotation.PastAward("gamma", "OG1", 1, date(2025, 12, 1)),  # another band
        rotation.PastAward("delta", "OG3", 2, date(2026, 1, 1)),  # another category
    ]
    assert rotation.outgoing_contractor(past, "OG1", 2) == "beta"
    assert rotation.outgoing_contractor(past, "OG1", 1) == "gamma"
    assert rotation.outgoing_contractor(past, "OS24", 2) is None
    same_day = [
        rotation.PastAward("x", "OG1", 2, date(2025, 1, 1), "001"),
        rotation.PastAward("y", "OG1", 2, date(2025, 1, 1), "002"),
    ]
    assert rotation.outgoing_contractor(same_day, "OG1", 2) == "y"


def test_bands_follow_the_art_50_steps():
    # Art. 49 c.3: bands by value; the SUA's default split at 40.000 (art. 52), 150.000 and 1.000.000 for works
    # (art. 50 c.1 lett. a, c, d), 140.000 for services (lett. b, e).
    assert rotation.band_of(Decimal("39999.99"), "works") == 0
    assert rotation.band_of(Decimal("40000.00"), "works") == 1
    assert rotation.band_of(Decimal("149999.99"), "works") == 1
    assert rotation.band_of(Decimal("150000.00"), "works") == 2
    assert rotation.band_of(Decimal("1000000.00"), "works") == 3
    assert rotation.band_of(Decimal("140000.00"), "services") == 2
    assert rotation.family_of("supplies") == rotation.family_of("services") == "services"


def test_the_outgoing_contractor_needs_a_motivated_exception():
    # Art. 49 c.2 (ban) and c.4 (exception motivated on market structure, lack of alternatives, accurate execution).
    refused = rotation.check_invitation(
        "beta", "beta", procedure=rotation.NEGOTIATED, amount=Decimal("300000")
    )
    assert refused.applies and refused.outgoing and not refused.allowed and refused.needs_exception
    assert "commi 2 e 4" in refused.article
    short = rotation.check_invitation(
        "beta", "beta", procedure=rotation.NEGOTIATED, amount=Decimal("300000"), exception_reason="Perché sì."
    )
    assert not short.allowed
    motivated = rotation.check_invitation(
        "beta", "beta", procedure=rotation.NEGOTIATED, amount=Decimal("300000"), exception_reason=LONG_REASON
    )
    assert motivated.allowed and motivated.needs_exception and motivated.article.endswith("comma 4")
    other = rotation.check_invitation("alfa", "beta", procedure=rotation.NEGOTIATED, amount=Decimal("300000"))
    assert other.allowed and not other.outgoing and not other.needs_exception
    nobody = rotation.check_invitation("alfa", None, procedure=rotation.NEGOTIATED, amount=Decimal("300000"))
    assert nobody.allowed


def test_rotation_does_not_apply_to_an_unlimited_market_survey():
    # Art. 49 c.5: negotiated procedures of art. 50 c.1 lett. c-e whose survey put no limit on the invitees.
    verdict = rotation.check_invitation(
        "beta", "beta", procedure=rotation.NEGOTIATED, amount=Decimal("300000"), unlimited_survey=True
    )
    assert verdict.allowed and not verdict.applies and verdict.article.endswith("comma 5")
    # ... but c.5 is about negotiated procedures: a direct award is not freed by it.
    direct = rotation.check_invitation(
        "beta", "beta", procedure=rotation.DIRECT_AWARD, amount=Decimal("20000"), unlimited_survey=True
    )
    assert not direct.allowed


@pytest.mark.parametrize(
    ("amount", "allowed"),
    [(Decimal("4999.99"), True), (Decimal("5000.00"), False), (Decimal("5000.01"), False)],
)
def test_direct_awards_below_5000_may_derogate(amount, allowed):
    # Art. 49 c.6: "è comunque consentito derogare ... per gli affidamenti diretti di importo inferiore a 5.000 euro".
    verdict = rotation.check_invitation("beta", "beta", procedure=rotation.DIRECT_AWARD, amount=amount)
    assert verdict.allowed is allowed
    negotiated = rotation.check_invitation("beta", "beta", procedure=rotation.NEGOTIATED, amount=amount)
    assert not negotiated.allowed  # c.6 is for direct awards only


def test_candidates_are_ordered_by_neutral_criteria_never_drawn():
    # Art. 50 c.2: no random draw; fewest awards, then fewest invitations, then name.
    candidates = [
        rotation.Candidate("1", "Zeta", invitations=0, awards=1),
        rotation.Candidate("2", "alfa", invitations=3, awards=0),
        rotation.Candidate("3", "Beta", invitations=1, awards=0),
        rotation.Candidate("4", "Alfa", invitations=1, awards=0),
    ]
    assert [c.operator for c in rotation.order_candidates(candidates)] == ["4", "3", "2", "1"]
    assert rotation.order_candidates(list(reversed(candidates))) == rotation.order_candidates(candidates)


@pytest.mark.parametrize(
    ("soa_class", "amount", "covers"),
    [
        ("I", Decimal("149999.99"), True),  # below 150.000 no SOA needed (Allegato II.12 art. 28)
        ("I", Decimal("258000"), True),  # class I: up to 258.000 (art. 61 c.4)
        ("I", Decimal("309600"), True),  # + one fifth (art. 61 c.2): 258.000 × 1,2 = 309.600
        ("I", Decimal("309600.01"), False),
        ("III", Decimal("1239600"), True),  # 1.033.000 × 1,2
        ("III", Decimal("1239600.01"), False),
        ("VIII", Decimal("99999999"), True),  # unlimited
        ("IX", Decimal("200000"), False),  # no such class
    ],
)
def test_soa_class_coverage(soa_class, amount, covers):
    assert rotation.soa_class_covers(soa_class, amount) is covers


def test_minimum_soa_class():
    assert rotation.minimum_soa_class(Decimal("100000")) is None
    assert rotation.minimum_soa_class(Decimal("300000")) == "I"
    assert rotation.minimum_soa_class(Decimal("400000")) == "II"
    assert rotation.minimum_soa_class(Decimal("20000000")) == "VIII"
