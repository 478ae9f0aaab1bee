"""The SUA procedures' card on the dashboard (see casacomuni.web.dashboard.card_providers).

For the Province's administrator and SUA officers (their Province's procedures) and for a Comune's
referent and staff (the lots it buys): procedures in progress, lots awarded this year and the savings.
Two queries, whatever the number of procedures.
"""

from django.utils import timezone

from casacomuni.procurement.procedures import selectors


def procedures_card(user, membership) -> dict | None:
    if membership is None or membership.role not in selectors.DASHBOARD_ROLES:
        return None
    scope = selectors.scope(user)
    today = timezone.localdate()
    return {
        "template": "procurement/dashboards/_card.html",
        "province": scope.is_province,
        "in_progress": selectors.in_progress(scope.procedures),
        "awarded": selectors.award_totals(scope.lots, today.year),
        "year": today.year,
    }


CARDS = [procedures_card]
