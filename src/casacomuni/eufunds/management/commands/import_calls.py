from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from casacomuni.eufunds.models import IMPORTABLE_SOURCES
from casacomuni.eufunds.services import ImportFileError
from casacomuni.eufunds.tasks import import_calls_task


class Command(BaseCommand):
    help = (
        "Import calls for funding from a file (SEDIA search JSON, incentivi.gov.it JSON/CSV, a regional "
        "portal's REST JSON) or, for SEDIA, from the live search API ('--url', or CASACOMUNI_SEDIA_URL). "
        "The import runs as a background task ('--now' runs it here). Schedule it from cron, e.g. weekly: "
        "'0 5 * * 1 casacomuni import_calls --source sedia --url' and "
        "'30 5 * * 1 casacomuni import_calls --source incentivi /srv/exports/incentivi.csv'."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the file to import")
        parser.add_argument("--source", required=True, choices=IMPORTABLE_SOURCES)
        parser.add_argument(
            "--url",
            nargs="?",
            const="",
            default=None,
            help="SEDIA only: fetch the live API (default address if empty)",
        )
        parser.add_argument("--now", action="store_true", help="run in this process instead of enqueuing")

    def handle(self, *args, file=None, source, url=None, now=False, **options):
        if bool(file) == (url is not None):
            raise CommandError(_("Give either a file or --url."))
        if url is not None and source != "sedia":
            raise CommandError(_("--url is for the SEDIA source only."))
        if file and not Path(file).is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": file})
        path = str(Path(file).resolve()) if file else ""
        if now:
            try:
                result = import_calls_task.call(source, path=path, url=url or "")
            except ImportFileError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                _("Import %(run)s: %(created)s created, %(updated)s updated, %(bad)s bad records.") % result
            )
            return
        result = import_calls_task.enqueue(source, path=path, url=url or "")
        self.stdout.write(_("Import task enqueued: %(id)s") % {"id": result.id})
