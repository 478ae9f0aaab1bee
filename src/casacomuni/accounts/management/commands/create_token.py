from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import ApiToken, Membership
from casacomuni.accounts.services import create_api_token


class Command(BaseCommand):
    help = "Creates a personal access token for USERNAME and prints it once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--organization", type=int, help=_("id of the organisation to act for"))
        parser.add_argument("--name", default="cli", help=_("name of the token"))
        parser.add_argument(
            "--days",
            type=int,
            default=ApiToken.DEFAULT_LIFETIME_DAYS,
            help=_("days until the token expires (at most %(days)s)") % {"days": ApiToken.MAX_LIFETIME_DAYS},
        )

    def handle(self, *args, username, organization, name, days, **options):
        memberships = (
            Membership.objects.filter(user__username=username).active().select_related("organization", "user")
        )
        if organization is not None:
            memberships = memberships.filter(organization_id=organization)
        membership = memberships.order_by("pk").first()
        if membership is None:
            raise CommandError(
                _("%(username)s has no active role in that organisation.") % {"username": username}
            )
        try:
            _token, raw = create_api_token(
                Actor.system("create_token"), membership, name, timezone.now() + timedelta(days=days)
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(raw)
