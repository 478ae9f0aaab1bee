from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from casacomuni.insights.tasks import send_campaign_reminders


class Command(BaseCommand):
    help = (
        "Enqueue the daily task that reminds the referents of the Comuni that have not submitted their answers "
        "to an open data-collection campaign: 7 and 2 days before the deadline, the day after it, then once a "
        "week. Run it once a day from cron, e.g. '30 6 * * * casacomuni campaign_reminders'; the task worker "
        "(casacomuni db_worker) sends the mail."
    )

    def handle(self, *args, **options):
        result = send_campaign_reminders.enqueue()
        self.stdout.write(_("Reminders task enqueued: %(id)s") % {"id": result.id})
