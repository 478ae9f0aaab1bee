"""Background tasks of the model library: telling the Provinces that adopted a model that a newer version is out."""

from django.conf import settings
from django.db.models import Prefetch
from django.tasks import task
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from casacomuni.accounts.models import Membership
from casacomuni.accounts.roles import Role
from casacomuni.inbox.services import notify
from casacomuni.library.models import LibraryModel, ModelVersion

UPDATE_AVAILABLE = "library.update_available"


@task
def notify_update_available(version_id: int) -> int:
    """The administrators of each Province with a copy of the version's model are told that the copy can move to
    it (``library.update_available``), with a link to the copy's update page. Returns the e-mails sent."""
    version = ModelVersion.objects.select_related("model__owner").get(pk=version_id)
    admins = Membership.objects.filter(role=Role.PROVINCE_ADMIN, is_active=True).select_related("user")
    copies = (
        LibraryModel.objects.copies_of(version.model)
        .select_related("origin_version")
        .prefetch_related(Prefetch("owner__memberships", queryset=admins, to_attr="admins"))
    )
    sent = 0
    for copy in copies:
        if copy.origin_version is not None and copy.origin_version.number >= version.number:
            continue
        with override(settings.LANGUAGE_CODE):
            subject = _("Casa dei Comuni: update available for “%(title)s”") % {"title": copy.title}
            body = _(
                "%(owner)s published version %(number)d of “%(title)s”, which your library adopted. What changed: "
                "%(changelog)s Open your copy to see the differences and accept or dismiss the update."
            ) % {
                "owner": version.model.owner.name,
                "number": version.number,
                "title": version.model.title,
                "changelog": version.changelog,
            }
        url = settings.CASACOMUNI_BASE_URL + reverse("library:update", args=[copy.pk])
        sent += notify([m.user for m in copy.owner.admins], UPDATE_AVAILABLE, subject, body, url)
    return sent
