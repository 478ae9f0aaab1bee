"""What the sections of ``insights.services`` share: who may act for a Province, the refusal due to an object's
state, and the checks of a title and a date."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import DATA_OFFICE_ROLES, OrganizationKind


def state_error(message: str) -> ValidationError:
    return ValidationError(message, code="state")


def require_data_officer(actor: Actor, province: Organization | None = None) -> Organization:
    """The Province the actor acts for as administrator or data officer (``province`` when given)."""
    membership = actor.membership
    if (
        membership is None
        or membership.role not in DATA_OFFICE_ROLES
        or membership.organization.kind != OrganizationKind.PROVINCE
    ):
        raise PermissionDenied(_("Only the Province's administrators and data officers may do this."))
    if province is not None and membership.organization_id != province.pk:
        raise PermissionDenied(_("This belongs to another Province."))
    return membership.organization


def clean_title(given, errors: dict, name: str = "title", max_length: int = 200) -> str:
    """The text ``given`` for field ``name``, stripped; its problem, if any, goes to ``errors``."""
    value = str(given or "").strip()
    if not value:
        errors[name] = _("This field is required.")
    elif len(value) > max_length:
        errors[name] = _("Enter at most %(max_length)s characters.") % {"max_length": max_length}
    return value


def as_date(value, errors: dict, name: str, required: bool = False) -> date | None:
    if value in (None, ""):
        if required:
            errors[name] = _("This field is required.")
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[name] = _("Enter a date as YYYY-MM-DD.")
        return None
