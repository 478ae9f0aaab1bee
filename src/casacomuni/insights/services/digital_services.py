"""Write operations on the digital services catalogue: the Province's services and each Comune's adoption of
them."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization
from casacomuni.audit.services import record_event
from casacomuni.insights.models import AdoptionStatus, DigitalService, ServiceAdoption, ServiceCategory
from casacomuni.insights.services._common import as_date, clean_title, require_data_officer
from casacomuni.insights.services.campaigns import province_comuni


@dataclass(frozen=True, kw_only=True)
class DigitalServiceData:
    """A service of the Province's catalogue of digital services: a save sets every field."""

    name: str
    category: str
    description: str = ""
    url: str = ""
    is_active: bool = True


def save_digital_service(
    actor: Actor, data: DigitalServiceData, service: DigitalService | None = None
) -> DigitalService:
    province = require_data_officer(actor, service.province if service else None)
    errors: dict[str, str] = {}
    name = clean_title(data.name, errors, "name")
    category = str(data.category or "").strip()
    if category not in ServiceCategory.values:
        errors["category"] = _("Choose one of: %(expected)s.") % {
            "expected": ", ".join(ServiceCategory.values)
        }
    duplicate = DigitalService.objects.filter(province=province, name__iexact=name)
    if service is not None:
        duplicate = duplicate.exclude(pk=service.pk)
    if name and duplicate.exists():
        errors["name"] = _("The catalogue already has a service with this name.")
    url = str(data.url or "").strip()
    if url and not url.startswith(("https://", "http://")):
        errors["url"] = _("Enter a web address starting with https://.")
    if errors:
        raise ValidationError(errors)
    values = {
        "name": name,
        "category": category,
        "description": str(data.description or "").strip(),
        "url": url[:200],
        "is_active": bool(data.is_active),
    }
    changes: dict[str, list]
    with transaction.atomic():
        if service is None:
            service = DigitalService.objects.create(province=province, **values)
            changes, action = {"name": [None, name]}, "insights_service.create"
        else:
            changes = {k: [getattr(service, k), v] for k, v in values.items() if getattr(service, k) != v}
            for k, v in values.items():
                setattr(service, k, v)
            service.save()
            action = "insights_service.update"
        record_event(actor, action, service, changes)
    return service


@dataclass(frozen=True, kw_only=True)
class AdoptionData:
    """A Comune's adoption of a digital service: the Comune (an Organization or its id), the status, since
    when (a date or "YYYY-MM-DD") and notes."""

    organization: Organization | int | str | None
    status: str
    since: date | str | None = None
    notes: str = ""


def record_adoption(actor: Actor, service: DigitalService, data: AdoptionData) -> ServiceAdoption:
    """Record (or change) a Comune's adoption of a service of the catalogue."""
    province = require_data_officer(actor, service.province)
    errors: dict[str, str] = {}
    comune = data.organization
    if not isinstance(comune, Organization):
        comune = province_comuni(province).filter(pk=comune).first() if str(comune or "").isdigit() else None
    if comune is None or not province_comuni(province).filter(pk=comune.pk).exists():
        errors["organization"] = _("Choose a Comune of your Province.")
    status = str(data.status or "").strip()
    if status not in AdoptionStatus.values:
        errors["status"] = _("Choose one of: %(expected)s.") % {"expected": ", ".join(AdoptionStatus.values)}
    since = as_date(data.since, errors, "since")
    if since and since > timezone.localdate() and status != AdoptionStatus.PLANNED:
        errors["since"] = _("Only a planned adoption may start in the future.")
    if errors or comune is None:  # no Comune: errors says so
        raise ValidationError(errors)
    notes = str(data.notes or "").strip()[:300]
    changes: dict[str, list]
    with transaction.atomic():
        adoption = ServiceAdoption.objects.filter(service=service, organization=comune).first()
        if adoption is None:
            adoption = ServiceAdoption.objects.create(
                service=service, organization=comune, status=status, since=since, notes=notes
            )
            changes = {"status": [None, status]}
        else:
            changes = {"status": [adoption.status, status], "since": [adoption.since, since]}
            adoption.status, adoption.since, adoption.notes = status, since, notes
            adoption.updated_at = timezone.now()
            adoption.save()
        record_event(actor, "insights_adoption.record", adoption, changes, organization=comune)
    return adoption
