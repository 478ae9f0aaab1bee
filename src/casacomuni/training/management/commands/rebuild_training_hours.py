from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from casacomuni.training import ledger
from casacomuni.training.models import YearHours


class Command(BaseCommand):
    help = (
        "Recompute every person's stored training hours per year (the 40-hour ledger) from the completions "
        "and the imported hours: after rows were written outside the platform's services (a bulk load, a data "
        "fix). --year limits it to one year."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="Only this year.")

    def handle(self, *args, **options):
        year = options["year"]
        with transaction.atomic():
            ledger.rebuild_hours(years=[year] if year else None)
        rows = YearHours.objects.filter(year=year) if year else YearHours.objects.all()
        self.stdout.write(
            _("Training hours recomputed: %(count)s people and years.") % {"count": rows.count()}
        )
