"""API: the audit trail, for the administrators of UPI and the Provinces."""

from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from casacomuni.accounts.roles import ADMIN_ROLES
from casacomuni.accounts.tenancy import require_role
from casacomuni.audit.models import AuditEvent

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    chain: str
    sequence: int
    created_at: datetime
    organization_id: int | None
    username: str
    role: str
    actor_label: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict
    ip_address: str | None
    prev_hash: str
    hash: str


class EventFilters(Schema):
    action: str = ""
    since: date | None = None
    until: date | None = None


@router.get(
    "/events", response=list[AuditEventOut], summary="Audit events of the caller's territory, newest first"
)
@paginate
def list_events(request, filters: Query[EventFilters]):
    """Only UPI and Province administrators; ``since``/``until`` are inclusive days in Italian time."""
    require_role(request.user, *ADMIN_ROLES)
    if filters.since and filters.until and filters.since > filters.until:
        raise HttpError(400, _("The start date must not be after the end date."))
    return (
        AuditEvent.objects.for_user(request.user)
        .newest_first()
        .filter_by(action=filters.action.strip(), since=filters.since, until=filters.until)
    )
