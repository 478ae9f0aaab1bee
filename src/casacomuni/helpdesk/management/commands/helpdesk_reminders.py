from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from casacomuni.helpdesk.tasks import close_resolved_requests, send_at_risk_reminders


class Command(BaseCommand):
    help = (
        "Enqueue the help desk's reminders to the officers of requests near their due time, and the automatic "
        "closing of requests resolved long ago and left unanswered by the Comune. Run it from cron every hour of "
        "office time, e.g. '0 9-17 * * 1-5 casacomuni helpdesk_reminders'; the task worker sends the mail."
    )

    def handle(self, *args, **options):
        result = send_at_risk_reminders.enqueue()
        self.stdout.write(_("At-risk reminders task enqueued: %(id)s") % {"id": result.id})
        result = close_resolved_requests.enqueue()
        self.stdout.write(_("Automatic closing task enqueued: %(id)s") % {"id": result.id})
