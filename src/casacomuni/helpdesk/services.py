"""Write operations of the help desk: opening a request, the office's and the Comune's steps, the automatic
closing of resolved requests, the categories and the FAQ.

Every function checks the actor's role and scope, runs in one transaction, records an audit event in the chain
of the Province the request is addressed to, and enqueues its notice on commit. Bad input raises
ValidationError (or AdhesionRequired, a PermissionDenied) in Italian and writes nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import PurePosixPath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Membership, User
from casacomuni.agreements.services import AdhesionRequired, require_adhesion
from casacomuni.audit.services import record_event
from casacomuni.helpdesk import tasks
from casacomuni.helpdesk.models import (
    OFFICE_ROLES,
    REQUIRED_SERVICE_KIND,
    Attachment,
    Category,
    Entry,
    EntryKind,
    FaqEntry,
    HelpRequest,
    RequestState,
    aware,
    local_time,
    office_services,
)
from casacomuni.helpdesk.rules import sla, workflow
from casacomuni.lib.uploads import CONTENT_CHECKS

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
ALLOWED_EXTENSIONS = (".pdf", ".docx", ".odt")
# Resolved requests the Comune neither confirms nor reopens close by themselves after this many days.
AUTO_CLOSE_DAYS = 10

# The linked objects a request may name, by the service they belong to.
LINKS_BY_SERVICE = {"sua": ("procurement_request", "procedure"), "eu_funds": ("call",), "data": ("campaign",)}


@dataclass
class RequestData:
    service: str
    category: Category
    subject: str
    description: str
    # field name (see LINKS_BY_SERVICE) -> the object, already read through its for_user
    links: dict = field(default_factory=dict)


def check_upload(upload) -> None:
    """A PDF, DOCX or ODT of at most 10 MB whose bytes match its extension."""
    name = upload.name or ""
    if upload.size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty")
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(_("%(name)s is larger than 10 MB.") % {"name": name}, code="size")
    extension = PurePosixPath(name).suffix.lower()
    if extension not in ALLOWED_EXTENSIONS or not CONTENT_CHECKS[extension](upload):
        raise ValidationError(_("%(name)s is not a PDF, DOCX or ODT file.") % {"name": name}, code="type")


def check_uploads(uploads) -> None:
    if len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError(_("Attach at most %(count)d files.") % {"count": MAX_ATTACHMENTS}, code="count")
    for upload in uploads:
        check_upload(upload)


def _store(request: HelpRequest, entry: Entry, uploads) -> None:
    for upload in uploads:
        attachment = Attachment(
            request=request,
            entry=entry,
            original_name=PurePosixPath(upload.name).name[:255],
            size=upload.size,
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()


# --- Opening ------------------------------------------------------------------------------------------------


def open_request(actor: Actor, data: RequestData, uploads=(), now: datetime | None = None) -> HelpRequest:
    """The Comune's (Unione's) referent or staff opens a request to its Province's office.

    Raises:
        PermissionDenied: the actor does not act for a Comune or Unione, or the category is not its Province's.
        AdhesionRequired: the service needs an adhesion the party has not in force.
        ValidationError: a linked object of another service, or a file refused.
    """
    party = tenancy.as_local_party(actor.user)
    if party is None or data.category.province.province_id != party.province_id:
        raise PermissionDenied
    if data.category.service != data.service or not data.category.is_active:
        raise ValidationError(_("Choose a category of the service."), code="category")
    if kind := REQUIRED_SERVICE_KIND.get(data.service):
        adhesion = require_adhesion(party, kind)
        if adhesion.agreement.province_id != data.category.province_id:
            raise AdhesionRequired(
                _("%(name)s has no agreement in force for this service.") % {"name": party.name}
            )
    allowed = LINKS_BY_SERVICE.get(data.service, ())
    if any(name not in allowed for name, value in data.links.items() if value is not None):
        raise ValidationError(_("The linked object does not belong to this service."), code="link")
    check_uploads(uploads)
    now = now or timezone.now()
    category = data.category
    with transaction.atomic():
        request = HelpRequest(
            province=category.province,
            party=party,
            service=data.service,
            category=category,
            subject=data.subject,
            description=data.description,
            requester=actor.user,
            created_at=now,
            first_answer_hours=category.first_answer_hours,
            resolution_hours=category.resolution_hours,
            **{name: value for name, value in data.links.items() if value is not None},
        )
        start = local_time(now)
        request.first_answer_due_at = aware(
            sla.add_working_time(start, timedelta(hours=category.first_answer_hours))
        )
        request.resolution_due_at = aware(
            sla.add_working_time(start, timedelta(hours=category.resolution_hours))
        )
        _set_running_clock(request)
        request.save()
        entry = Entry.objects.create(
            request=request, kind=EntryKind.OPENED, author=actor.user, created_at=now
        )
        _store(request, entry, uploads)
        _record(actor, "helpdesk.request.open", request, {"service": [None, data.service]})
        _notify_on_commit(request, "helpdesk.opened", entry)
    return request


# --- The clock ----------------------------------------------------------------------------------------------


def _warn_at(start: datetime, allowed: timedelta) -> datetime:
    return aware(sla.add_working_time(local_time(start), allowed - sla.at_risk_margin(allowed)))


def _set_running_clock(request: HelpRequest) -> None:
    """The running clock's due time and at-risk instant, or none while the clock is stopped."""
    if not workflow.clock_runs(request.state):
        request.next_due_at = request.next_warn_at = None
        return
    if request.first_answered_at is None:
        allowed = timedelta(hours=request.first_answer_hours)
        request.next_due_at = request.first_answer_due_at
        request.next_warn_at = _warn_at(request.created_at, allowed)
    else:
        allowed = timedelta(hours=request.resolution_hours)
        request.next_due_at = request.resolution_due_at
        request.next_warn_at = _warn_at(request.created_at, allowed + request.paused)
    request.at_risk_notified_at = (
        None if request.next_warn_at > timezone.now() else request.at_risk_notified_at
    )


def _working(start: datetime, end: datetime) -> timedelta:
    return sla.working_time_between(local_time(start), local_time(end))


def _move_clock(request: HelpRequest, old_state: str, now: datetime, answers: bool) -> None:
    """Stop, restart or finish the office's clocks as the state changes from ``old_state``."""
    if answers and request.first_answered_at is None:
        request.first_answered_at = now
        request.first_answer_working_hours = Decimal(str(sla.hours(_working(request.created_at, now))))
    was_running, runs = workflow.clock_runs(old_state), workflow.clock_runs(request.state)
    if was_running and not runs:
        request.paused_since = now
    if runs and not was_running and request.paused_since is not None:
        request.paused_seconds += int(_working(request.paused_since, now).total_seconds())
        request.paused_since = None
        allowed = timedelta(hours=request.resolution_hours) + request.paused
        request.resolution_due_at = aware(sla.add_working_time(local_time(request.created_at), allowed))
    if request.state == RequestState.RESOLVED:
        request.resolved_at = now
        open_pause = (
            _working(request.paused_since, now) if not was_running and request.paused_since else timedelta(0)
        )
        used = _working(request.created_at, now) - request.paused - open_pause
        request.resolution_working_hours = Decimal(str(sla.hours(used)))
    if request.state == RequestState.CLOSED:
        request.closed_at = now
    _set_running_clock(request)


# --- The steps ----------------------------------------------------------------------------------------------

# step -> (the timeline's entry, whether it is an internal note, the notice it sends (or None))
STEP_ENTRIES = {
    workflow.ASSIGN: (EntryKind.ASSIGNED, False, "helpdesk.assigned"),
    workflow.REPLY: (EntryKind.REPLY, False, "helpdesk.replied"),
    workflow.NOTE: (EntryKind.NOTE, True, None),
    workflow.ASK_INFO: (EntryKind.INFO_REQUESTED, False, "helpdesk.info_requested"),
    workflow.ANSWER: (EntryKind.ANSWERED, False, "helpdesk.answered"),
    workflow.RESOLVE: (EntryKind.RESOLVED, False, "helpdesk.resolved"),
    workflow.REOPEN: (EntryKind.REOPENED, False, "helpdesk.reopened"),
    workflow.CLOSE: (EntryKind.CLOSED, False, "helpdesk.closed"),
    workflow.AUTO_CLOSE: (EntryKind.AUTO_CLOSED, False, None),
}
# Steps whose text the other side must read: refused when empty.
TEXT_REQUIRED = {
    workflow.REPLY,
    workflow.NOTE,
    workflow.ASK_INFO,
    workflow.ANSWER,
    workflow.RESOLVE,
    workflow.REOPEN,
}


def side_of(actor: Actor, request: HelpRequest) -> str | None:
    """OFFICE when the actor works in the office the request is addressed to, PARTY when it acts for the
    Comune that opened it, else None."""
    province, services = office_services(actor.user)
    if province is not None and province.pk == request.province_id and request.service in services:
        return workflow.OFFICE
    party = tenancy.as_local_party(actor.user)
    if party is not None and party.pk == request.party_id:
        return workflow.PARTY
    return None


def take_step(
    actor: Actor,
    request: HelpRequest,
    step: str,
    *,
    body: str = "",
    assignee: User | None = None,
    rating: int | None = None,
    uploads=(),
    now: datetime | None = None,
) -> HelpRequest:
    """One step of the workflow (``rules.workflow.STEPS``) by the office or the Comune.

    Raises:
        PermissionDenied: the actor is not on the side that takes this step.
        ValidationError: the step is not allowed in the request's state, or its input is missing or wrong.
    """
    rule = workflow.STEPS[step]
    if rule.by == workflow.SYSTEM or side_of(actor, request) != rule.by:
        raise PermissionDenied
    body = (body or "").strip()
    if step in TEXT_REQUIRED and not body:
        raise ValidationError(_("Write the text."), code="required")
    if step == workflow.ASSIGN and (assignee is None or assignee not in office_people(request)):
        raise ValidationError(_("Choose an officer of the office."), code="assignee")
    if step == workflow.CLOSE and rating not in range(1, 6):
        raise ValidationError(_("Rate the answer from 1 to 5."), code="rating")
    if uploads and step not in (workflow.REPLY, workflow.ANSWER, workflow.RESOLVE, workflow.ASK_INFO):
        raise ValidationError(_("This step takes no files."), code="files")
    check_uploads(uploads)
    with transaction.atomic():
        request = HelpRequest.objects.select_for_update().get(pk=request.pk)
        _advance(
            actor,
            request,
            step,
            body,
            now or timezone.now(),
            assignee=assignee,
            rating=rating,
            uploads=uploads,
        )
    return request


def _advance(actor, request, step, body, now, *, assignee=None, rating=None, uploads=()) -> Entry:
    old_state = request.state
    try:
        request.state = workflow.next_state(old_state, step)
    except ValueError:
        raise ValidationError(
            _("This step is not possible while the request is %(state)s.")
            % {"state": RequestState(old_state).label.lower()},
            code="state",
        ) from None
    if step == workflow.ASSIGN:
        request.assignee = assignee
        body = assignee.get_full_name() or assignee.username
    if step == workflow.CLOSE:
        request.rating, request.rating_comment = rating, body
    _move_clock(request, old_state, now, workflow.STEPS[step].answers)
    request.save()
    kind, internal, notice = STEP_ENTRIES[step]
    entry = Entry.objects.create(
        request=request, kind=kind, author=actor.user, body=body, internal=internal, created_at=now
    )
    _store(request, entry, uploads)
    _record(actor, f"helpdesk.request.{step}", request, {"state": [old_state, request.state]})
    if notice:
        _notify_on_commit(request, notice, entry)
    return entry


def office_people(request: HelpRequest):
    """The users who work the request's office in its Province."""
    return office_people_of(request.province, [request.service])


def office_people_of(province, handled):
    """The users who work in the offices of ``handled`` services in ``province``."""
    roles = {role for service in handled for role in OFFICE_ROLES[service]}
    memberships = Membership.objects.active().filter(organization=province, role__in=roles)
    return User.objects.filter(pk__in=memberships.values("user")).order_by(
        "last_name", "first_name", "username"
    )


def close_stale_resolved(now: datetime | None = None, days: int = AUTO_CLOSE_DAYS) -> int:
    """Close the requests resolved more than ``days`` days ago that the Comune neither confirmed nor reopened.
    Returns how many were closed."""
    now = now or timezone.now()
    stale = HelpRequest.objects.filter(
        state=RequestState.RESOLVED, resolved_at__lte=now - timedelta(days=days)
    )
    closed = 0
    for pk in stale.values_list("pk", flat=True):
        with transaction.atomic():
            request = HelpRequest.objects.select_for_update().get(pk=pk)
            if request.state == RequestState.RESOLVED:
                _advance(Actor.system("helpdesk.auto_close"), request, workflow.AUTO_CLOSE, "", now)
                closed += 1
    return closed


# --- Categories and FAQ -------------------------------------------------------------------------------------


def _office_for(actor: Actor, service: str):
    province, services = office_services(actor.user)
    if province is None or service not in services:
        raise PermissionDenied
    return province


def save_category(actor: Actor, category: Category | None, **values) -> Category:
    """The office creates or changes a category of its service with its levels (working hours)."""
    province = _office_for(actor, values["service"])
    if category is not None and (category.province_id != province.pk):
        raise PermissionDenied
    if values["resolution_hours"] < values["first_answer_hours"]:
        raise ValidationError(_("The resolution cannot be due before the first answer."), code="levels")
    with transaction.atomic():
        category = category or Category(province=province)
        for name, value in values.items():
            setattr(category, name, value)
        if (
            Category.objects.filter(province=province, service=category.service, name=category.name)
            .exclude(pk=category.pk)
            .exists()
        ):
            raise ValidationError(_("The service already has a category with this name."), code="unique")
        category.save()
        _record(actor, "helpdesk.category.save", category, {"name": [None, category.name]}, province)
    return category


def save_faq(
    actor: Actor,
    entry: FaqEntry | None,
    *,
    question: str,
    answer: str,
    published: bool,
    source=None,
    service=None,
) -> FaqEntry:
    """The office writes an FAQ entry (from a resolved request: ``source``) and publishes it or not."""
    service = entry.service if entry else (source.service if source else service)
    province = _office_for(actor, service)
    if entry is not None and entry.province_id != province.pk:
        raise PermissionDenied
    if source is not None and (
        source.province_id != province.pk or source.state not in {"resolved", "closed"}
    ):
        raise ValidationError(_("Only a resolved request can become an FAQ entry."), code="source")
    with transaction.atomic():
        entry = entry or FaqEntry(province=province, service=service, source=source)
        entry.question, entry.answer = question.strip(), answer.strip()
        if published and not entry.published:
            entry.published_at = timezone.now()
        entry.published = published
        entry.save()
        _record(actor, "helpdesk.faq.save", entry, {"published": [None, published]}, province)
    return entry


def _record(actor, action, obj, changes, province=None) -> None:
    record_event(actor, action, obj, changes, organization=province or obj.province)


def _notify_on_commit(request: HelpRequest, kind: str, entry: Entry) -> None:
    transaction.on_commit(lambda: tasks.send_notice.enqueue(request.pk, kind, entry.pk))
