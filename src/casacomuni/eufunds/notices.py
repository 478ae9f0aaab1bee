"""The notices of the EU-funds office: the Comune's digest of calls. It is a digest already (with its own
rhythm and unsubscribe link), so it is e-mailed at once or not at all, never gathered into the daily one."""

from django.utils.translation import gettext_lazy as _

from casacomuni.inbox.kinds import Delivery, NoticeKind
from casacomuni.lib.navigation import Section

NOTICES = [
    NoticeKind(
        "eufunds.digest",
        _("Digest of calls for funding"),
        Section.EUFUNDS,
        (Delivery.IMMEDIATE, Delivery.NONE),
    )
]
