from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from casacomuni.documents.tasks import purge_pending_uploads


class Command(BaseCommand):
    help = (
        "Enqueue the daily task that deletes the files kept from refused forms that their users did not send "
        "again within a day. Run it once a day from cron, e.g. '45 3 * * * casacomuni purge_pending_uploads'; "
        "the task worker (casacomuni db_worker) deletes the files."
    )

    def handle(self, *args, **options):
        result = purge_pending_uploads.enqueue()
        self.stdout.write(_("Clean-up task enqueued: %(id)s") % {"id": result.id})
