from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from casacomuni.procurement.bidding.tasks import purge_orphan_sealed_files


class Command(BaseCommand):
    help = (
        "Enqueue the daily task that deletes the sealed files of online bids that no document names (left by a "
        "worker stopped in the middle of an upload) once they are a day old. Run it once a day from cron, e.g. "
        "'50 3 * * * casacomuni purge_sealed_orphans'; the task worker (casacomuni db_worker) deletes them."
    )

    def handle(self, *args, **options):
        result = purge_orphan_sealed_files.enqueue()
        self.stdout.write(_("Clean-up task enqueued: %(id)s") % {"id": result.id})
