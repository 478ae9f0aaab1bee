"""The agreements' card on the dashboard (see casacomuni.web.dashboard.card_providers).

A fixed number of queries, whatever the number of agreements: the count in force, the active agreements
with their dates (for the deadlines), and for a Comune its adhesions of the year with its population and,
for a service billed by usage, the procedures counted (one query per such kind of service).
"""

from django.utils import timezone

from casacomuni.accounts.roles import OrganizationKind
from casacomuni.agreements import selectors
from casacomuni.agreements.models import Adhesion, Agreement
from casacomuni.agreements.views import READER_ROLES


def agreements_card(user, membership) -> dict | None:
    if membership is None or membership.role not in READER_ROLES:
        return None
    today = timezone.localdate()
    agreements = Agreement.objects.for_user(user)
    card = {
        "template": "agreements/_dashboard_card.html",
        "province": membership.organization.kind == OrganizationKind.PROVINCE,
        "in_force": agreements.in_force_on(today).count(),
        "deadlines": len(
            selectors.agreements_with_deadlines(agreements.only("state", "end_date", "notice_days"), today)
        ),
        "year": today.year,
    }
    if not card["province"]:
        lines = selectors.cost_lines(
            selectors.billable_adhesions(Adhesion.objects.for_user(user), today.year), today.year
        )
        card["services_in_use"] = sum(1 for line in lines if line.adhesion.active_on(today))
        card["cost_this_year"] = selectors.total_of(lines)
    return card


CARDS = [agreements_card]
