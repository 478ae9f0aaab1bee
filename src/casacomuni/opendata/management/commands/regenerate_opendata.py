from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.opendata.tasks import regenerate_opendata


class Command(BaseCommand):
    help = (
        "Enqueue the regeneration of the Provinces' open datasets (CSV and JSON files; a dataset's "
        "'modified' date moves only when its content changed; files with personal data are refused). "
        "Run it from cron, e.g. nightly: '30 2 * * * casacomuni regenerate_opendata'; the task worker "
        "(casacomuni db_worker) does the work. --province SIGLA limits it to one Province."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", help="Abbreviation of one Province (e.g. TV)")

    def handle(self, *args, **options):
        province_id = None
        if options["province"]:
            province = Organization.objects.filter(
                kind=OrganizationKind.PROVINCE, province__sigla=options["province"].strip().upper()
            ).first()
            if province is None:
                raise CommandError(_("No Province with this abbreviation is on the platform."))
            province_id = province.pk
        result = regenerate_opendata.enqueue(province_id)
        self.stdout.write(_("Open-data regeneration enqueued: %(id)s") % {"id": result.id})
