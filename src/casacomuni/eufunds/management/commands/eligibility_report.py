from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.eufunds import selectors
from casacomuni.eufunds.models import Call
from casacomuni.territory.models import Municipality


class Command(BaseCommand):
    help = (
        "How the calls a Comune reads (the national catalogue and its Province's own) come out for it: "
        "eligible, not eligible, unknown, and the share of unknown. E.g. "
        "'casacomuni eligibility_report 026086 054039' (ISTAT codes), '--open' for the calls open today."
    )

    def add_arguments(self, parser):
        parser.add_argument("istat_codes", nargs="+", help="ISTAT codes of the comuni")
        parser.add_argument("--open", action="store_true", help="only the calls open today")

    def handle(self, *args, istat_codes, open=False, **options):
        for code in istat_codes:
            municipality = Municipality.objects.select_related("province").filter(istat_code=code).first()
            if municipality is None:
                raise CommandError(_("No comune with ISTAT code %(code)s.") % {"code": code})
            profile = selectors.municipality_profiles(Municipality.objects.filter(pk=municipality.pk))[0]
            calls = Call.objects.filter(Q(province__isnull=True) | Q(province_id=municipality.province_id))
            if open:
                calls = calls.open_on(timezone.localdate())
            counts = selectors.outcome_counts(profile, calls)
            total = sum(counts.values())
            share = 100 * counts["unknown"] / total if total else 0
            self.stdout.write(
                f"{code} {municipality.name} ({profile.province_sigla}): {total} calls · "
                f"eligible {counts['eligible']} · not eligible {counts['not_eligible']} · "
                f"unknown {counts['unknown']} ({share:.1f}%)"
            )
