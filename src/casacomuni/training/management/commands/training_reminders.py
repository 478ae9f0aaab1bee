from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.training.tasks import send_far_behind_reminders, send_session_reminders


class Command(BaseCommand):
    help = (
        "Enqueue the reminders of tomorrow's training sessions to their enrolled participants; with "
        "--far-behind, also the e-mail to the staff far behind on this year's 40 hours. Run it from cron, e.g. "
        "'0 7 * * * casacomuni training_reminders' and '0 8 1 * * casacomuni training_reminders --far-behind'; "
        "the task worker (casacomuni db_worker) sends the mail."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--far-behind",
            action="store_true",
            help="Also remind the staff far behind on the 40 hours of the current year.",
        )

    def handle(self, *args, **options):
        tomorrow = timezone.localdate() + timedelta(days=1)
        result = send_session_reminders.enqueue(tomorrow.isoformat())
        self.stdout.write(_("Session reminders task enqueued: %(id)s") % {"id": result.id})
        if options["far_behind"]:
            result = send_far_behind_reminders.enqueue(timezone.localdate().year)
            self.stdout.write(_("Far-behind reminders task enqueued: %(id)s") % {"id": result.id})
