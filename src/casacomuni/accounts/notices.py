"""The notices of the accounts: requests to act for a company and their decisions. Who acts for a company is a
matter of security: the e-mail may not be turned off.

The welcome (account invitation) and password reset e-mails are not notices: a person who cannot log in yet
cannot read an inbox, and a link that sets a password must never be stored in one (``accounts.tasks``)."""

from django.utils.translation import gettext_lazy as _

from casacomuni.inbox.kinds import NEVER_OFF, NoticeKind
from casacomuni.lib.navigation import Section

NOTICES = [
    NoticeKind(
        "accounts.operator_join", _("Requests to act for a company"), Section.ADMINISTRATION, NEVER_OFF
    )
]
