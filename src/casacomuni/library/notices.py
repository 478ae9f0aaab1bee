"""The notices of the model library (see tasks.py for who gets each)."""

from django.utils.translation import gettext_lazy as _

from casacomuni.inbox.kinds import NoticeKind
from casacomuni.lib.navigation import Section

NOTICES = [
    NoticeKind(
        "library.update_available",
        _("A newer version of a model your library adopted is out"),
        Section.NETWORK,
    ),
]
