from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from casacomuni.agreements.tasks import send_agreement_reminders


class Command(BaseCommand):
    help = (
        "Enqueue the daily task that marks the agreements past their term as expired and e-mails Province "
        "administrators and Comune referents about agreements expiring within 90 days or whose notice "
        "deadline falls within 60 days. Run it once a day from cron, e.g. "
        "'15 6 * * * casacomuni agreement_reminders'; the task worker (casacomuni db_worker) sends the mail."
    )

    def handle(self, *args, **options):
        result = send_agreement_reminders.enqueue()
        self.stdout.write(_("Reminders task enqueued: %(id)s") % {"id": result.id})
