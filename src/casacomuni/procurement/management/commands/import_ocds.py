"""``casacomuni import_ocds FILE [FILE…]``: load ANAC's OCDS releases into the market data, read-only."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from casacomuni.accounts.actor import Actor
from casacomuni.procurement.market.services import import_ocds_files
from casacomuni.procurement.ocds.importer import OcdsFileError

# Skipped releases listed one by one up to this many; beyond, only their number.
LISTED_SKIPS = 20


class Command(BaseCommand):
    help = (
        "Import ANAC's OCDS releases (a release package, a record package, JSON Lines, plain or gzip, or a "
        "single release) into the market data, linking them to the comuni (by codice fiscale, else by name, usual "
        "short forms included) and listing the buyers naming a comune that no comune matched. Importing a file "
        "again writes only "
        "the releases that changed. A package written as one JSON document is read whole into memory: split "
        "very large ones into JSON Lines."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, help="OCDS files (.json, .jsonl, .jsonl.gz)")

    def handle(self, *args, files, **options):
        started = time.monotonic()
        try:
            report = import_ocds_files(Actor.system("import_ocds"), files)
        except OcdsFileError as exc:
            reason = _(exc.message) % exc.params
            raise CommandError(
                _("Import refused, nothing was changed: %(reason)s") % {"reason": reason}
            ) from exc
        for skipped in report.skipped[:LISTED_SKIPS]:
            self.stderr.write(
                _("Skipped %(file)s, %(position)s: %(reason)s.")
                % {
                    "file": skipped.file,
                    "position": shown_position(skipped.position),
                    "reason": _(skipped.reason),
                }
            )
        if len(report.skipped) > LISTED_SKIPS:
            self.stderr.write(
                _("… and %(count)d more skipped.") % {"count": len(report.skipped) - LISTED_SKIPS}
            )
        self._unmatched(report)
        self.stdout.write(self._totals(report, time.monotonic() - started))

    def _unmatched(self, report) -> None:
        """The buyers naming a comune or an Unione left unlinked, most releases first."""
        if not report.unmatched_buyers:
            return
        self.stdout.write(
            _("Buyers naming a comune or an Unione not linked to any (%(count)d):")
            % {"count": len(report.unmatched_buyers)}
        )
        ranked = sorted(report.unmatched_buyers.items(), key=lambda item: (-item[1], item[0]))
        for (name, fiscal_code), releases in ranked[:LISTED_SKIPS]:
            self.stdout.write(
                _("- %(name)s (codice fiscale %(code)s), releases: %(count)d")
                % {"name": name, "code": fiscal_code or "—", "count": releases}
            )
        if len(ranked) > LISTED_SKIPS:
            self.stdout.write(_("… and %(count)d more.") % {"count": len(ranked) - LISTED_SKIPS})

    def _totals(self, report, seconds: float) -> str:
        totals = _(
            "Releases read: %(read)d; created: %(created)d, updated: %(updated)d, unchanged: %(unchanged)d, "
            "skipped: %(skipped)d, repeated in the same file: %(duplicates)d; malformed or missing dates: "
            "%(malformed)d; linked to a comune: %(linked)d (%(seconds).1f s)."
        ) % {
            "read": report.read,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "skipped": len(report.skipped),
            "duplicates": report.duplicates,
            "malformed": report.malformed_dates,
            "linked": report.linked,
            "seconds": seconds,
        }
        if not report.changed:
            return _("Nothing changed: the market data already hold these releases. %(totals)s") % {
                "totals": totals
            }
        return self.style.SUCCESS(totals)


def shown_position(position: str) -> str:
    """A release's locator in the file ("line 3, release 2", as ocds.importer writes it) in the user's words."""
    words = {"line": _("line"), "release": _("release"), "record": _("record"), "file": _("file")}
    parts = []
    for part in position.split(", "):
        word, _space, number = part.partition(" ")
        parts.append(f"{words.get(word, word)} {number}".strip())
    return ", ".join(parts)
