"""The open-data card on the dashboard of the Province's administrator and data officers: one query."""

from django.db.models import Count, Q

from casacomuni.accounts.roles import DATA_OFFICE_ROLES
from casacomuni.opendata.models import Dataset


def opendata_card(user, membership) -> dict | None:
    if membership is None or membership.role not in DATA_OFFICE_ROLES:
        return None
    counts = Dataset.objects.for_user(user).aggregate(
        total=Count("pk"),
        published=Count("pk", filter=Q(published=True)),
        refused=Count("pk", filter=~Q(last_error="")),
    )
    return {"template": "opendata/_dashboard_card.html", **counts}


CARDS = [opendata_card]
