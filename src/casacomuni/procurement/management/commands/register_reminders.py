from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from casacomuni.procurement.register.tasks import send_register_reminders


class Command(BaseCommand):
    help = (
        "Enqueue the daily task that e-mails operators' representatives, and a digest to each SUA, about the "
        "documents of the operators' register (DURC, SOA certificate, insurance) expiring within 30 days or "
        "expired. Run it once a day from cron, e.g. '30 6 * * * casacomuni register_reminders'; the task "
        "worker (casacomuni db_worker) sends the mail."
    )

    def handle(self, *args, **options):
        result = send_register_reminders.enqueue()
        self.stdout.write(_("Reminders task enqueued: %(id)s") % {"id": result.id})
