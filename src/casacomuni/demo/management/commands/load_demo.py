from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from casacomuni.demo.builder import DemoBuilder
from casacomuni.territory.models import Province


class Command(BaseCommand):
    help = "Creates (or refreshes) the demo organisations and users. Needs the territory: run import_territory first."

    def handle(self, *args, **options):
        if not Province.objects.exists():
            raise CommandError(_("The territory is empty: run “casacomuni import_territory” first."))
        logins = DemoBuilder().build()
        if options["verbosity"]:
            self.stdout.write(_("Demo data ready: %(count)d demo users.") % {"count": len(logins)})
