"""``casacomuni import_territory [PATH] [--valid-from YYYY-MM-DD]``: load or update Italy's comuni."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from casacomuni.accounts.actor import Actor
from casacomuni.territory.istat import IstatFileError
from casacomuni.territory.services import import_istat_file


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("%(value)s is not a date in the form YYYY-MM-DD.") % {"value": value}) from exc


class Command(BaseCommand):
    help = (
        "Load regions, provinces and comuni from ISTAT's list (the packaged one, offline, by default) or "
        "update them from a newer ISTAT CSV. Comuni missing from the list are retired, never deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, help="A newer ISTAT CSV (Elenco comuni italiani).")
        parser.add_argument(
            "--valid-from",
            type=iso_date,
            default=None,
            help="Date from which the list applies (default: today): retired comuni end on it.",
        )

    def handle(self, *args, path=None, valid_from=None, **options):
        try:
            summary = import_istat_file(Actor.system("import_territory"), path, valid_from=valid_from)
        except IstatFileError as exc:
            raise CommandError(
                _("Import refused, nothing was changed. %(reason)s") % {"reason": exc}
            ) from exc
        if not summary.changed:
            self.stdout.write(
                _("The territory is already up to date: %(unchanged)d comuni, nothing changed.")
                % {"unchanged": summary.unchanged}
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Territory imported: %(created)d comuni created, %(updated)d updated, "
                    "%(retired)d retired, %(unchanged)d unchanged; "
                    "%(units)d regions or provinces created or updated."
                )
                % {
                    "created": summary.created,
                    "updated": summary.updated,
                    "retired": summary.retired,
                    "unchanged": summary.unchanged,
                    "units": summary.units_changed,
                }
            )
        )
