"""The notices of the experiences: an experience to review (UPI's administrators), the outcome of the review (the
Province's authors), and a Province that wants to replicate one (both Provinces, each with the other's contact)."""

from django.utils.translation import gettext_lazy as _

from casacomuni.inbox.kinds import NoticeKind
from casacomuni.lib.navigation import Section

NOTICES = [
    NoticeKind("experiences.review", _("Experiences to review"), Section.NETWORK),
    NoticeKind("experiences.reviewed", _("Your experiences reviewed by UPI"), Section.NETWORK),
    NoticeKind(
        "experiences.replication", _("Provinces that want to replicate an experience"), Section.NETWORK
    ),
]
