"""The notices of the agreements: the reminders of their terms and notice deadlines."""

from django.utils.translation import gettext_lazy as _

from casacomuni.inbox.kinds import NoticeKind
from casacomuni.lib.navigation import Section

NOTICES = [NoticeKind("agreements.deadlines", _("Agreements with a deadline"), Section.AGREEMENTS)]
