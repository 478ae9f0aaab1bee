"""Results of the EU-funds office, computed from plain counts and sums (DOMAIN.md §5: "KPIs seen in
practice: comuni joined, projects submitted vs funded, € obtained").

Definitions (the selectors in ``projects.results.selectors`` count with them):

- calls screened: calls of the catalogue open at some time in the period, plus calls with an application;
- interests: applications of the territory in any status (each starts as a flagged interest);
- applications: those that reached the design of a project — designing, submitted, funded, not funded;
- submitted: filed with the funder (submitted, funded, not funded);
- success rate: funded / decided (funded + not funded); None while nothing is decided;
- € requested: requested amounts of the submitted applications; € granted: granted amounts of the funded;
- € granted per inhabitant: € granted / resident population (ISTAT) of the territory; None with no population;
- small Comuni: under 5,000 inhabitants, as issue 5 defines them (L. 158/2017 art. 1 c.2, on "piccoli
  comuni", counts up to 5,000 inclusive: a Comune of exactly 5,000 is small there, not here).
  ``small_coverage`` = small Comuni served / small Comuni of the territory; ``small_share`` = small Comuni
  served / Comuni served. A Comune is served when it leads or partners an application.
"""

from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

SMALL_COMUNE_POPULATION = 5000
CENT = Decimal("0.01")


def is_small(population: int | None) -> bool | None:
    """Under 5,000 inhabitants; None when the population is not known."""
    if population is None:
        return None
    return population < SMALL_COMUNE_POPULATION


@dataclass(frozen=True)
class Counts:
    calls_screened: int = 0
    interests: int = 0
    applications: int = 0
    submitted: int = 0
    funded: int = 0
    not_funded: int = 0
    requested: Decimal = Decimal("0")
    granted: Decimal = Decimal("0")
    population: int = 0
    comuni_served: int = 0
    small_served: int = 0
    small_total: int = 0


@dataclass(frozen=True)
class Results:
    counts: Counts
    success_rate: Decimal | None  # a fraction, 0..1, 4 decimals
    granted_per_inhabitant: Decimal | None  # euro, 2 decimals
    small_coverage: Decimal | None  # a fraction, 0..1, 4 decimals
    small_share: Decimal | None  # a fraction, 0..1, 4 decimals

    def __getattr__(self, name):
        # The counts read as the results' own attributes in templates and schemas.
        if name.startswith("__") or name == "counts":
            raise AttributeError(name)
        return getattr(self.counts, name)


def ratio(numerator, denominator, places: str = "0.0001") -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def results(counts: Counts) -> Results:
    decided = counts.funded + counts.not_funded
    return Results(
        counts=counts,
        success_rate=ratio(counts.funded, decided),
        granted_per_inhabitant=ratio(counts.granted, counts.population, "0.01"),
        small_coverage=ratio(counts.small_served, counts.small_total),
        small_share=ratio(counts.small_served, counts.comuni_served),
    )


def combine(parts) -> Counts:
    """The sum of several territories' counts (a national total from the Provinces')."""
    total = Counts()
    for part in parts:
        total = Counts(*(getattr(total, f.name) + getattr(part, f.name) for f in fields(Counts)))
    return total
