"""Who is told: the people acting for organisations with given roles, the recipients of most notices
(``casacomuni.inbox.services.notify``)."""

from collections.abc import Iterable

from django.db.models import QuerySet

from casacomuni.accounts.models import Membership, User


def people_acting_for(organization_ids: Iterable[int], roles: Iterable[str]) -> QuerySet[User]:
    """The active users with an active membership of one of ``roles`` in one of ``organization_ids``, each
    once. Those without an e-mail address are included: the notice reaches their inbox."""
    memberships = Membership.objects.active().filter(
        organization_id__in=list(organization_ids), role__in=list(roles)
    )
    return User.objects.filter(is_active=True, pk__in=memberships.values("user_id")).order_by("pk")
