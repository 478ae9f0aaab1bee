"""API of training, mounted at /api/v1/training: the catalogue's modules, paths and editions, the enrolments of an
edition (enrol a member of staff, cancel), the attendance register of a session, the completions with their
certificate, and the 40-hour ledger (the organisation's people, its summary, the caller's own hours).

Reads go through the models' ``for_user`` (404 for another Province's or Comune's object), writes through
``training.services``, which check the role and the scope again, as the pages do. Errors as problem+json in
Italian: 400 invalid data or a step refused (the service's message; nothing is written), 403 a role that may
not act, 404 an unknown object or one the caller may not read.
"""

import datetime
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.roles import TRAINING_OFFICE_ROLES
from casacomuni.lib.bounds import MAX_OFFSET
from casacomuni.lib.problems import documented
from casacomuni.training import ledger, services
from casacomuni.training.forms import SORTS
from casacomuni.training.models import (
    Area,
    Attendance,
    Completion,
    Edition,
    EditionState,
    Enrolment,
    EnrolmentState,
    ExternalHours,
    Level,
    Mode,
    Module,
    ModuleCompetence,
    PathModule,
    Session,
    StaffMember,
)
from casacomuni.training.models import Path as TrainingPath
from casacomuni.training.rules import ledger as rules
from casacomuni.training.views.ledger import ledger_organizations

router = Router(tags=["training"])

# The Italian API guidelines ask every number to state its format (ruleset rules integer-format and
# number-format).
Int64 = Annotated[int, Field(json_schema_extra={"format": "int64"})]
Int32 = Annotated[int, Field(json_schema_extra={"format": "int32"})]
Hours = Annotated[Decimal, Field(json_schema_extra={"format": "decimal"}, description="Hours, one decimal")]
Percent = Annotated[
    Decimal, Field(json_schema_extra={"format": "decimal"}, description="Percent, one decimal")
]


def id_path(description: str):
    parameter = Path(..., description=description)
    parameter.json_schema_extra = {"format": "int64"}  # ninja's Path takes no json_schema_extra of its own
    return parameter


class TrainingPageInput(LimitOffsetPagination.Input):
    limit: Int32 = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT)
    offset: Int32 = Field(0, ge=0, le=MAX_OFFSET)


class TrainingPageOutput(LimitOffsetPagination.Output):
    items: list[Any]
    count: Int32


class TrainingPage(LimitOffsetPagination):
    """The platform's limit/offset pagination (casacomuni.api.pagination, same bounds), with its integers'
    formats stated."""

    Input = TrainingPageInput
    Output = TrainingPageOutput


# --- Schemas ------------------------------------------------------------------------------------------------


class TrainingOrganizationOut(Schema):
    id: Int64
    name: str


class TrainingPersonOut(Schema):
    """A member of staff, as the caller may read it (never its fiscal code)."""

    id: Int64
    first_name: str
    last_name: str
    organization: TrainingOrganizationOut


class TrainingCompetenceOut(Schema):
    code: str
    name: str
    framework: str
    level: Level = Field(description="The level the module builds")

    @staticmethod
    def resolve_code(obj):
        return obj.competence.code

    @staticmethod
    def resolve_name(obj):
        return obj.competence.name

    @staticmethod
    def resolve_framework(obj):
        return obj.competence.framework


class TrainingMaterialOut(Schema):
    title: str
    url: str


class TrainingModuleOut(Schema):
    id: Int64
    title: str
    area: Area
    level: Level
    mode: Mode
    hours: Hours
    published: bool
    province: TrainingOrganizationOut = Field(description="The Province whose training office runs it")


class TrainingModuleDetailOut(TrainingModuleOut):
    objectives: str
    contents: str
    elearning_url: str
    competences: list[TrainingCompetenceOut]
    materials: list[TrainingMaterialOut]

    @staticmethod
    def resolve_competences(obj):
        return list(obj.module_competences.all())

    @staticmethod
    def resolve_materials(obj):
        return list(obj.materials.all())


class TrainingModuleBriefOut(Schema):
    id: Int64
    title: str
    hours: Hours


class TrainingEditionOut(Schema):
    id: Int64
    code: str
    module: TrainingModuleBriefOut
    state: EditionState
    seats: Int32
    seats_taken: Int32 = Field(description="Participants enrolled (the waiting list not counted)")
    enrolment_deadline: date | None
    teachers: str
    min_attendance_percent: Int32
    final_test: bool
    pass_mark_percent: Int32


class TrainingSessionOut(Schema):
    id: Int64
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    minutes: Int32 = Field(description="Its length")
    place: str
    video_link: str


class TrainingEditionDetailOut(TrainingEditionOut):
    signatory: str
    sessions: list[TrainingSessionOut]

    @staticmethod
    def resolve_sessions(obj):
        return list(obj.sessions.all())


class TrainingEnrolmentOut(Schema):
    id: Int64
    edition_id: Int64
    person: TrainingPersonOut
    state: EnrolmentState
    requested_at: datetime.datetime = Field(description="Its place on the waiting list")
    ended_at: datetime.datetime | None = Field(description="When it was cancelled or refused")
    test_score_percent: Int32 | None


class TrainingEnrolmentIn(Schema):
    person_id: Int64 = Field(
        description="A member of staff the caller manages (its Comune's, or its territory's)"
    )


class TrainingCancellationOut(Schema):
    enrolment: TrainingEnrolmentOut
    promoted: list[TrainingEnrolmentOut] = Field(description="Taken off the waiting list into the seat freed")


class TrainingRegisterRowOut(Schema):
    enrolment_id: Int64
    person: TrainingPersonOut
    minutes: Int32 | None = Field(description="Minutes attended; null until recorded")
    method: str | None = Field(description="register (marked by the office) or code (signed in)")


class TrainingRegisterOut(Schema):
    session: TrainingSessionOut
    edition_id: Int64
    held: bool = Field(description="The session has started: attendance can be recorded")
    participants: list[TrainingRegisterRowOut] = Field(description="The enrolled participants")


class TrainingAttendanceIn(Schema):
    minutes: Int32 = Field(ge=0, le=100_000, description="Minutes attended, 0 for an absence")


class TrainingAttendanceOut(Schema):
    session_id: Int64
    enrolment_id: Int64
    minutes: Int32
    method: str
    recorded_at: datetime.datetime


class TrainingCompletionOut(Schema):
    id: Int64
    code: str = Field(description="The certificate's code, verified on the public page")
    person: TrainingPersonOut
    edition_id: Int64
    module: TrainingModuleBriefOut
    hours: Hours
    completed_on: date
    revoked_at: datetime.datetime | None
    revocation_reason: str

    @staticmethod
    def resolve_edition_id(obj):
        return obj.enrolment.edition_id

    @staticmethod
    def resolve_module(obj):
        return obj.enrolment.edition.module


class TrainingLedgerRowOut(Schema):
    person: TrainingPersonOut
    platform_hours: Hours = Field(description="Completed on the platform, not revoked")
    imported_hours: Hours = Field(description="Done with other providers, imported")
    hours: Hours
    forecast: Hours = Field(description="At the end of the year, at the pace so far")
    standing: str = Field(description="reached, on_track, behind, far_behind or missed (a closed year)")

    @staticmethod
    def resolve_person(obj):
        return obj


class TrainingSummaryOut(Schema):
    organization: TrainingOrganizationOut
    people: Int32
    reached: Int32 = Field(description="People at 40 hours")
    far_behind: Int32
    hours: Hours
    reached_share: Percent


class TrainingCourseOut(Schema):
    title: str
    provider: str = Field(description="Empty for a completion on the platform")
    hours: Hours
    completed_on: date
    certificate_code: str | None


class TrainingMyHoursOut(Schema):
    organization: TrainingOrganizationOut
    platform_hours: Hours
    imported_hours: Hours
    hours: Hours
    missing: Hours = Field(description="Hours still to reach 40")
    forecast: Hours
    standing: str
    courses: list[TrainingCourseOut]


# --- Who reads ----------------------------------------------------------------------------------------------


def office_of(user):
    return tenancy.as_province(user, TRAINING_OFFICE_ROLES)


def require_reader(user) -> None:
    """The training office or a Comune's (Unione's) people, as on the pages: anyone else is refused."""
    if office_of(user) is None and tenancy.as_local_party(user) is None:
        raise PermissionDenied


def require_office(user):
    office = office_of(user)
    if office is None:
        raise PermissionDenied
    return office


def editions_for(request):
    """The editions the caller reads, with their seats taken; the Comuni do not see a planned edition."""
    require_reader(request.user)
    editions = (
        Edition.objects.for_user(request.user)
        .select_related("module")
        .annotate(seats_taken=Count("enrolments", filter=Q(enrolments__state=EnrolmentState.ENROLLED)))
    )
    if office_of(request.user) is None:
        editions = editions.exclude(state=EditionState.PLANNED)
    return editions


def readable_edition(request, edition_id: int) -> Edition:
    return get_object_or_404(editions_for(request), pk=edition_id)


def readable_session(request, session_id: int) -> Session:
    sessions = Session.objects.filter(edition__in=Edition.objects.for_user(request.user))
    return get_object_or_404(sessions.select_related("edition__module__province"), pk=session_id)


PERSON = "person__organization"


# --- Modules ------------------------------------------------------------------------------------------------


class TrainingModuleFilters(Schema):
    area: Area | None = None
    level: Level | None = None
    published: bool | None = Field(None, description="The training office's drafts: published=false")


def by_catalogue_filters(queryset, filters):
    """Modules or paths narrowed by the filters given (area, level, published), by title."""
    for name in ("area", "level", "published"):
        if getattr(filters, name) is not None:
            queryset = queryset.filter(**{name: getattr(filters, name)})
    return queryset.order_by("title", "pk")


@router.get(
    "/modules",
    response=list[TrainingModuleOut],
    summary="The modules of the catalogue",
    openapi_extra=documented(400),
)
@paginate(TrainingPage)
def list_modules(request, filters: Query[TrainingModuleFilters]):
    """The training office reads its Province's modules, drafts included; its Comuni and Unioni the published
    ones. By title."""
    require_reader(request.user)
    modules = Module.objects.for_user(request.user).select_related("province")
    return by_catalogue_filters(modules, filters)


@router.get(
    "/modules/{module_id}",
    response=TrainingModuleDetailOut,
    summary="A module, with its competences and materials",
    openapi_extra=documented(404),
)
def get_module(request, module_id: int = id_path("A module of the caller's catalogue")):
    """The objectives, contents, the competences it builds (with their level) and its materials."""
    require_reader(request.user)
    modules = Module.objects.for_user(request.user).select_related("province")
    competences = ModuleCompetence.objects.select_related("competence")
    return get_object_or_404(
        modules.prefetch_related(Prefetch("module_competences", queryset=competences), "materials"),
        pk=module_id,
    )


# --- Editions -----------------------------------------------------------------------------------------------


class TrainingEditionFilters(Schema):
    module: Int64 | None = Field(None, description="A module's id")
    state: EditionState | None = None
    year: Int32 | None = Field(None, ge=2000, le=2100, description="Editions with a session that year")


@router.get(
    "/editions",
    response=list[TrainingEditionOut],
    summary="The editions of the catalogue's modules",
    openapi_extra=documented(400),
)
@paginate(TrainingPage)
def list_editions(request, filters: Query[TrainingEditionFilters]):
    """Newest first. The Comuni and Unioni read the editions of the published modules once they are no
    longer only planned."""
    editions = editions_for(request)
    if filters.module is not None:
        editions = editions.filter(module_id=filters.module)
    if filters.state:
        editions = editions.filter(state=filters.state)
    if filters.year is not None:
        held = Session.objects.filter(edition=OuterRef("pk"), starts_at__year=filters.year)
        editions = editions.filter(Exists(held))
    return editions.order_by("-created_at", "-pk")


@router.get(
    "/editions/{edition_id}",
    response=TrainingEditionDetailOut,
    summary="An edition, with its sessions",
    openapi_extra=documented(404),
)
def get_edition(request, edition_id: int = id_path("An edition the caller reads")):
    """The seats, the rules of completion (minimum attendance, final test) and the sessions in order."""
    return readable_edition(request, edition_id)


# --- Enrolments ---------------------------------------------------------------------------------------------


def enrolments_of(request, edition: Edition):
    """The office reads every enrolment of its edition; a Comune's people those of the staff they read."""
    enrolments = Enrolment.objects.filter(edition=edition).select_related(PERSON)
    if office_of(request.user) is None:
        enrolments = enrolments.filter(pk__in=Enrolment.objects.for_user(request.user))
    return enrolments


@router.get(
    "/editions/{edition_id}/enrolments",
    response=list[TrainingEnrolmentOut],
    summary="The enrolments of an edition",
    openapi_extra=documented(400, 404),
)
@paginate(TrainingPage)
def list_enrolments(request, edition_id: int = id_path("An edition the caller reads")):
    """In the order they were made (the waiting list's order). The training office reads all of them, a
    Comune's referent those of its staff, a member of staff its own."""
    return enrolments_of(request, readable_edition(request, edition_id)).order_by("requested_at", "pk")


@router.post(
    "/editions/{edition_id}/enrolments",
    response={201: TrainingEnrolmentOut},
    summary="Enrol a member of staff: a seat while one is free, else the waiting list",
    openapi_extra=documented(400, 404),
)
def enrol(request, payload: TrainingEnrolmentIn, edition_id: int = id_path("An open edition")):
    """The referent of the person's Comune (Unione) or the training office, as on the edition's page: never
    beyond the seats (the answer's state says enrolled or waiting), refused when enrolment is closed or the
    person is already enrolled or waiting."""
    edition = readable_edition(request, edition_id)
    person = StaffMember.objects.for_user(request.user).filter(pk=payload.person_id, active=True).first()
    if person is None:
        raise ValidationError({"person_id": _("Choose a member of staff you manage.")})
    enrolment = services.enrol(Actor.from_request(request), edition, person)
    return Status(201, Enrolment.objects.select_related(PERSON).get(pk=enrolment.pk))


@router.post(
    "/enrolments/{enrolment_id}/cancel",
    response=TrainingCancellationOut,
    summary="Cancel an enrolment; the first on the waiting list takes the seat",
    openapi_extra=documented(400, 404),
)
def cancel_enrolment(request, enrolment_id: int = id_path("An enrolment the caller reads")):
    """The person, its referent or the training office, before the edition is over; whoever is promoted is
    told by e-mail."""
    require_reader(request.user)
    enrolments = Enrolment.objects.for_user(request.user).select_related("edition", PERSON)
    enrolment = get_object_or_404(enrolments, pk=enrolment_id)
    promoted = services.cancel_enrolment(Actor.from_request(request), enrolment)
    fresh = Enrolment.objects.select_related(PERSON)
    return {
        "enrolment": fresh.get(pk=enrolment.pk),
        "promoted": list(fresh.filter(pk__in=[e.pk for e in promoted]).order_by("requested_at", "pk")),
    }


# --- Attendance ---------------------------------------------------------------------------------------------


def office_session(request, session_id: int) -> Session:
    """A session of the caller's training office (the register is the office's, as on the page)."""
    require_reader(request.user)
    session = readable_session(request, session_id)
    require_office(request.user)
    return session


@router.get(
    "/sessions/{session_id}/register",
    response=TrainingRegisterOut,
    summary="The attendance register of a session",
    openapi_extra=documented(404),
)
def get_register(request, session_id: int = id_path("A session of the caller's training office")):
    """For the training office: each enrolled participant with the minutes recorded (null when none yet) and
    how (marked in the register or signed in with the session's code)."""
    session = office_session(request, session_id)
    recorded = {a.enrolment_id: a for a in Attendance.objects.filter(session=session)}
    enrolments = Enrolment.objects.filter(edition=session.edition, state=EnrolmentState.ENROLLED)
    participants = [
        {
            "enrolment_id": enrolment.pk,
            "person": enrolment.person,
            "minutes": recorded[enrolment.pk].minutes if enrolment.pk in recorded else None,
            "method": recorded[enrolment.pk].method if enrolment.pk in recorded else None,
        }
        for enrolment in enrolments.select_related(PERSON).order_by(
            "person__last_name", "person__first_name", "pk"
        )
    ]
    return {
        "session": session,
        "edition_id": session.edition_id,
        "held": session.starts_at <= timezone.now(),
        "participants": participants,
    }


@router.put(
    "/sessions/{session_id}/register/{enrolment_id}",
    response=TrainingAttendanceOut,
    summary="Record a participant's minutes in a session's register",
    openapi_extra=documented(400, 404),
)
def record_attendance(
    request,
    payload: TrainingAttendanceIn,
    session_id: int = id_path("A session of the caller's training office"),
    enrolment_id: int = id_path("An enrolment of the session's edition"),
):
    """Replaces what was recorded. Refused, with nothing written, before the session starts, beyond the
    session's length and for someone not enrolled in the edition."""
    session = office_session(request, session_id)
    enrolment = get_object_or_404(Enrolment, pk=enrolment_id, edition=session.edition)
    return services.record_attendance(Actor.from_request(request), session, enrolment, payload.minutes)


# --- Completions --------------------------------------------------------------------------------------------


class TrainingCompletionFilters(Schema):
    edition: Int64 | None = Field(None, description="An edition's id")
    person: Int64 | None = Field(None, description="A member of staff's id")
    year: Int32 | None = Field(None, ge=2000, le=2100)


def completions_for(request):
    """The training office its territory's, a Comune's referent its staff's, anybody its own certificates."""
    return Completion.objects.for_user(request.user).select_related("enrolment__edition__module", PERSON)


@router.get(
    "/completions",
    response=list[TrainingCompletionOut],
    summary="Completions, with their certificate",
    openapi_extra=documented(400),
)
@paginate(TrainingPage)
def list_completions(request, filters: Query[TrainingCompletionFilters]):
    """Of the staff the caller reads (the training office its territory's, a referent its Comune's, a person
    its own), newest first; revoked certificates included, with when and why."""
    completions = completions_for(request)
    if filters.edition is not None:
        completions = completions.filter(enrolment__edition_id=filters.edition)
    if filters.person is not None:
        completions = completions.filter(person_id=filters.person)
    if filters.year is not None:
        completions = completions.filter(completed_on__year=filters.year)
    return completions.order_by("-completed_on", "-pk")


@router.get(
    "/completions/{completion_id}",
    response=TrainingCompletionOut,
    summary="A completion, with its certificate",
    openapi_extra=documented(404),
)
def get_completion(request, completion_id: int = id_path("A completion of staff the caller reads")):
    """The hours credited, the day, the certificate's code and, if revoked, when and why."""
    return get_object_or_404(completions_for(request), pk=completion_id)


# --- The 40-hour ledger -------------------------------------------------------------------------------------


class TrainingYearFilter(Schema):
    year: Int32 | None = Field(None, ge=rules.FIRST_YEAR, le=2100, description="The current year if omitted")


class TrainingLedgerFilters(TrainingYearFilter):
    organization: Int64 | None = Field(None, description="One of the caller's organisations")
    standing: Literal["reached", "on_track", "behind", "far_behind", "missed"] | None = None
    sort: Literal["name", "hours", "-hours"] = Field("name", description="hours: fewest first")


def ledger_year(year: int | None) -> int:
    return year or date.today().year


def check_organization(filters: TrainingLedgerFilters, organizations) -> None:
    if filters.organization is not None and filters.organization not in {o.pk for o in organizations}:
        raise ValidationError({"organization": _("Choose one of your organisations.")})


@router.get(
    "/ledger",
    response=list[TrainingLedgerRowOut],
    summary="The 40-hour ledger: each person's hours of a year",
    openapi_extra=documented(400),
)
@paginate(TrainingPage)
def list_ledger(request, filters: Query[TrainingLedgerFilters]):
    """As the ledger page (directive of the Minister for Public Administration of 14 January 2025): the people
    in service the caller reads (the training office its own and its territory's, a Comune's referent its
    staff), with the hours completed on the platform and imported, the forecast at the year's end and the
    standing; filtered by organisation and standing, sorted by name or hours."""
    organizations = list(ledger_organizations(request.user))
    check_organization(filters, organizations)
    year = ledger_year(filters.year)
    people = ledger.ledger_for(request.user, year)
    if filters.organization is not None:
        people = people.filter(organization_id=filters.organization)
    if filters.standing is not None:
        people = ledger.standing_filter(people, filters.standing, year)
    return LedgerRows(people.order_by(*SORTS[filters.sort]), year)


class LedgerRows:
    """The ledger's queryset, sliced by the pagination, each person with its forecast."""

    def __init__(self, people, year: int):
        self.people, self.year, self.today = people, year, date.today()

    def __len__(self) -> int:
        return self.people.count()

    def __getitem__(self, page: slice) -> list:
        rows = list(self.people[page])
        for person in rows:
            tenths(person)
            person.forecast = rules.forecast(person.hours, self.today, self.year)
        return rows


def tenths(person) -> None:
    """The sums of hours with their one decimal, as each database returns them differently."""
    for name in ("platform_hours", "imported_hours", "hours"):
        setattr(person, name, getattr(person, name).quantize(ledger.TENTH))


@router.get(
    "/ledger/summary",
    response=list[TrainingSummaryOut],
    summary="The 40-hour ledger's summary per organisation",
    openapi_extra=documented(400),
)
def ledger_summary(
    request,
    filters: Query[TrainingYearFilter],
):
    """Per organisation the caller reads: people in service, those at 40 hours, those far behind, the hours
    and the share at 40 hours."""
    names = {o.pk: o for o in ledger_organizations(request.user)}
    return [
        {
            "organization": names[pk],
            "people": summary.people,
            "reached": summary.reached,
            "far_behind": summary.far_behind,
            "hours": summary.hours,
            "reached_share": summary.reached_share,
        }
        for pk, summary in ledger.organisation_summaries(request.user, ledger_year(filters.year))
        if pk in names
    ]


@router.get(
    "/ledger/me",
    response=list[TrainingMyHoursOut],
    summary="My hours of a year, towards the 40",
    openapi_extra=documented(400),
)
def my_hours(
    request,
    filters: Query[TrainingYearFilter],
):
    """For each staff record linked to the caller (one per organisation it works for): the hours, what is
    missing to 40, the forecast, the standing and the courses that count (certificates not revoked and hours
    imported)."""
    year = ledger_year(filters.year)
    today = date.today()
    records = list(
        ledger.with_hours(StaffMember.objects.filter(user=request.user), year).select_related("organization")
    )
    courses = courses_of(records, year)
    for record in records:
        tenths(record)
    return [
        {
            "organization": record.organization,
            "platform_hours": record.platform_hours,
            "imported_hours": record.imported_hours,
            "hours": record.hours,
            "missing": rules.missing(record.hours),
            "forecast": rules.forecast(record.hours, today, year),
            "standing": record.standing,
            "courses": courses.get(record.pk, []),
        }
        for record in records
    ]


def courses_of(records, year: int) -> dict[int, list[dict]]:
    """The year's courses of each record: two queries whatever the number of records."""
    within = {"person__in": records, "completed_on__range": ledger.year_range(year)}
    courses: dict[int, list[dict]] = {}
    completions = Completion.objects.filter(**within, revoked_at__isnull=True).select_related(
        "enrolment__edition__module"
    )
    for completion in completions.order_by("completed_on", "pk"):
        courses.setdefault(completion.person_id, []).append(
            {
                "title": completion.enrolment.edition.module.title,
                "provider": "",
                "hours": completion.hours,
                "completed_on": completion.completed_on,
                "certificate_code": completion.code,
            }
        )
    for row in ExternalHours.objects.filter(**within).order_by("completed_on", "pk"):
        courses.setdefault(row.person_id, []).append(
            {
                "title": row.course,
                "provider": row.provider,
                "hours": row.hours,
                "completed_on": row.completed_on,
                "certificate_code": None,
            }
        )
    for rows in courses.values():
        rows.sort(key=lambda course: course["completed_on"])
    return courses


# --- Training paths -----------------------------------------------------------------------------------------


class TrainingPathOut(Schema):
    id: Int64
    title: str
    area: Area
    level: Level
    published: bool
    province: TrainingOrganizationOut = Field(description="The Province whose training office runs it")
    modules_count: Int32 = Field(description="How many modules it has")
    hours: Hours = Field(description="The hours of its modules, added")

    @staticmethod
    def resolve_hours(obj):
        return Decimal(obj.hours or 0).quantize(Decimal("0.1"))


class TrainingPathModuleOut(Schema):
    position: Int32 = Field(description="Its place in the path, 1 the first")
    module: TrainingModuleOut


class TrainingPathDetailOut(TrainingPathOut):
    description: str = Field(description="The path's objectives")
    modules: list[TrainingPathModuleOut] = Field(description="In order")

    @staticmethod
    def resolve_modules(obj):
        return obj.steps


class TrainingPathFilters(Schema):
    area: Area | None = None
    level: Level | None = None
    published: bool | None = Field(None, description="The training office's drafts: published=false")


def paths_for(request):
    """The paths the caller reads, with their modules counted and their hours added."""
    require_reader(request.user)
    return (
        TrainingPath.objects.for_user(request.user)
        .select_related("province")
        .annotate(modules_count=Count("path_modules"), hours=Sum("path_modules__module__hours"))
    )


@router.get(
    "/paths",
    response=list[TrainingPathOut],
    summary="The training paths of the catalogue",
    openapi_extra=documented(400),
)
@paginate(TrainingPage)
def list_paths(request, filters: Query[TrainingPathFilters]):
    """The training office reads its Province's paths, drafts included; its Comuni and Unioni the published
    ones. By title."""
    return by_catalogue_filters(paths_for(request), filters)


@router.get(
    "/paths/{path_id}",
    response=TrainingPathDetailOut,
    summary="A training path, with its modules in order",
    openapi_extra=documented(404),
)
def get_path(request, path_id: int = id_path("A path of the caller's catalogue")):
    """The objectives and the modules to take, in order, each with its hours and mode."""
    path = get_object_or_404(paths_for(request), pk=path_id)
    path.steps = list(
        PathModule.objects.filter(path=path, module__in=Module.objects.for_user(request.user))
        .select_related("module__province")
        .order_by("position", "pk")
    )
    return path
