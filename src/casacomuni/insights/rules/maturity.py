"""The platform's digital-maturity index of a Comune (0–100), from the "Maturità digitale" template.

This is Casa dei Comuni's OWN index, not an official statistic. It measures how far a Comune has gone on
the PNRR M1C1 "PA digitale 2026" measures listed in DOMAIN.md §6 (1.2 cloud migration, 1.3.1 PDND, 1.4.1
municipal website model, 1.4.3 pagoPA and app IO, 1.4.4 SPID/CIE, 1.4.5 SEND) plus open data and the
organisation (Digital Transition Officer, art. 17 CAD; staff assessed on the Syllabus "Competenze digitali
per la PA"). Its shape — a few areas, items normalised to 0..1 and weighted, summed to 0–100 — takes
inspiration from the Enti Digitali IMD index (40 metrics in 4 areas, 0–100) and FPA Ca.Re., but with ten
items a Comune can answer itself; figures are therefore not comparable with those indices.

Formula. Each item is normalised to a fraction ``f`` in [0, 1], multiplied by its weight (points), and
the index is the sum of the points, rounded half-up to 2 decimals. An unanswered item scores 0.

========================  ======================================  ==========================================  ======
Area (max points)         Item (question code)                    Normalisation f                             Points
========================  ======================================  ==========================================  ======
Citizen services (40)     ``spid_cie_login`` yes/no               yes = 1, no = 0                              10
                          ``pagopa_services`` count               min(n, 10) / 10                              10
                          ``io_services`` count                   min(n, 10) / 10                              10
                          ``website_model`` choice                none 0, partial 0.5, compliant 1             10
Platforms (30)            ``send_act_types`` count                min(n, 3) / 3                                10
                          ``pdnd_eservices`` count                min(n, 3) / 3                                10
                          ``cloud_services_migrated`` /           migrated / total, capped at 1; 0 when        10
                          ``cloud_services_total``                total is 0 or missing
Data (10)                 ``open_data_harvested`` yes/no          yes = 1, no = 0                              10
Organisation (20)         ``rtd_named`` yes/no                    yes = 1, no = 0                              10
                          ``syllabus_percent`` 0–100 %            p / 100                                      10
========================  ======================================  ==========================================  ======

Targets (10 pagoPA and IO services, 3 SEND act types, 3 PDND e-services) are the levels at which a small
Comune has covered its common services (tributes, school canteen, civil status, fines…): beyond them the
item is full. Worked examples are in ``tests/test_maturity.py``.

Pure and dependency-free: ``maturity_index(answers)`` takes the cleaned answers by question code.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from casacomuni.lib.i18n import gettext_noop

ZERO = Decimal("0")
ONE = Decimal("1")


CITIZEN = "citizen_services"
PLATFORMS = "platforms"
DATA = "data"
ORGANISATION = "organisation"

AREAS = {
    CITIZEN: gettext_noop("Citizen services"),
    PLATFORMS: gettext_noop("Platforms and interoperability"),
    DATA: gettext_noop("Open data"),
    ORGANISATION: gettext_noop("Organisation and skills"),
}

WEBSITE_LEVELS = {"none": ZERO, "partial": Decimal("0.5"), "compliant": ONE}


@dataclass(frozen=True)
class MaturityResult:
    score: Decimal  # 0.00 – 100.00
    parts: dict  # area code -> points (Decimal, 2 places)
    items: dict  # item code -> points (Decimal, 2 places)


def as_decimal(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


def yes(value) -> Decimal:
    return ONE if value is True else ZERO


def capped(value, target: int) -> Decimal:
    number = as_decimal(value)
    if number is None or number <= 0:
        return ZERO
    return min(number, Decimal(target)) / Decimal(target)


def ratio(part, whole) -> Decimal:
    part, whole = as_decimal(part), as_decimal(whole)
    if part is None or whole is None or whole <= 0 or part <= 0:
        return ZERO
    return min(part / whole, ONE)


def percent(value) -> Decimal:
    number = as_decimal(value)
    if number is None or number <= 0:
        return ZERO
    return min(number, Decimal(100)) / Decimal(100)


# item code -> (area, points, normalisation of the answers)
ITEMS = {
    "spid_cie_login": (CITIZEN, 10, lambda a: yes(a.get("spid_cie_login"))),
    "pagopa_services": (CITIZEN, 10, lambda a: capped(a.get("pagopa_services"), 10)),
    "io_services": (CITIZEN, 10, lambda a: capped(a.get("io_services"), 10)),
    "website_model": (CITIZEN, 10, lambda a: WEBSITE_LEVELS.get(str(a.get("website_model")), ZERO)),
    "send_act_types": (PLATFORMS, 10, lambda a: capped(a.get("send_act_types"), 3)),
    "pdnd_eservices": (PLATFORMS, 10, lambda a: capped(a.get("pdnd_eservices"), 3)),
    "cloud_services_migrated": (
        PLATFORMS,
        10,
        lambda a: ratio(a.get("cloud_services_migrated"), a.get("cloud_services_total")),
    ),
    "open_data_harvested": (DATA, 10, lambda a: yes(a.get("open_data_harvested"))),
    "rtd_named": (ORGANISATION, 10, lambda a: yes(a.get("rtd_named"))),
    "syllabus_percent": (ORGANISATION, 10, lambda a: percent(a.get("syllabus_percent"))),
}

MAX_POINTS = {area: sum(points for a, points, _ in ITEMS.values() if a == area) for area in AREAS}
if sum(MAX_POINTS.values()) != 100:  # the weights must add up to the scale; checked also under python -O
    raise ValueError(f"The maturity weights add up to {sum(MAX_POINTS.values())}, not 100.")


def two_places(number: Decimal) -> Decimal:
    return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def maturity_index(answers: dict) -> MaturityResult:
    """The index of a Comune's cleaned answers (question code -> value, as ``rules.answers`` stores them)."""
    items, parts = {}, dict.fromkeys(AREAS, ZERO)
    for code, (area, points, normalise) in ITEMS.items():
        fraction = normalise(answers)
        earned = Decimal(points) * fraction
        items[code] = two_places(earned)
        parts[area] += earned
    total = sum(parts.values(), ZERO)
    return MaturityResult(
        score=two_places(total),
        parts={area: two_places(value) for area, value in parts.items()},
        items=items,
    )
