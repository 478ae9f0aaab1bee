"""The notices of data collection: a campaign sent to the Comune, and its reminders."""

from django.utils.translation import gettext_lazy as _

from casacomuni.inbox.kinds import NoticeKind
from casacomuni.lib.navigation import Section

NOTICES = [
    NoticeKind("insights.campaign", _("A data campaign for your Comune"), Section.INSIGHTS),
    NoticeKind("insights.campaign_reminder", _("Reminders of data campaigns"), Section.INSIGHTS),
]
