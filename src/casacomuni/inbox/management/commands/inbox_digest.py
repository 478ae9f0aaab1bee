from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from casacomuni.inbox.tasks import send_digests


class Command(BaseCommand):
    help = (
        "Enqueue the daily digest: each user with notifications set to the daily digest gets one e-mail listing "
        "them. Run it from cron once a day after the other reminders, e.g. '30 7 * * * casacomuni inbox_digest'; "
        "the task worker (casacomuni db_worker) sends the mail. Running it twice sends nothing new."
    )

    def handle(self, *args, **options):
        result = send_digests.enqueue()
        self.stdout.write(_("Digest task enqueued: %(id)s") % {"id": result.id})
