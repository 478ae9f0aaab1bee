"""Demo indicators: the yearly values of every indicator for the demo years, computed from the demo data the
other demo modules wrote (adhesions, procedures, campaigns, funded projects, digital services).

Run it last, after every other demo module: ``DemoIndicators().build()``. Re-runnable: the service replaces
each year's values (the same data give the same values), and records one audit event per year.
"""

from django.utils import timezone

from casacomuni.accounts.actor import Actor
from casacomuni.indicators import services

# The current year and the four before it: the five years the dashboards' trends show.
YEARS_BACK = 4


class DemoIndicators:
    def build(self, years=None) -> dict[int, dict[str, int]]:
        """Compute every indicator for ``years`` (default: the last five); returns year -> code -> comuni."""
        this_year = timezone.localdate().year
        years = years or range(this_year - YEARS_BACK, this_year + 1)
        actor = Actor.system("load_demo")
        return {year: services.compute_indicators(year, actor=actor) for year in years}
