"""The notices of training: a seat freed up, tomorrow's session, the hours far behind the 40 a year."""

from django.utils.translation import gettext_lazy as _

from casacomuni.inbox.kinds import NoticeKind
from casacomuni.lib.navigation import Section

NOTICES = [
    NoticeKind("training.promotion", _("A seat freed up for you"), Section.TRAINING),
    NoticeKind("training.session_reminder", _("Reminders of tomorrow's sessions"), Section.TRAINING),
    NoticeKind("training.far_behind", _("Training hours behind the 40 a year"), Section.TRAINING),
]
