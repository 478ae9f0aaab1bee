from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from casacomuni.eufunds.tasks import refresh_call_statuses, send_due_digests


class Command(BaseCommand):
    help = (
        "Refresh the calls' status from their dates, then enqueue the digests due (fortnightly or monthly "
        "since each Comune's last one). Run it once a day from cron, e.g. "
        "'0 7 * * * casacomuni send_digests'; the task worker (casacomuni db_worker) sends the mail."
    )

    def handle(self, *args, **options):
        refresh_call_statuses.enqueue()
        result = send_due_digests.enqueue()
        self.stdout.write(_("Digest task enqueued: %(id)s") % {"id": result.id})
