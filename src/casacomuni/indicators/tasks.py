"""Background tasks of the indicators (run by the task worker; enqueued by ``casacomuni compute_indicators``
from cron)."""

from django.tasks import task

from casacomuni.indicators import services


@task
def compute_indicators_task(year: int, codes: list[str] | None = None) -> dict[str, int]:
    """Recompute ``year``'s values of the indicators ``codes`` (all when None); returns code -> comuni."""
    return services.compute_indicators(year, codes)
