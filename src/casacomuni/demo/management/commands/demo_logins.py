from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from casacomuni.accounts.models import Membership
from casacomuni.demo.builder import DEMO_PASSWORD, PROVINCES


class Command(BaseCommand):
    help = "Prints the main demo logins and how the demo administrators pass the second factor."

    def handle(self, *args, **options):
        sample = ["dirigente.upi", "operatore.edilizia", "referente.trasimeno"]
        for demo in PROVINCES:
            sample += [
                f"admin.{demo.prefix}",
                f"sua.{demo.prefix}",
                f"europa.{demo.prefix}",
                f"dati.{demo.prefix}",
            ]
        memberships = (
            Membership.objects.filter(user__username__in=sample, is_active=True)
            .select_related("user", "organization")
            .order_by("organization__name", "user__username")
        )
        self.stdout.write(_("Demo password of every user: %(password)s") % {"password": DEMO_PASSWORD})
        for membership in memberships:
            self.stdout.write(
                f"  {membership.user.username:<22} {membership.organization.name} — {membership.get_role_display()}"
            )
        self.stdout.write(_("Municipal referents: referente.<ISTAT code>, e.g. referente.054039 (Perugia)."))
        self.stdout.write(
            _(
                "Administrators need a one-time code: run “scripts/manage demo_totp USERNAME” to print the current one."
            )
        )
