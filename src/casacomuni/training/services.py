"""Write operations of training: modules and editions, staff, enrolment with its waiting list, the attendance
register, completion and certificates, and the hours imported from other providers.

Every function checks the actor's role and scope, runs in one transaction and records an audit event in the
chain of the Province that runs the training (``Module.province``) or, for a staff record and an import, of the
organisation that owns it. Bad input raises ValidationError in Italian and writes nothing.
"""

import csv
import dataclasses
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.models import Organization, User
from casacomuni.accounts.roles import LOCAL_KINDS, TRAINING_OFFICE_ROLES, OrganizationKind, Role
from casacomuni.audit.services import record_event
from casacomuni.lib import identifiers
from casacomuni.training import ledger, satisfaction
from casacomuni.training.models import (
    LIVE_STATES,
    MAX_OPTIONS,
    MIN_OPTIONS,
    Area,
    Attendance,
    Competence,
    Completion,
    Edition,
    EditionState,
    Enrolment,
    EnrolmentState,
    ExternalHours,
    ImportRun,
    Level,
    Mode,
    Module,
    ModuleCompetence,
    ModuleMaterial,
    Need,
    Path,
    PathModule,
    Plan,
    PlanItem,
    SatisfactionResponse,
    SatisfactionSurvey,
    Session,
    StaffMember,
    TestAttempt,
    TestQuestion,
)
from casacomuni.training.rules import attendance as attendance_rules
from casacomuni.training.rules import final_test as test_rules
from casacomuni.training.rules import needs as need_rules
from casacomuni.training.rules import seats

MAX_IMPORT_ROWS = 50_000
IMPORT_COLUMNS = ("fiscal_code", "course", "hours", "date", "provider")


# --- Who acts -----------------------------------------------------------------------------------------------


def training_office(actor: Actor) -> Organization:
    """The Province whose training office the actor acts for (403 otherwise)."""
    office = tenancy.as_province(actor.user, TRAINING_OFFICE_ROLES)
    if office is None:
        raise PermissionDenied
    return office


def require_office_of(actor: Actor, edition: Edition) -> Organization:
    office = training_office(actor)
    if edition.module.province_id != office.pk:
        raise PermissionDenied
    return office


def may_manage_person(actor: Actor, person: StaffMember) -> bool:
    """The training office of the person's territory, or the referent of the person's own Comune (Unione)."""
    office = tenancy.as_province(actor.user, TRAINING_OFFICE_ROLES)
    if office is not None:
        return person.organization.province_id == office.province_id
    party = tenancy.as_local_party(actor.user)
    return (
        party is not None
        and tenancy.has_role(actor.user, Role.MUNICIPALITY_REFERENT)
        and person.organization_id == party.pk
    )


def _event(actor: Actor, action: str, obj, changes=None, *, organization) -> None:
    record_event(actor, f"training.{action}", obj, changes or {}, organization=organization)


# --- Staff --------------------------------------------------------------------------------------------------


@dataclass
class StaffData:
    fiscal_code: str
    first_name: str
    last_name: str
    email: str = ""
    job_title: str = ""


def add_staff(actor: Actor, organization: Organization, data: StaffData) -> StaffMember:
    """A person on the staff of ``organization``: the referent for its own Comune (Unione), the training
    office for the Province and its territory. The record is linked to the platform account with the same
    fiscal code that is a member of ``organization``, if there is one: that person then sees its own hours
    and certificates, asks to take part and signs in to sessions."""
    if organization.kind not in (OrganizationKind.PROVINCE, *LOCAL_KINDS):
        raise ValidationError(_("Staff belongs to a Province, a Comune or a Unione."))
    probe = StaffMember(organization=organization)
    if not may_manage_person(actor, probe):
        raise PermissionDenied
    fiscal_code = (data.fiscal_code or "").strip().upper()
    errors = {}
    check = identifiers.check_fiscal_code(fiscal_code)
    if not check.valid or len(fiscal_code) != 16:
        errors["fiscal_code"] = _("Enter the person's fiscal code (16 characters).")
    for field in ("first_name", "last_name"):
        if not str(getattr(data, field) or "").strip():
            errors[field] = _("This field is required.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if StaffMember.objects.filter(organization=organization, fiscal_code=fiscal_code).exists():
            raise ValidationError({"fiscal_code": _("This person is already on the staff.")})
        person = StaffMember.objects.create(
            organization=organization,
            fiscal_code=fiscal_code,
            first_name=data.first_name.strip()[:100],
            last_name=data.last_name.strip()[:100],
            email=(data.email or "").strip()[:254],
            job_title=(data.job_title or "").strip()[:200],
            user=User.objects.filter(fiscal_code=fiscal_code, memberships__organization=organization).first(),
        )
        _event(
            actor, "staff.add", person, {"organization": [None, organization.name]}, organization=organization
        )
    return person


# --- Editions and sessions ----------------------------------------------------------------------------------


def add_session(
    actor: Actor, edition: Edition, starts_at: datetime, ends_at: datetime, place="", video_link=""
):
    require_office_of(actor, edition)
    errors = {}
    if ends_at <= starts_at:
        errors["ends_at"] = _("A session ends after it starts.")
    if not (place or "").strip() and not (video_link or "").strip():
        errors["place"] = _("Give the place or the video link.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        edition = Edition.objects.select_for_update().get(pk=edition.pk)
        if edition.state in (EditionState.COMPLETED, EditionState.CANCELLED):
            raise ValidationError(_("A completed or cancelled edition takes no more sessions."))
        session = Session.objects.create(
            edition=edition,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place.strip(),
            video_link=video_link.strip(),
        )
        _event(
            actor,
            "session.add",
            session,
            {"starts_at": [None, starts_at]},
            organization=edition.module.province,
        )
    return session


# --- Enrolment ----------------------------------------------------------------------------------------------


def _locked_edition(edition: Edition) -> Edition:
    """The edition, locked: the seats are counted and taken under this lock, so two enrolments at once cannot
    both take the last seat."""
    return Edition.objects.select_for_update().select_related("module__province").get(pk=edition.pk)


def _taken(edition: Edition) -> int:
    return edition.enrolments.filter(state=EnrolmentState.ENROLLED).count()


def _open_problem(edition: Edition, today: date) -> str | None:
    if edition.state != EditionState.OPEN:
        return _("Enrolment in this edition is not open.")
    if edition.enrolment_deadline is not None and today > edition.enrolment_deadline:
        return _("The enrolment deadline has passed.")
    return None


def _place(actor: Actor, edition: Edition, person: StaffMember, state: str) -> Enrolment:
    if edition.enrolments.filter(person=person, state__in=LIVE_STATES).exists():
        raise ValidationError(_("%(person)s is already enrolled or waiting.") % {"person": person.full_name})
    enrolment = Enrolment.objects.create(
        edition=edition, person=person, state=state, requested_at=timezone.now(), requested_by=actor.user
    )
    _event(
        actor, "enrolment.create", enrolment, {"state": [None, state]}, organization=edition.module.province
    )
    return enrolment


def enrol(actor: Actor, edition: Edition, person: StaffMember) -> Enrolment:
    """The referent of the person's Comune, or the training office, enrols a person: a seat while one is free,
    else the waiting list (never beyond the seats)."""
    if not may_manage_person(actor, person):
        raise PermissionDenied
    with transaction.atomic():
        edition = _locked_edition(edition)
        _require_visible(actor, edition, person)
        problem = _open_problem(edition, timezone.localdate())
        if problem:
            raise ValidationError(problem)
        return _place(actor, edition, person, seats.placement(_taken(edition), edition.seats))


def _require_visible(actor: Actor, edition: Edition, person: StaffMember) -> None:
    """The edition is run by the Province of the person's territory and published (or the actor's office's)."""
    province = edition.module.province
    if person.organization.province_id != province.province_id:
        raise ValidationError(_("Only the staff of the Province's territory enrols in its editions."))
    if not edition.module.published and tenancy.as_province(actor.user, TRAINING_OFFICE_ROLES) != province:
        raise PermissionDenied


def request_enrolment(actor: Actor, edition: Edition) -> Enrolment:
    """A member of staff asks to take part; the referent of its Comune (or the training office) decides."""
    person = StaffMember.objects.filter(user=actor.user, active=True).select_related("organization").first()
    if person is None:
        raise ValidationError(_("Your staff record is not on the platform: ask your referent to enrol you."))
    with transaction.atomic():
        edition = _locked_edition(edition)
        _require_visible(actor, edition, person)
        problem = _open_problem(edition, timezone.localdate())
        if problem:
            raise ValidationError(problem)
        return _place(actor, edition, person, EnrolmentState.REQUESTED)


def decide_request(actor: Actor, enrolment: Enrolment, approve: bool) -> Enrolment:
    if not may_manage_person(actor, enrolment.person):
        raise PermissionDenied
    with transaction.atomic():
        edition = _locked_edition(enrolment.edition)
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.state != EnrolmentState.REQUESTED:
            raise ValidationError(_("This request was already decided."))
        old = enrolment.state
        if approve:
            enrolment.state = seats.placement(_taken(edition), edition.seats)
        else:
            enrolment.state, enrolment.ended_at = EnrolmentState.REFUSED, timezone.now()
        enrolment.save(update_fields=["state", "ended_at"])
        _event(
            actor,
            "enrolment.decide",
            enrolment,
            {"state": [old, enrolment.state]},
            organization=edition.module.province,
        )
    return enrolment


def cancel_enrolment(actor: Actor, enrolment: Enrolment) -> list[Enrolment]:
    """Cancel an enrolment (the person, its referent or the office) before the edition ends; a freed seat goes
    to the longest waiting. Returns the enrolments promoted (they are e-mailed)."""
    from casacomuni.training.tasks import send_promotion_notice

    own = enrolment.person.user_id is not None and enrolment.person.user_id == getattr(actor.user, "pk", None)
    if not own and not may_manage_person(actor, enrolment.person):
        raise PermissionDenied
    with transaction.atomic():
        edition = _locked_edition(enrolment.edition)
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.state not in LIVE_STATES:
            raise ValidationError(_("This enrolment is no longer in force."))
        if edition.state in (EditionState.COMPLETED, EditionState.CANCELLED):
            raise ValidationError(_("The edition is over."))
        old = enrolment.state
        enrolment.state, enrolment.ended_at = EnrolmentState.CANCELLED, timezone.now()
        enrolment.save(update_fields=["state", "ended_at"])
        _event(
            actor,
            "enrolment.cancel",
            enrolment,
            {"state": [old, enrolment.state]},
            organization=edition.module.province,
        )
        promoted = promote_waiting(actor, edition)
        for lucky in promoted:
            transaction.on_commit(partial(send_promotion_notice.enqueue, lucky.pk))
    return promoted


def promote_waiting(actor: Actor, edition: Edition) -> list[Enrolment]:
    """Within the caller's transaction and lock on the edition: the waiting take the free seats in order."""
    waiting = list(edition.enrolments.filter(state=EnrolmentState.WAITING).order_by("requested_at", "pk"))
    promoted = seats.promoted(_taken(edition), edition.seats, waiting)
    for enrolment in promoted:
        enrolment.state = EnrolmentState.ENROLLED
        enrolment.save(update_fields=["state"])
        changes = {"state": [EnrolmentState.WAITING, EnrolmentState.ENROLLED]}
        _event(actor, "enrolment.promote", enrolment, changes, organization=edition.module.province)
    return promoted


# --- Attendance ---------------------------------------------------------------------------------------------


def record_attendance(actor: Actor, session: Session, enrolment: Enrolment, minutes: int) -> Attendance:
    """The office marks a participant's presence in a session's register, with the minutes attended (0 for an
    absence); refused before the session starts and beyond its length."""
    require_office_of(actor, session.edition)
    if enrolment.edition_id != session.edition_id or enrolment.state != EnrolmentState.ENROLLED:
        raise ValidationError(_("Only the enrolled participants of the edition are in its register."))
    return _write_attendance(actor, session, enrolment, minutes, Attendance.Method.REGISTER)


def sign_in(actor: Actor, session: Session, code: str) -> Attendance:
    """A participant signs in with the code the teacher shows during the session: the minutes from now (or
    from the start) to the end are recorded."""
    enrolment = (
        Enrolment.objects.filter(
            edition=session.edition, person__user=actor.user, state=EnrolmentState.ENROLLED
        )
        .select_related("person")
        .first()
    )
    if enrolment is None:
        raise PermissionDenied
    now = timezone.now()
    if not session.starts_at <= now <= session.ends_at:
        raise ValidationError(_("You can sign in only while the session is held."))
    if (code or "").strip().upper() != session.sign_in_code:
        raise ValidationError({"code": _("The code is not this session's.")})
    minutes = int((session.ends_at - max(now, session.starts_at)).total_seconds() // 60)
    return _write_attendance(actor, session, enrolment, minutes, Attendance.Method.CODE)


def _write_attendance(actor, session, enrolment, minutes, method) -> Attendance:
    if session.starts_at > timezone.now():
        raise ValidationError(_("Attendance is recorded only once the session has started."))
    problem = attendance_rules.minutes_problem(minutes, session.minutes)
    if problem == attendance_rules.MINUTES_OVER_SESSION:
        raise ValidationError(
            {
                "minutes": _("The session lasts %(minutes)s minutes: no more can be recorded.")
                % {"minutes": session.minutes}
            }
        )
    if problem:
        raise ValidationError({"minutes": _("Minutes attended cannot be negative.")})
    with transaction.atomic():
        attendance, _created = Attendance.objects.update_or_create(
            session=session,
            enrolment=enrolment,
            defaults={"minutes": minutes, "method": method, "recorded_by": actor.user},
        )
        _event(
            actor,
            "attendance.record",
            attendance,
            {"minutes": [None, minutes]},
            organization=session.edition.module.province,
        )
    return attendance


# --- Completion and certificates ----------------------------------------------------------------------------


def record_test_score(actor: Actor, enrolment: Enrolment, score_percent: int) -> Enrolment:
    require_office_of(actor, enrolment.edition)
    if not enrolment.edition.final_test:
        raise ValidationError(_("This edition has no final test."))
    if not 0 <= score_percent <= 100:
        raise ValidationError({"score": _("Enter the score from 0 to 100.")})
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        old = enrolment.test_score_percent
        enrolment.test_score_percent = score_percent
        enrolment.save(update_fields=["test_score_percent"])
        _event(
            actor,
            "test.score",
            enrolment,
            {"score": [old, score_percent]},
            organization=enrolment.edition.module.province,
        )
    return enrolment


@dataclass
class Outcome:
    enrolment: Enrolment
    attended_percent: Decimal
    problems: list[str]


def outcomes(edition: Edition) -> list[Outcome]:
    """For each enrolled participant: the share of the sessions' time attended and what keeps it from
    completing (``rules.attendance``)."""
    sessions = list(edition.sessions.all())
    scheduled = sum(session.minutes for session in sessions)
    attended = dict(
        Attendance.objects.filter(session__edition=edition)
        .values_list("enrolment")
        .annotate(total=Sum("minutes"))
        .values_list("enrolment", "total")
    )
    result = []
    for enrolment in edition.enrolments.filter(state=EnrolmentState.ENROLLED).select_related("person"):
        minutes = attended.get(enrolment.pk, 0)
        problems = attendance_rules.completion_problems(
            minutes,
            scheduled,
            edition.min_attendance_percent,
            final_test=edition.final_test,
            test_score_percent=enrolment.test_score_percent,
            pass_mark_percent=edition.pass_mark_percent,
        )
        result.append(Outcome(enrolment, attendance_rules.attended_percent(minutes, scheduled), problems))
    return result


def complete_edition(actor: Actor, edition: Edition) -> list[Completion]:
    """Close the edition once its last session has ended: every participant with enough attendance (and the
    test passed) completes it, with the module's hours and a certificate. Returns the completions."""
    require_office_of(actor, edition)
    with transaction.atomic():
        edition = _locked_edition(edition)
        if edition.state in (EditionState.COMPLETED, EditionState.CANCELLED):
            raise ValidationError(_("The edition is already completed or cancelled."))
        last = edition.sessions.order_by("-ends_at").first()
        if last is None:
            raise ValidationError(_("The edition has no sessions."))
        if last.ends_at > timezone.now():
            raise ValidationError(_("An edition is completed only after its last session."))
        completed_on = timezone.localdate(last.ends_at)
        completions = [
            Completion.objects.create(
                enrolment=outcome.enrolment,
                person=outcome.enrolment.person,
                completed_on=completed_on,
                hours=edition.module.hours,
            )
            for outcome in outcomes(edition)
            if not outcome.problems
        ]
        ledger.refresh_hours([c.person_id for c in completions], [completed_on.year])
        edition.state = EditionState.COMPLETED
        edition.save(update_fields=["state"])
        open_survey(edition)
        _event(
            actor,
            "edition.complete",
            edition,
            {"completions": [None, len(completions)]},
            organization=edition.module.province,
        )
    return completions


def revoke_certificate(actor: Actor, completion: Completion, reason: str) -> Completion:
    """A revoked certificate no longer verifies, its badge says so and its hours leave the ledger."""
    require_office_of(actor, completion.enrolment.edition)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Write why the certificate is revoked.")})
    with transaction.atomic():
        completion = Completion.objects.select_for_update().get(pk=completion.pk)
        if completion.revoked_at is not None:
            raise ValidationError(_("The certificate was already revoked."))
        completion.revoked_at, completion.revocation_reason = timezone.now(), reason[:300]
        completion.save(update_fields=["revoked_at", "revocation_reason"])
        ledger.refresh_hours([completion.person_id], [completion.completed_on.year])
        _event(
            actor,
            "certificate.revoke",
            completion,
            {"reason": [None, completion.revocation_reason]},
            organization=completion.enrolment.edition.module.province,
        )
    return completion


# --- Hours done elsewhere -----------------------------------------------------------------------------------


@dataclass
class ImportReport:
    run: ImportRun | None
    added: int
    skipped: list[dict]


def import_external_hours(actor: Actor, organization: Organization, upload) -> ImportReport:
    """A CSV of completions with other providers (columns fiscal_code, course, hours, date, provider; the
    national Syllabus platform's export, say) for the staff of ``organization``. A file with any invalid row
    (a fiscal code, hours or a date that does not read) is refused whole, naming the rows; rows already
    imported and people not on the staff are skipped and reported, so the same file imported twice adds
    nothing the second time."""
    probe = StaffMember(organization=organization)
    if not may_manage_person(actor, probe):
        raise PermissionDenied
    rows = _read_csv(upload)
    staff = dict(StaffMember.objects.filter(organization=organization).values_list("fiscal_code", "pk"))
    skipped, fresh = [], []
    # What the organisation's staff already has, read once: a row per query would make 50,000 of them.
    seen: set[tuple] = set(
        ExternalHours.objects.filter(person__organization=organization).values_list(
            "person_id", "provider", "course", "completed_on"
        )
    )
    for number, row in rows:
        person = staff.get(row["fiscal_code"])
        key = (person, row["provider"], row["course"], row["date"])
        if person is None:
            skipped.append(
                {"row": number, "reason": _("not on the staff of %(name)s") % {"name": organization.name}}
            )
        elif key in seen:
            skipped.append({"row": number, "reason": _("already imported")})
        else:
            seen.add(key)
            fresh.append((person, row))
    with transaction.atomic():
        run = ImportRun.objects.create(
            organization=organization,
            file_name=str(getattr(upload, "name", ""))[:200],
            imported_by=actor.user,
            added=len(fresh),
            skipped=skipped,
        )
        ExternalHours.objects.bulk_create(
            ExternalHours(
                person_id=person,
                provider=row["provider"],
                course=row["course"],
                hours=row["hours"],
                completed_on=row["date"],
                import_run=run,
            )
            for person, row in fresh
        )
        ledger.refresh_hours([person for person, _row in fresh], [row["date"].year for _person, row in fresh])
        _event(
            actor,
            "import.hours",
            run,
            {"added": [None, len(fresh)], "skipped": [None, len(skipped)]},
            organization=organization,
        )
    return ImportReport(run, len(fresh), skipped)


def _read_csv(upload) -> list[tuple[int, dict]]:
    """The rows as (line number, cleaned values); ValidationError naming every invalid row."""
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not a CSV in UTF-8.")) from None
    dialect = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=dialect)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in IMPORT_COLUMNS if column not in header]
    if missing:
        raise ValidationError(_("The file lacks the columns: %(columns)s.") % {"columns": ", ".join(missing)})
    rows, errors = [], []
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_IMPORT_ROWS:
            raise ValidationError(_("At most %(count)s rows per file.") % {"count": MAX_IMPORT_ROWS})
        values = {key.strip().lower(): (value or "").strip() for key, value in raw.items() if key}
        cleaned, problem = _clean_row(values)
        if problem:
            errors.append(_("row %(row)s: %(problem)s") % {"row": number, "problem": problem})
        else:
            rows.append((number, cleaned))
    if errors:
        raise ValidationError(_("Nothing was imported. %(errors)s") % {"errors": "; ".join(errors[:20])})
    if not rows:
        raise ValidationError(_("The file has no rows."))
    return rows


def _clean_row(values: dict) -> tuple[dict, str | None]:
    fiscal_code = values.get("fiscal_code", "").upper()
    if len(fiscal_code) != 16 or not identifiers.check_fiscal_code(fiscal_code).valid:
        return {}, _("the fiscal code %(code)s is not valid") % {"code": fiscal_code or "—"}
    try:
        hours = Decimal(values.get("hours", "").replace(",", "."))
    except InvalidOperation:
        return {}, _("the hours are not a number")
    if not hours.is_finite() or not Decimal("0.5") <= hours <= 500 or hours != hours.quantize(Decimal("0.1")):
        return {}, _("the hours must be from 0.5 to 500, with at most one decimal")
    try:
        day = date.fromisoformat(values.get("date", ""))
    except ValueError:
        return {}, _("the date must be written as YYYY-MM-DD")
    if day > timezone.localdate() or day.year < 2000:
        return {}, _("the date is in the future or before 2000")
    course, provider = values.get("course", "")[:300], values.get("provider", "")[:200]
    if not course or not provider:
        return {}, _("the course and the provider are required")
    return {
        "fiscal_code": fiscal_code,
        "hours": hours,
        "date": day,
        "course": course,
        "provider": provider,
    }, None


# --- Needs and the plan -------------------------------------------------------------------------------------


def derive_needs(actor: Actor, campaign) -> int:
    """The needs of the Comuni that submitted the training-needs ``campaign`` of the actor's Province
    (``rules.needs``): created, or updated when a Comune answered again. Returns how many needs it wrote."""
    from casacomuni.insights.models import Answer, ResponseState, TemplateCode

    office = training_office(actor)
    if campaign.province_id != office.pk:
        raise PermissionDenied
    if campaign.questionnaire.template_code != TemplateCode.TRAINING_NEEDS:
        raise ValidationError(_("Needs come from a campaign of the training-needs questionnaire."))
    submitted = campaign.responses.filter(state__in=(ResponseState.SUBMITTED, ResponseState.REOPEN_REQUESTED))
    answers: dict[int, dict] = {}
    for response_id, code, value in Answer.objects.filter(
        response__in=submitted, question__code__in=("areas", "level", "staff_to_train")
    ).values_list("response_id", "question__code", "value"):
        answers.setdefault(response_id, {})[code] = value
    written = 0
    with transaction.atomic():
        for response in submitted.select_related("organization"):
            given = answers.get(response.pk, {})
            for need in need_rules.needs_from_answers(
                given.get("areas"), given.get("level"), given.get("staff_to_train")
            ):
                Need.objects.update_or_create(
                    organization=response.organization,
                    year=campaign.year,
                    area=need.area,
                    level=need.level,
                    role="",
                    defaults={"province": office, "people": need.people, "response": response},
                )
                written += 1
        _event(actor, "needs.derive", campaign, {"needs": [None, written]}, organization=office)
    return written


def needs_ranking(office: Organization, year: int) -> list[dict]:
    """The year's needs of the territory by area and level, most people first, each saying whether a
    published module answers it."""
    totals: dict[tuple[str, str], tuple[int, int]] = {}
    needs = Need.objects.filter(province=office, year=year)
    for area, level, people, bodies in (
        needs.values("area", "level")
        .annotate(people=Sum("people"), bodies=Count("organization", distinct=True))
        .values_list("area", "level", "people", "bodies")
    ):
        totals[(area, level)] = (people, bodies)
    covered = set(
        Module.objects.filter(province=office, published=True).values_list("area", "level").distinct()
    )
    return [
        {
            "area": area,
            "level": level,
            "people": people,
            "organizations": bodies,
            "covered": (area, level) in covered,
        }
        for area, level, people, bodies in need_rules.ranked(totals)
    ]


def plan_module(actor: Actor, plan: Plan, module: Module, needs, editions: int = 1) -> PlanItem:
    """Put ``module`` in the year's plan against the ``needs`` it answers (needs of the plan's Province and
    year, of the module's area)."""
    office = training_office(actor)
    if plan.province_id != office.pk or module.province_id != office.pk:
        raise PermissionDenied
    needs = list(needs)
    if any(need.province_id != office.pk or need.year != plan.year for need in needs):
        raise ValidationError({"needs": _("Choose needs of the plan's year and of your territory.")})
    if any(need.area != module.area for need in needs):
        raise ValidationError({"needs": _("A module answers only the needs of its own area.")})
    if not 1 <= editions <= 50:
        raise ValidationError({"editions": _("Plan from 1 to 50 editions.")})
    with transaction.atomic():
        item, _created = PlanItem.objects.update_or_create(
            plan=plan, module=module, defaults={"editions": editions}
        )
        item.needs.set(needs)
        _event(
            actor,
            "plan.module",
            item,
            {"needs": [None, len(needs)], "editions": [None, editions]},
            organization=office,
        )
    return item


def create_plan(actor: Actor, year: int, title: str) -> Plan:
    """The training office's plan for ``year`` (one per Province and year)."""
    office = training_office(actor)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("This field is required.")})
    if not 2020 <= year <= 2100:
        raise ValidationError({"year": _("Enter a year from 2020 to 2100.")})
    with transaction.atomic():
        if Plan.objects.filter(province=office, year=year).exists():
            raise ValidationError(_("The plan of %(year)s already exists.") % {"year": year})
        plan = Plan.objects.create(province=office, year=year, title=title[:200])
        _event(actor, "plan.create", plan, {"year": [None, year]}, organization=office)
    return plan


# --- Modules and editions of the catalogue ------------------------------------------------------------------


@dataclass
class ModuleData:
    title: str
    area: str
    level: str
    mode: str
    hours: Decimal
    objectives: str
    contents: str = ""
    elearning_url: str = ""
    # (competence code, level) pairs and (title, link) pairs.
    competences: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    materials: list[tuple[str, str]] = dataclasses.field(default_factory=list)


def _module_problems(data: ModuleData) -> dict:
    errors = {}
    for name in ("title", "objectives"):
        if not str(getattr(data, name) or "").strip():
            errors[name] = _("This field is required.")
    for name, choices in (("area", Area), ("level", Level), ("mode", Mode)):
        if getattr(data, name) not in choices.values:
            errors[name] = _("Choose one of the options.")
    if data.hours is None or not Decimal("0.5") <= Decimal(data.hours) <= 500:
        errors["hours"] = _("The hours must be from 0.5 to 500.")
    codes = [code for code, _level in data.competences]
    known = set(Competence.objects.filter(code__in=codes).values_list("code", flat=True))
    if len(set(codes)) != len(codes) or set(codes) - known:
        errors["competences"] = _("Choose each competence of the framework once.")
    elif any(level not in Level.values for _code, level in data.competences):
        errors["competences"] = _("Choose the level of each competence.")
    for title, url in data.materials:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["materials"] = _("Each material needs a title and a valid link (https://...).")
        if not title.strip():
            errors["materials"] = _("Each material needs a title and a valid link (https://...).")
    return errors


def _write_module(module: Module, data: ModuleData) -> None:
    for name in ("title", "area", "level", "mode", "hours", "objectives", "contents", "elearning_url"):
        value = getattr(data, name)
        setattr(module, name, value.strip() if isinstance(value, str) else value)
    module.save()
    module.module_competences.all().delete()
    competences = dict(
        Competence.objects.filter(code__in=[code for code, _l in data.competences]).values_list("code", "pk")
    )
    ModuleCompetence.objects.bulk_create(
        ModuleCompetence(module=module, competence_id=competences[code], level=level)
        for code, level in data.competences
    )
    module.materials.all().delete()
    ModuleMaterial.objects.bulk_create(
        ModuleMaterial(module=module, title=title.strip()[:200], url=url) for title, url in data.materials
    )


def create_module(actor: Actor, data: ModuleData) -> Module:
    """A draft module of the acting Province's catalogue (published later with ``publish_module``)."""
    office = training_office(actor)
    errors = _module_problems(data)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        module = Module(province=office)
        _write_module(module, data)
        _event(actor, "module.create", module, {"title": [None, module.title]}, organization=office)
    return module


def update_module(actor: Actor, module: Module, data: ModuleData) -> Module:
    office = training_office(actor)
    if module.province_id != office.pk:
        raise PermissionDenied
    errors = _module_problems(data)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        module = Module.objects.select_for_update().get(pk=module.pk)
        old = module.title
        _write_module(module, data)
        _event(actor, "module.update", module, {"title": [old, module.title]}, organization=office)
    return module


def publish_module(actor: Actor, module: Module) -> Module:
    """The module enters the catalogue its Comuni read."""
    office = training_office(actor)
    if module.province_id != office.pk:
        raise PermissionDenied
    with transaction.atomic():
        module = Module.objects.select_for_update().get(pk=module.pk)
        if module.published:
            raise ValidationError(_("The module is already published."))
        module.published = True
        module.save(update_fields=["published"])
        _event(actor, "module.publish", module, {"published": [False, True]}, organization=office)
    return module


@dataclass
class EditionData:
    code: str
    seats: int
    signatory: str
    enrolment_deadline: date | None = None
    teachers: str = ""
    min_attendance_percent: int = 75
    final_test: bool = False
    pass_mark_percent: int = 67


def _edition_problems(data: EditionData) -> dict:
    errors = {}
    for name in ("code", "signatory"):
        if not str(getattr(data, name) or "").strip():
            errors[name] = _("This field is required.")
    if data.seats is None or not 1 <= data.seats <= 1000:
        errors["seats"] = _("The seats must be from 1 to 1000.")
    for name in ("min_attendance_percent", "pass_mark_percent"):
        if getattr(data, name) is None or not 1 <= getattr(data, name) <= 100:
            errors[name] = _("Enter a share from 1 to 100.")
    return errors


def create_edition(actor: Actor, module: Module, data: EditionData) -> Edition:
    """A planned edition of one of the office's modules (enrolment opens with ``open_enrolment``)."""
    office = training_office(actor)
    if module.province_id != office.pk:
        raise PermissionDenied
    errors = _edition_problems(data)
    if errors:
        raise ValidationError(errors)
    code = data.code.strip()[:30]
    with transaction.atomic():
        if Edition.objects.filter(module=module, code=code).exists():
            raise ValidationError({"code": _("The module already has an edition with this code.")})
        edition = Edition.objects.create(
            module=module,
            code=code,
            seats=data.seats,
            enrolment_deadline=data.enrolment_deadline,
            teachers=data.teachers.strip()[:300],
            min_attendance_percent=data.min_attendance_percent,
            final_test=data.final_test,
            pass_mark_percent=data.pass_mark_percent,
            signatory=data.signatory.strip()[:200],
        )
        _event(actor, "edition.create", edition, {"code": [None, code]}, organization=office)
    return edition


# The states from which each change of an edition's state is allowed.
EDITION_MOVES: dict[str, tuple[str, ...]] = {
    EditionState.OPEN: (EditionState.PLANNED, EditionState.CLOSED),
    EditionState.CLOSED: (EditionState.OPEN,),
    EditionState.CANCELLED: (EditionState.PLANNED, EditionState.OPEN, EditionState.CLOSED),
}


def _move_edition(actor: Actor, edition: Edition, state: str) -> Edition:
    office = require_office_of(actor, edition)
    with transaction.atomic():
        edition = _locked_edition(edition)
        if edition.state not in EDITION_MOVES[state]:
            raise ValidationError(
                _("An edition in the state “%(state)s” cannot take this step.")
                % {"state": edition.get_state_display()}
            )
        old, edition.state = edition.state, state
        edition.save(update_fields=["state"])
        if state == EditionState.CANCELLED:
            edition.enrolments.filter(state__in=LIVE_STATES).update(
                state=EnrolmentState.CANCELLED, ended_at=timezone.now()
            )
        _event(actor, "edition.state", edition, {"state": [old, state]}, organization=office)
    return edition


def open_enrolment(actor: Actor, edition: Edition) -> Edition:
    return _move_edition(actor, edition, EditionState.OPEN)


def close_enrolment(actor: Actor, edition: Edition) -> Edition:
    return _move_edition(actor, edition, EditionState.CLOSED)


def cancel_edition(actor: Actor, edition: Edition) -> Edition:
    """The edition will not be held: its enrolments in force end with it."""
    return _move_edition(actor, edition, EditionState.CANCELLED)


def enrol_many(actor: Actor, edition: Edition, people: list[StaffMember]) -> list[Enrolment]:
    """Enrol several people at once: all of them (a seat each while one is free, then the waiting list) or,
    if one is refused, none."""
    if not people:
        raise ValidationError(_("Choose at least one person."))
    with transaction.atomic():
        return [enrol(actor, edition, person) for person in people]


def record_register(actor: Actor, session: Session, minutes: dict[Enrolment, int]) -> list[Attendance]:
    """The whole register of a session at once: every participant's minutes or, if one is refused, none."""
    with transaction.atomic():
        return [record_attendance(actor, session, enrolment, value) for enrolment, value in minutes.items()]


# --- The final test -----------------------------------------------------------------------------------------


def _test_taken(module: Module) -> bool:
    return TestAttempt.objects.filter(enrolment__edition__module=module).exists()


def _question_problems(text: str, options: list[str], correct) -> dict:
    errors = {}
    if not text:
        errors["text"] = _("Write the question.")
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        errors["options"] = _("Give from %(min)s to %(max)s options.") % {
            "min": MIN_OPTIONS,
            "max": MAX_OPTIONS,
        }
    elif len({option.casefold() for option in options}) != len(options):
        errors["options"] = _("Two options are the same.")
    elif not isinstance(correct, int) or not 0 <= correct < len(options):
        errors["correct"] = _("Choose the one correct option.")
    return errors


def save_test_question(
    actor: Actor,
    module: Module,
    text: str,
    options: list[str],
    correct: int,
    question: TestQuestion | None = None,
) -> TestQuestion:
    """Add (or change) a question of the module's final test: 2 to 6 options (empty ones are dropped), exactly
    one of them correct. Refused once somebody took the test: the attempts were scored on the questions."""
    office = training_office(actor)
    if module.province_id != office.pk or (question is not None and question.module_id != module.pk):
        raise PermissionDenied
    text = (text or "").strip()[:500]
    options = [str(option).strip()[:300] for option in options if str(option or "").strip()]
    errors = _question_problems(text, options, correct)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        module = Module.objects.select_for_update().get(pk=module.pk)
        if _test_taken(module):
            raise ValidationError(_("Somebody already took this test: its questions can no longer change."))
        old = None if question is None else question.text
        if question is None:
            question = TestQuestion(module=module, order=module.test_questions.count() + 1)
        question.text, question.options, question.correct = text, options, correct
        question.save()
        _event(actor, "test.question", question, {"text": [old, text]}, organization=office)
    return question


def delete_test_question(actor: Actor, question: TestQuestion) -> None:
    office = training_office(actor)
    if question.module.province_id != office.pk:
        raise PermissionDenied
    with transaction.atomic():
        module = Module.objects.select_for_update().get(pk=question.module_id)
        if _test_taken(module):
            raise ValidationError(_("Somebody already took this test: its questions can no longer change."))
        _event(actor, "test.question.delete", question, {"text": [question.text, None]}, organization=office)
        question.delete()


def set_test_retry(actor: Actor, edition: Edition, allowed: bool) -> Edition:
    """Whether who fails the edition's final test may try once more."""
    office = require_office_of(actor, edition)
    with transaction.atomic():
        edition = _locked_edition(edition)
        if not edition.final_test:
            raise ValidationError(_("This edition has no final test."))
        old, edition.test_retry = edition.test_retry, allowed
        edition.save(update_fields=["test_retry"])
        _event(actor, "test.retry", edition, {"test_retry": [old, allowed]}, organization=office)
    return edition


def own_enrolment(actor: Actor, edition: Edition) -> Enrolment | None:
    """The actor's enrolment (as a member of staff) in force in the edition."""
    return (
        Enrolment.objects.filter(edition=edition, person__user=actor.user, state=EnrolmentState.ENROLLED)
        .select_related("person")
        .first()
        if actor.user is not None and actor.user.is_authenticated
        else None
    )


def final_test_problem(edition: Edition, enrolment: Enrolment | None) -> str | None:
    """Why the participant cannot take the edition's test now (Italian), or None."""
    if not edition.final_test:
        return _("This edition has no final test.")
    if enrolment is None:
        return _("Only the participants enrolled in the edition take its test.")
    if edition.state in (EditionState.COMPLETED, EditionState.CANCELLED):
        return _("The edition is closed: its test can no longer be taken.")
    last = edition.sessions.order_by("-ends_at").first()
    if last is None or last.ends_at > timezone.now():
        return _("The test opens once all the sessions have been held.")
    if not edition.module.test_questions.exists():
        return _("The test has no questions yet.")
    passed = list(enrolment.test_attempts.order_by("number").values_list("passed", flat=True))
    if not test_rules.may_attempt(passed, edition.test_retry):
        return _("You have already taken the test.")
    return None


def take_test(actor: Actor, edition: Edition, chosen: dict) -> TestAttempt:
    """A participant's attempt at the edition's final test: ``chosen`` maps each question id to the index of
    the option chosen. Every question must be answered; the score (``rules.final_test``) is the enrolment's
    test score, the best of its attempts, which ``outcomes`` and ``complete_edition`` read."""
    enrolment = own_enrolment(actor, edition)
    with transaction.atomic():
        edition = _locked_edition(edition)
        problem = final_test_problem(edition, enrolment)
        if problem is not None:
            raise ValidationError(problem)
        if enrolment is None:  # already a problem above; this line tells the type checker
            raise PermissionDenied
        questions = list(edition.module.test_questions.all())
        answers = {}
        for question in questions:
            value = chosen.get(question.pk)
            if isinstance(value, int) and 0 <= value < len(question.options):
                answers[question.pk] = value
        unanswered = len(questions) - len(answers)
        if unanswered:
            raise ValidationError(
                ngettext(
                    "Answer every question: %(count)s is unanswered.",
                    "Answer every question: %(count)s are unanswered.",
                    unanswered,
                )
                % {"count": unanswered}
            )
        result = test_rules.score({q.pk: q.correct for q in questions}, answers, edition.pass_mark_percent)
        attempt = TestAttempt.objects.create(
            enrolment=enrolment,
            number=enrolment.test_attempts.count() + 1,
            answers={str(pk): value for pk, value in answers.items()},
            correct=result.correct,
            total=result.total,
            score_percent=result.percent,
            passed=result.passed,
        )
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        old = enrolment.test_score_percent
        enrolment.test_score_percent = max(result.percent, old or 0)
        enrolment.save(update_fields=["test_score_percent"])
        _event(
            actor,
            "test.take",
            attempt,
            {"score": [old, enrolment.test_score_percent], "attempt": [None, attempt.number]},
            organization=edition.module.province,
        )
    return attempt


# --- The satisfaction questionnaire -------------------------------------------------------------------------


def open_survey(edition: Edition) -> SatisfactionSurvey:
    """Within ``complete_edition``: the edition's satisfaction questionnaire, at the current questions."""
    survey, _created = SatisfactionSurvey.objects.get_or_create(
        edition=edition, defaults={"version": satisfaction.VERSION}
    )
    return survey


def satisfaction_problem(enrolment: Enrolment | None) -> str | None:
    """Why the participant cannot answer the edition's questionnaire (Italian), or None."""
    if enrolment is None or not hasattr(enrolment, "completion"):
        return _("Only who completed the edition answers its questionnaire.")
    if not SatisfactionSurvey.objects.filter(edition_id=enrolment.edition_id).exists():
        return _("The questionnaire opens when the edition is completed.")
    if SatisfactionResponse.objects.filter(enrolment=enrolment).exists():
        return _("You have already answered: thank you.")
    return None


def completed_enrolment(actor: Actor, edition: Edition) -> Enrolment | None:
    """The actor's enrolment in the edition that ended in a completion."""
    if actor.user is None or not actor.user.is_authenticated:
        return None
    return (
        Enrolment.objects.filter(edition=edition, person__user=actor.user, completion__isnull=False)
        .select_related("completion")
        .first()
    )


def answer_satisfaction(actor: Actor, edition: Edition, raw: dict) -> SatisfactionResponse:
    """A participant who completed the edition answers its satisfaction questionnaire, once (``raw``:
    question code -> value, checked by the questionnaires' engine)."""
    enrolment = completed_enrolment(actor, edition)
    with transaction.atomic():
        problem = satisfaction_problem(enrolment)
        if problem is not None:
            raise ValidationError(problem)
        if enrolment is None:  # already a problem above; this line tells the type checker
            raise PermissionDenied
        survey = SatisfactionSurvey.objects.select_for_update().get(edition=edition)
        if SatisfactionResponse.objects.filter(enrolment=enrolment).exists():
            raise ValidationError(_("You have already answered: thank you."))
        result = satisfaction.validate(raw, survey.version)
        if not result.is_valid:
            raise ValidationError(
                {
                    code: [message.render(_) for message in messages]
                    for code, messages in result.errors.items()
                }
            )
        response = SatisfactionResponse.objects.create(
            survey=survey,
            enrolment=enrolment,
            overall=int(result.cleaned["overall"]),
            answers=result.cleaned,
        )
        _event(
            actor,
            "satisfaction.answer",
            response,
            {"overall": [None, response.overall]},
            organization=edition.module.province,
        )
    return response


# --- Training paths (percorsi formativi) --------------------------------------------------------------------

# A path is published with at least this many modules: one module alone is a module, not a path.
MIN_PATH_MODULES = 2


@dataclass
class PathData:
    title: str
    description: str
    area: str
    level: str


def _path_problems(data: PathData) -> dict:
    errors = {}
    for name in ("title", "description"):
        if not str(getattr(data, name) or "").strip():
            errors[name] = _("This field is required.")
    for name, choices in (("area", Area), ("level", Level)):
        if getattr(data, name) not in choices.values:
            errors[name] = _("Choose one of the options.")
    return errors


def _own_path(actor: Actor, path: Path) -> Organization:
    office = training_office(actor)
    if path.province_id != office.pk:
        raise PermissionDenied
    return office


def _module_problems_of_path(office: Organization, modules: list[Module], published: bool) -> str | None:
    """Why ``modules`` (in order) cannot be the modules of a path of ``office``, or None."""
    if len({module.pk for module in modules}) != len(modules):
        return _("Each module appears once in a path.")
    if any(module.province_id != office.pk for module in modules):
        return _("A path is made of modules of your Province's catalogue.")
    if published:
        return _publication_problem(modules)
    return None


def _publication_problem(modules: list[Module]) -> str | None:
    if len(modules) < MIN_PATH_MODULES:
        return _("A path is published with at least two modules.")
    drafts = [module.title for module in modules if not module.published]
    if drafts:
        return _("A published path holds published modules only; still drafts: %(titles)s.") % {
            "titles": ", ".join(drafts)
        }
    return None


def _write_path_modules(path: Path, modules: list[Module]) -> None:
    path.path_modules.all().delete()
    PathModule.objects.bulk_create(
        PathModule(path=path, module=module, position=number) for number, module in enumerate(modules, 1)
    )


def _write_path(path: Path, data: PathData) -> None:
    for name in ("title", "description", "area", "level"):
        setattr(path, name, getattr(data, name).strip())
    path.title = path.title[:200]
    path.save()


def create_path(actor: Actor, data: PathData, modules=()) -> Path:
    """A draft path of the acting Province's training office, with ``modules`` in this order (published
    later with ``publish_path``)."""
    office = training_office(actor)
    modules = list(modules)
    errors = _path_problems(data)
    problem = _module_problems_of_path(office, modules, published=False)
    if problem:
        errors["modules"] = problem
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        path = Path(province=office)
        _write_path(path, data)
        _write_path_modules(path, modules)
        changes = {"title": [None, path.title], "modules": [None, [m.pk for m in modules]]}
        _event(actor, "path.create", path, changes, organization=office)
    return path


def update_path(actor: Actor, path: Path, data: PathData, modules=None) -> Path:
    """The path's title, objectives, area and level and, if given, its modules in order (a published path
    keeps at least two modules, all published)."""
    office = _own_path(actor, path)
    errors = _path_problems(data)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        path = Path.objects.select_for_update().get(pk=path.pk)
        old = path.title
        if modules is not None:
            _set_modules(path, office, list(modules))
        _write_path(path, data)
        _event(actor, "path.update", path, {"title": [old, path.title]}, organization=office)
    return path


def _set_modules(path: Path, office: Organization, modules: list[Module]) -> list[int]:
    problem = _module_problems_of_path(office, modules, published=path.published)
    if problem:
        raise ValidationError({"modules": problem})
    old = list(path.path_modules.values_list("module_id", flat=True))
    _write_path_modules(path, modules)
    return old


def set_path_modules(actor: Actor, path: Path, modules) -> Path:
    """The modules of the path, in this order: modules of the path's Province, each once; a published path
    keeps at least two, all published."""
    office = _own_path(actor, path)
    modules = list(modules)
    with transaction.atomic():
        path = Path.objects.select_for_update().get(pk=path.pk)
        old = _set_modules(path, office, modules)
        changes = {"modules": [old, [m.pk for m in modules]]}
        _event(actor, "path.modules", path, changes, organization=office)
    return path


def publish_path(actor: Actor, path: Path) -> Path:
    """The path enters the catalogue its Comuni read: it needs at least two modules, all published."""
    office = _own_path(actor, path)
    with transaction.atomic():
        path = Path.objects.select_for_update().get(pk=path.pk)
        if path.published:
            raise ValidationError(_("The path is already published."))
        modules = [row.module for row in path.path_modules.select_related("module")]
        problem = _publication_problem(modules)
        if problem:
            raise ValidationError(problem)
        path.published = True
        path.save(update_fields=["published"])
        _event(actor, "path.publish", path, {"published": [False, True]}, organization=office)
    return path


def unpublish_path(actor: Actor, path: Path) -> Path:
    """The path leaves the Comuni's catalogue (its modules stay there); the office may change it freely."""
    office = _own_path(actor, path)
    with transaction.atomic():
        path = Path.objects.select_for_update().get(pk=path.pk)
        if not path.published:
            raise ValidationError(_("The path is not published."))
        path.published = False
        path.save(update_fields=["published"])
        _event(actor, "path.unpublish", path, {"published": [True, False]}, organization=office)
    return path
