"""The notices of the help desk (see tasks.py for who gets each)."""

from django.utils.translation import gettext_lazy as _

from casacomuni.inbox.kinds import NoticeKind
from casacomuni.lib.navigation import Section

NOTICES = [
    NoticeKind("helpdesk.opened", _("A Comune opened a request for help to your office"), Section.NETWORK),
    NoticeKind("helpdesk.assigned", _("A request for help was assigned to you"), Section.NETWORK),
    NoticeKind("helpdesk.replied", _("The Province answered your request for help"), Section.NETWORK),
    NoticeKind(
        "helpdesk.info_requested", _("The Province asks information about your request"), Section.NETWORK
    ),
    NoticeKind("helpdesk.resolved", _("Your request for help was resolved"), Section.NETWORK),
    NoticeKind("helpdesk.answered", _("A Comune wrote about its request for help"), Section.NETWORK),
    NoticeKind("helpdesk.reopened", _("A Comune reopened its request for help"), Section.NETWORK),
    NoticeKind("helpdesk.closed", _("A Comune closed and rated its request for help"), Section.NETWORK),
    NoticeKind("helpdesk.at_risk", _("A request for help is near its due time"), Section.NETWORK),
]
