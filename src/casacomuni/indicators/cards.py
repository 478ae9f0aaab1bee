"""The indicators' card on the dashboard (see casacomuni.web.dashboard.card_providers).

Three queries at most, whatever the number of comuni: the latest year with values, then for a Comune its
own values of that year, for a Province or UPI the number of comuni with a value.
"""

from casacomuni.accounts.roles import OrganizationKind
from casacomuni.indicators import selectors
from casacomuni.indicators.models import Aggregate, Observation
from casacomuni.lib.formats import number

# The Comune's card shows these, when computed.
COMUNE_CODES = ("digital_maturity", "services_joined", "digital_services_adopted", "eu_funds_per_inhabitant")


def indicators_card(user, membership) -> dict | None:
    if membership is None or membership.role not in selectors.READER_ROLES:
        return None
    years = selectors.years_with_data()
    if not years:
        return None
    org = membership.organization
    card = {"template": "indicators/_dashboard_card.html", "year": years[0], "figures": [], "comuni": None}
    if org.kind == OrganizationKind.MUNICIPALITY and org.municipality_id:
        rows = (
            Observation.objects.filter(municipality_id=org.municipality_id, year=years[0])
            .filter(indicator__code__in=COMUNE_CODES, indicator__is_active=True)
            .select_related("indicator")
            .order_by("indicator__order")
        )
        card["figures"] = [
            {
                "value": number(row.value, row.indicator.decimals),
                "label": row.indicator.name,
                "unit": row.indicator.unit,
            }
            for row in rows
        ]
    elif org.kind in (OrganizationKind.PROVINCE, OrganizationKind.UPI):
        groups = Aggregate.objects.filter(year=years[0], size_class="", indicator__is_active=True)
        groups = (
            groups.filter(province_id=org.province_id)
            if org.kind == OrganizationKind.PROVINCE
            else groups.national()
        )
        card["comuni"] = max(groups.values_list("count", flat=True), default=0)
    return card


CARDS = [indicators_card]
