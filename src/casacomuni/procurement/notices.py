"""The notices of procurement: requests, the operators' register, online bids and the communications of the
procedures. The communications of art. 29 and 90 D.Lgs. 36/2023 (exclusion, award, soccorso istruttorio) may
wait for the digest but not be turned off; a bid's receipt carries its PDF and leaves at once."""

from django.utils.translation import gettext_lazy as _

from casacomuni.inbox.kinds import NEVER_OFF, ONLY_IMMEDIATE, NoticeKind
from casacomuni.lib.navigation import Section

NOTICES = [
    NoticeKind("procurement.request", _("A procurement request changed"), Section.PROCUREMENT),
    NoticeKind(
        "procurement.register", _("Operators' register: applications and decisions"), Section.PROCUREMENT
    ),
    NoticeKind(
        "procurement.register_expiry", _("Operators' register: documents expiring"), Section.PROCUREMENT
    ),
    NoticeKind("procurement.bid_receipt", _("Receipt of a bid"), Section.PROCUREMENT, ONLY_IMMEDIATE),
    NoticeKind(
        "procurement.integration", _("Requests to complete a bid's documents"), Section.PROCUREMENT, NEVER_OFF
    ),
    NoticeKind("procurement.exclusion", _("A bid excluded"), Section.PROCUREMENT, NEVER_OFF),
    NoticeKind("procurement.award", _("Award of a lot"), Section.PROCUREMENT, NEVER_OFF),
]
