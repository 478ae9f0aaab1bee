"""The calendar's sources: one function per kind of dated thing, each ``events(user, start, end)``.

Each source reads only through its models' ``for_user(user)`` (so the calendar shows nothing the user may not
open), only the window ``[start, end]`` (dates, inclusive; timed fields are compared with the local days'
bounds, on indexed columns) and only the columns its events need (``values()``): one or two queries whatever
the number of rows outside the window. Every event links to the page where that user acts on it.

Who sees which calls for funding (``call_deadlines``). The national catalogue holds thousands of calls; showing
all of them to everybody would bury what each body must act on. So:

- UPI: the national catalogue's calls (UPI owns and curates it, ADR 0006) — its national calendar;
- a Province's EU-funds office: its own catalogue's calls and the calls its territory's Comuni are applying
  for (applications not yet decided);
- a Comune or Unione: the calls it is applying for (lead or partner) and the open calls it is eligible for by
  the matching engine (``eufunds.selectors``: "eligible" only; "unknown", not yet screened, is left to the
  calls' page);
- nobody else.

Not in the calendar, because the platform stores no date for them: the deadline for clarification questions
(questions are taken while the procedure takes bids, so it is the bid deadline: ``procedures.services
.may_ask``) and the public sessions (an opening of envelopes is recorded when it happens, not scheduled).

Adding a source is one line in ``SOURCES`` (and its function here).
"""

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casacomuni.accounts import tenancy
from casacomuni.accounts.roles import TRAINING_OFFICE_ROLES
from casacomuni.agenda.events import Event
from casacomuni.agreements.models import Agreement
from casacomuni.agreements.rules import lifecycle as agreement_life
from casacomuni.agreements.selectors import notice_deadline
from casacomuni.eufunds.models import Call, CallStatus
from casacomuni.eufunds.selectors import eligible_call_ids, organization_profile
from casacomuni.helpdesk.models import HelpRequest
from casacomuni.helpdesk.rules.workflow import WAITING
from casacomuni.insights.models import Campaign, CampaignState
from casacomuni.lib import formats
from casacomuni.procurement.bidding.models import IntegrationRequest
from casacomuni.procurement.procedures.models import Bid, Lot, LotState, Procedure
from casacomuni.procurement.requests.models import OPEN_STATES as OPEN_REQUEST_STATES
from casacomuni.procurement.requests.models import ProcurementRequest, RequestState
from casacomuni.procurement.rules import procedure_lifecycle as procedure_life
from casacomuni.projects.applications.models import Application, ApplicationStatus
from casacomuni.projects.funded.models import FundedProject, Milestone, ProjectStatus, ReportingPeriod
from casacomuni.projects.rules import pipeline, pnrr
from casacomuni.training.models import Edition, EditionState, Enrolment, EnrolmentState, Session


@dataclass(frozen=True)
class Source:
    kind: str
    # The legend's and the filter's label.
    label: Promise
    events: Callable[..., Iterable[Event]]


def local_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The aware instants from ``start``'s local midnight to the midnight after ``end`` (half-open)."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


# Stand-ins for the ids, unlike any real one, in the paths reversed once per URL name.
PLACEHOLDERS = ("9090909091", "9090909092")


@functools.cache
def path_template(name: str, arity: int, prefix: str) -> str:
    return reverse(name, args=PLACEHOLDERS[:arity])


def path(name: str, *ids) -> str:
    """``reverse(name, args=ids)``, with the URL resolved once per name rather than once per row: a SUA's
    month holds a thousand deadlines, and resolving each took most of the page's time."""
    found = path_template(name, len(ids), get_script_prefix())
    for placeholder, value in zip(PLACEHOLDERS, ids, strict=False):
        found = found.replace(placeholder, str(value))
    return found


def uid(kind: str, *parts) -> str:
    """RFC 5545 UID, stable across feeds and days: "<app>-<kind>-<pk>@casacomuni"."""
    return f"{kind.replace('.', '-')}-{'-'.join(str(part) for part in parts)}@casacomuni"


# --- Procurement --------------------------------------------------------------------------------------------

BID_DEADLINE = "procurement.bid_deadline"
INTEGRATION_DEADLINE = "procurement.integration_deadline"
DESIRED_AWARD = "procurement.desired_award"

# A cancelled procedure's deadline asks nothing of anyone.
NO_DEADLINE_STATES = (procedure_life.CANCELLED,)


def bid_deadlines(user, start: date, end: date) -> list[Event]:
    """The SUA and the Comuni: their procedures' bid deadlines (``Procedure.for_user``). An operator: the
    deadline of each lot open to it (``Lot.open_to``, the bidding pages' own rule), linked to its bid."""
    since, until = local_bounds(start, end)
    if operator := tenancy.as_operator(user):
        return operator_bid_deadlines(operator, since, until)
    rows = (
        Procedure.objects.for_user(user)
        .filter(bid_deadline__gte=since, bid_deadline__lt=until)
        .exclude(state__in=NO_DEADLINE_STATES)
        .values("pk", "title", "bid_deadline")
    )
    return [
        Event(
            uid=uid(BID_DEADLINE, row["pk"]),
            kind=BID_DEADLINE,
            title=_("Bid deadline: %(title)s") % {"title": row["title"]},
            starts=row["bid_deadline"],
            url=path("procurement:procedure_detail", row["pk"]),
        )
        for row in rows
    ]


def operator_bid_deadlines(operator, since: datetime, until: datetime) -> list[Event]:
    rows = (
        Lot.objects.open_to(operator)
        .filter(state=LotState.OPEN, procedure__bid_deadline__gte=since, procedure__bid_deadline__lt=until)
        .exclude(procedure__state__in=NO_DEADLINE_STATES)
        .values("pk", "number", "title", "procedure_id", "procedure__title", "procedure__bid_deadline")
    )
    return [
        Event(
            uid=uid(BID_DEADLINE, row["procedure_id"], "lot", row["pk"]),
            kind=BID_DEADLINE,
            title=_("Bid deadline: %(title)s, lot %(number)s")
            % {"title": row["procedure__title"], "number": row["number"]},
            starts=row["procedure__bid_deadline"],
            url=path("procurement:online_bid", row["procedure_id"], row["pk"]),
            description=row["title"],
        )
        for row in rows
    ]


def integration_deadlines(user, start: date, end: date) -> list[Event]:
    """Requests to complete the documents (soccorso istruttorio, art. 101 D.Lgs. 36/2023) not answered yet:
    the SUA waits for them on the session page; the operator answers them on its bid page."""
    since, until = local_bounds(start, end)
    operator = tenancy.as_operator(user)
    rows = (
        IntegrationRequest.objects.filter(
            bid__in=Bid.objects.for_user(user),
            answered_at__isnull=True,
            deadline__gte=since,
            deadline__lt=until,
        )
        .values("pk", "deadline", "bid__lot_id", "bid__lot__procedure_id", "bid__lot__procedure__title")
        .order_by("deadline", "pk")
    )
    events = []
    for row in rows:
        procedure_id = row["bid__lot__procedure_id"]
        if operator:
            url = path("procurement:online_bid", procedure_id, row["bid__lot_id"])
        else:
            url = path("procurement:bid_session", procedure_id)
        events.append(
            Event(
                uid=uid(INTEGRATION_DEADLINE, row["pk"]),
                kind=INTEGRATION_DEADLINE,
                title=_("Documents to complete: %(title)s") % {"title": row["bid__lot__procedure__title"]},
                starts=row["deadline"],
                url=url,
            )
        )
    return events


def desired_award_dates(user, start: date, end: date) -> list[Event]:
    """The award date a Comune asked for in its procurement request, while the request is open or accepted."""
    rows = (
        ProcurementRequest.objects.for_user(user)
        .filter(
            desired_award_date__gte=start,
            desired_award_date__lte=end,
            state__in=(*OPEN_REQUEST_STATES, RequestState.ACCEPTED),
        )
        .values("pk", "title", "desired_award_date")
    )
    return [
        Event(
            uid=uid(DESIRED_AWARD, row["pk"]),
            kind=DESIRED_AWARD,
            title=_("Desired award: %(title)s") % {"title": row["title"]},
            starts=row["desired_award_date"],
            url=path("procurement:request_detail", row["pk"]),
        )
        for row in rows
    ]


# --- Calls for funding and applications ---------------------------------------------------------------------

CALL_DEADLINE = "eufunds.call_deadline"
APPLICATION_DEADLINE = "projects.application_deadline"

CALL_FIELDS = ("pk", "title", "deadline", "second_deadline", "funder")


def call_deadlines(user, start: date, end: date) -> list[Event]:
    """The deadlines (and second-stage deadlines) of the calls the user's body may act on: see the module's
    docstring for who sees which."""
    since, until = local_bounds(start, end)
    in_window = Q(deadline__gte=since, deadline__lt=until) | Q(
        second_deadline__gte=since, second_deadline__lt=until
    )
    calls = Call.objects.for_user(user).filter(in_window)
    if tenancy.as_upi(user):
        rows = list(calls.filter(province__isnull=True).values(*CALL_FIELDS))
    elif office := tenancy.as_eufunds_office(user):
        applied = Application.objects.for_user(user).exclude(status__in=pipeline.FINAL).values("call")
        rows = list(calls.filter(Q(province_id=office.province_id) | Q(pk__in=applied)).values(*CALL_FIELDS))
    elif party := tenancy.as_local_party(user):
        rows = local_party_calls(user, party, calls)
    else:
        return []
    return [event for row in rows for event in call_events(row, since, until)]


def local_party_calls(user, party, calls) -> list[dict]:
    """The calls of ``calls`` a Comune or Unione applies for, and the open ones it is eligible for."""
    applied = set(
        Application.objects.for_user(user)
        .exclude(status__in=pipeline.FINAL)
        .values_list("call_id", flat=True)
    )
    profile = organization_profile(party)
    eligible: set[int] = set()
    if profile is not None:
        open_calls = calls.filter(status__in=(CallStatus.OPEN, CallStatus.FORTHCOMING))
        eligible = set(eligible_call_ids(profile, open_calls, include_unknown=False))
    wanted = applied | eligible
    return [row for row in calls.values(*CALL_FIELDS) if row["pk"] in wanted]


def call_events(row: dict, since: datetime, until: datetime) -> list[Event]:
    url = path("eufunds:call_detail", row["pk"])
    events = []
    if row["deadline"] and since <= row["deadline"] < until:
        events.append(
            Event(
                uid=uid(CALL_DEADLINE, row["pk"]),
                kind=CALL_DEADLINE,
                title=_("Call deadline: %(title)s") % {"title": row["title"]},
                starts=row["deadline"],
                url=url,
                description=row["funder"],
            )
        )
    if row["second_deadline"] and since <= row["second_deadline"] < until:
        events.append(
            Event(
                uid=uid(CALL_DEADLINE, row["pk"], "second"),
                kind=CALL_DEADLINE,
                title=_("Call deadline, second stage: %(title)s") % {"title": row["title"]},
                starts=row["second_deadline"],
                url=url,
                description=row["funder"],
            )
        )
    return events


# The longest lead time an application may set (``Application.lead_time_days``' validator).
MAX_LEAD_TIME_DAYS = 365


def application_deadlines(user, start: date, end: date) -> list[Event]:
    """The internal deadline of each application being prepared (the call's deadline minus its lead time), for
    the Comune and its Province's office."""
    since, until = local_bounds(start, end + timedelta(days=MAX_LEAD_TIME_DAYS))
    rows = (
        Application.objects.for_user(user)
        .exclude(status__in=(*pipeline.FINAL, ApplicationStatus.SUBMITTED))
        .filter(call__deadline__gte=since, call__deadline__lt=until)
        .values("pk", "title", "lead_time_days", "call__deadline", "call__title")
    )
    events = []
    for row in rows:
        internal = timezone.localdate(row["call__deadline"]) - timedelta(days=row["lead_time_days"])
        if start <= internal <= end:
            events.append(
                Event(
                    uid=uid(APPLICATION_DEADLINE, row["pk"]),
                    kind=APPLICATION_DEADLINE,
                    title=_("Internal deadline: %(title)s") % {"title": row["title"]},
                    starts=internal,
                    url=path("projects:application_detail", row["pk"]),
                    description=row["call__title"],
                )
            )
    return events


# --- Funded projects ----------------------------------------------------------------------------------------

MILESTONE = "projects.milestone"
REPORTING = "projects.reporting"
PNRR_UPDATE = "projects.pnrr_update"


def milestones(user, start: date, end: date) -> list[Event]:
    """PNRR milestones and targets not achieved yet, of the projects the user reads."""
    rows = Milestone.objects.filter(
        project__in=FundedProject.objects.for_user(user), achieved=False, due_on__gte=start, due_on__lte=end
    ).values("pk", "kind", "description", "due_on", "project_id", "project__title")
    return [
        Event(
            uid=uid(MILESTONE, row["pk"]),
            kind=MILESTONE,
            title=(_("Target: %(text)s") if row["kind"] == "target" else _("Milestone: %(text)s"))
            % {"text": row["description"]},
            starts=row["due_on"],
            url=path("projects:project_detail", row["project_id"]),
            description=row["project__title"],
        )
        for row in rows
    ]


def reporting_deadlines(user, start: date, end: date) -> list[Event]:
    """The end of each reporting period whose statement has not been submitted."""
    rows = ReportingPeriod.objects.filter(
        project__in=FundedProject.objects.for_user(user),
        submitted_on__isnull=True,
        ends_on__gte=start,
        ends_on__lte=end,
    ).values("pk", "starts_on", "ends_on", "project_id", "project__title")
    return [
        Event(
            uid=uid(REPORTING, row["pk"]),
            kind=REPORTING,
            title=_("Reporting period ends: %(title)s") % {"title": row["project__title"]},
            starts=row["ends_on"],
            url=path("projects:project_detail", row["project_id"]),
            description=_("Expenses from %(start)s to %(end)s")
            % {"start": formats.day(row["starts_on"]), "end": formats.day(row["ends_on"])},
        )
        for row in rows
    ]


def pnrr_updates(user, start: date, end: date) -> list[Event]:
    """The monthly ReGiS update (by the 10th, ``projects.rules.pnrr``) while the body has PNRR projects under
    way: one event per month, on the project list."""
    projects = FundedProject.objects.for_user(user).filter(
        is_pnrr=True, status__in=(ProjectStatus.NOT_STARTED, ProjectStatus.ONGOING)
    )
    count = projects.count()
    if not count:
        return []
    organization = tenancy.acting_organization(user)
    events = []
    deadline = pnrr.next_update_deadline(start)
    while deadline <= end:
        events.append(
            Event(
                uid=uid(PNRR_UPDATE, organization.pk, deadline.strftime("%Y%m")),
                kind=PNRR_UPDATE,
                title=_("PNRR monthly update in ReGiS (%(count)s projects)") % {"count": count},
                starts=deadline,
                url=path("projects:project_list"),
            )
        )
        deadline = pnrr.next_update_deadline(deadline + timedelta(days=1))
    return events


# --- Data campaigns -----------------------------------------------------------------------------------------

CAMPAIGN_DEADLINE = "insights.campaign_deadline"


def campaign_deadlines(user, start: date, end: date) -> list[Event]:
    """The data office: its campaigns' deadlines; a Comune: those of the campaigns sent to it, on its answer."""
    office = tenancy.as_data_office(user)
    rows = (
        Campaign.objects.for_user(user)
        .filter(deadline__gte=start, deadline__lte=end)
        .exclude(state=CampaignState.CLOSED)
        .values("pk", "title", "year", "deadline")
    )
    page = "insights:campaign_detail" if office else "insights:response_form"
    return [
        Event(
            uid=uid(CAMPAIGN_DEADLINE, row["pk"]),
            kind=CAMPAIGN_DEADLINE,
            title=_("Data campaign deadline: %(title)s (%(year)s)")
            % {"title": row["title"], "year": row["year"]},
            starts=row["deadline"],
            url=path(page, row["pk"]),
        )
        for row in rows
    ]


# --- Agreements ---------------------------------------------------------------------------------------------

AGREEMENT_END = "agreements.end"
AGREEMENT_NOTICE = "agreements.notice"

AGREEMENT_FIELDS = ("pk", "title", "end_date", "notice_days", "state")


def active_agreements(user, start: date):
    return Agreement.objects.for_user(user).filter(state=agreement_life.ACTIVE, end_date__gte=start)


def agreement_ends(user, start: date, end: date) -> list[Event]:
    """The end (renewal) date of the active agreements of the Province or of the Comune."""
    rows = active_agreements(user, start).filter(end_date__lte=end).only(*AGREEMENT_FIELDS)
    return [
        Event(
            uid=uid(AGREEMENT_END, agreement.pk),
            kind=AGREEMENT_END,
            title=_("Agreement ends: %(title)s") % {"title": agreement.title},
            starts=agreement.end_date,
            url=path("agreements:detail", agreement.pk),
        )
        for agreement in rows
    ]


def agreement_notices(user, start: date, end: date) -> list[Event]:
    """The last day to give notice so that an active agreement ends at its term (``selectors
    .notice_deadline``). The subtraction is done here, as the selectors do: date arithmetic with a column
    differs between SQLite and PostgreSQL; one query reads the active agreements not yet at their term."""
    events = []
    for agreement in active_agreements(user, start).only(*AGREEMENT_FIELDS):
        deadline = notice_deadline(agreement)
        if start <= deadline <= end:
            events.append(
                Event(
                    uid=uid(AGREEMENT_NOTICE, agreement.pk),
                    kind=AGREEMENT_NOTICE,
                    title=_("Last day to give notice: %(title)s") % {"title": agreement.title},
                    starts=deadline,
                    url=path("agreements:detail", agreement.pk),
                    description=_("The agreement ends on %(day)s.")
                    % {"day": formats.day(agreement.end_date)},
                )
            )
    return events


# --- Training -----------------------------------------------------------------------------------------------

TRAINING_SESSION = "training.session"
ENROLMENT_DEADLINE = "training.enrolment_deadline"


def training_sessions(user, start: date, end: date) -> list[Event]:
    """The training office: the sessions of its editions. Anyone else: the sessions of the editions in which
    the staff it reads are enrolled (a referent its organisation's, a person its own), ``Enrolment.for_user``."""
    since, until = local_bounds(start, end)
    editions = Edition.objects.for_user(user).exclude(state=EditionState.CANCELLED)
    if tenancy.as_province(user, TRAINING_OFFICE_ROLES) is None:
        enrolled = Enrolment.objects.for_user(user).filter(state=EnrolmentState.ENROLLED).values("edition")
        editions = editions.filter(pk__in=enrolled)
    rows = Session.objects.filter(edition__in=editions, starts_at__gte=since, starts_at__lt=until).values(
        "pk", "starts_at", "ends_at", "place", "edition_id", "edition__code", "edition__module__title"
    )
    return [
        Event(
            uid=uid(TRAINING_SESSION, row["pk"]),
            kind=TRAINING_SESSION,
            title=_("Course: %(title)s (%(code)s)")
            % {"title": row["edition__module__title"], "code": row["edition__code"]},
            starts=row["starts_at"],
            ends=row["ends_at"],
            url=path("training:edition_detail", row["edition_id"]),
            description=row["place"],
        )
        for row in rows
    ]


def enrolment_deadlines(user, start: date, end: date) -> list[Event]:
    """The enrolment deadline of the editions open to enrolment that the user reads (the office its own, the
    Comuni their Province's)."""
    rows = (
        Edition.objects.for_user(user)
        .filter(state=EditionState.OPEN, enrolment_deadline__gte=start, enrolment_deadline__lte=end)
        .values("pk", "code", "enrolment_deadline", "module__title")
    )
    return [
        Event(
            uid=uid(ENROLMENT_DEADLINE, row["pk"]),
            kind=ENROLMENT_DEADLINE,
            title=_("Enrolment closes: %(title)s (%(code)s)")
            % {"title": row["module__title"], "code": row["code"]},
            starts=row["enrolment_deadline"],
            url=path("training:edition_detail", row["pk"]),
        )
        for row in rows
    ]


# --- Help desk ----------------------------------------------------------------------------------------------

HELP_DUE = "helpdesk.due"


def help_request_due_times(user, start: date, end: date) -> list[Event]:
    """The due times of the open requests for help the user reads (the office its queue, a Comune its own):
    the first answer while none was given, the resolution while the office's clock runs
    (``HelpRequest.objects.due_between``)."""
    since, until = local_bounds(start, end)
    rows = (
        HelpRequest.objects.for_user(user)
        .due_between(since, until)
        .values("pk", "subject", "first_answered_at", "first_answer_due_at", "resolution_due_at", "state")
    )
    events = []
    for row in rows:
        url = path("helpdesk:detail", row["pk"])
        number = {"number": row["pk"], "subject": row["subject"]}
        if row["first_answered_at"] is None and since <= row["first_answer_due_at"] < until:
            events.append(
                Event(
                    uid=uid(HELP_DUE, "first", row["pk"]),
                    kind=HELP_DUE,
                    title=_("First answer due: request #%(number)s, %(subject)s") % number,
                    starts=row["first_answer_due_at"],
                    url=url,
                )
            )
        if since <= row["resolution_due_at"] < until and row["state"] != WAITING:
            events.append(
                Event(
                    uid=uid(HELP_DUE, "resolution", row["pk"]),
                    kind=HELP_DUE,
                    title=_("Resolution due: request #%(number)s, %(subject)s") % number,
                    starts=row["resolution_due_at"],
                    url=url,
                )
            )
    return events


# The registry: the legend and the filter list the kinds in this order.
SOURCES: tuple[Source, ...] = (
    Source(BID_DEADLINE, gettext_lazy("Bid deadlines"), bid_deadlines),
    Source(
        INTEGRATION_DEADLINE,
        gettext_lazy("Documents to complete (soccorso istruttorio)"),
        integration_deadlines,
    ),
    Source(DESIRED_AWARD, gettext_lazy("Desired award dates"), desired_award_dates),
    Source(CALL_DEADLINE, gettext_lazy("Call deadlines"), call_deadlines),
    Source(APPLICATION_DEADLINE, gettext_lazy("Internal deadlines of applications"), application_deadlines),
    Source(MILESTONE, gettext_lazy("PNRR milestones and targets"), milestones),
    Source(REPORTING, gettext_lazy("Reporting deadlines"), reporting_deadlines),
    Source(PNRR_UPDATE, gettext_lazy("PNRR monthly updates"), pnrr_updates),
    Source(CAMPAIGN_DEADLINE, gettext_lazy("Data campaign deadlines"), campaign_deadlines),
    Source(AGREEMENT_END, gettext_lazy("Agreement ends"), agreement_ends),
    Source(AGREEMENT_NOTICE, gettext_lazy("Agreement notice deadlines"), agreement_notices),
    Source(TRAINING_SESSION, gettext_lazy("Training sessions"), training_sessions),
    Source(ENROLMENT_DEADLINE, gettext_lazy("Enrolment deadlines"), enrolment_deadlines),
    Source(HELP_DUE, gettext_lazy("Requests for help due"), help_request_due_times),
)

KINDS: dict[str, Promise] = {source.kind: source.label for source in SOURCES}


def sort_key(event: Event) -> tuple:
    """All-day events first on their day, then timed ones by their local time."""
    if isinstance(event.starts, datetime):
        local = timezone.localtime(event.starts)
        return (local.date(), 1, local.time(), event.title)
    return (event.starts, 0, time.min, event.title)


def event_day(event: Event) -> date:
    return timezone.localtime(event.starts).date() if isinstance(event.starts, datetime) else event.starts


def events_for(user, start: date, end: date, kinds: Iterable[str] | None = None) -> list[Event]:
    """Every event between ``start`` and ``end`` (inclusive) the user may open, of ``kinds`` (all by default),
    in the order of the day. A source whose kind is not asked for is not queried."""
    wanted = set(KINDS) if kinds is None else set(kinds)
    found = [
        event for source in SOURCES if source.kind in wanted for event in source.events(user, start, end)
    ]
    return sorted(found, key=sort_key)
