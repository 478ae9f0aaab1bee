from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.indicators.definitions import REGISTRY
from casacomuni.indicators.tasks import compute_indicators_task


class Command(BaseCommand):
    help = (
        "Enqueue the task that recomputes the indicators of a year (the current year by default) for every "
        "comune, with the aggregates by Province and by class of size. Run it every night from cron, e.g. "
        "'30 2 * * * casacomuni compute_indicators' (and once a year with --year for the year just ended); "
        "the task worker (casacomuni db_worker) does the work."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="Year to compute (default: the current year)")
        parser.add_argument(
            "--code", action="append", choices=sorted(REGISTRY), help="Only this indicator (repeatable)"
        )

    def handle(self, *args, year=None, code=None, **options):
        year = year or timezone.localdate().year
        if not 1990 <= year <= timezone.localdate().year + 1:
            raise CommandError(_("The year must be between 1990 and next year."))
        result = compute_indicators_task.enqueue(year, code)
        self.stdout.write(
            _("Indicators task enqueued for %(year)s: %(id)s") % {"year": year, "id": result.id}
        )
