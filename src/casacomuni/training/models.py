"""Training (formazione): the competence framework, the Province's modules and their editions with sessions, the
staff of the Province and of its Comuni, enrolments with a waiting list, the attendance register, completions
with their certificate, and the hours done elsewhere that count towards each person's 40 hours a year.

Tenancy: a module and its editions belong to the Province whose training office runs them (``province``); its
Comuni and Unioni read the catalogue and enrol their own staff. A staff member belongs to one organisation (a
Province, a Comune or a Unione): that organisation reads its own people, the Province's training office its own
and its territory's. UPI reads aggregates only. Fiscal codes and attendance never reach the open data.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casacomuni.accounts import tenancy
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import TRAINING_OFFICE_ROLES, OrganizationKind, Role

HOURS = {"max_digits": 6, "decimal_places": 1}
# Letters and digits that cannot be mistaken for one another when read aloud or off a screen.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def certificate_code() -> str:
    """12 characters (60 bits): printed on the certificate and in its QR code; guessing one is hopeless."""
    return random_code(12)


def sign_in_code() -> str:
    """6 characters the teacher shows during a session; valid only while it is held."""
    return random_code(6)


class Area(models.TextChoices):
    """The areas of the needs, modules and competences: the platform's three services, digital skills, other."""

    PROCUREMENT = "procurement", _("Public procurement (SUA)")
    EU_FUNDS = "eu_funds", _("EU funds and projects")
    DATA = "data", _("Innovation and data")
    DIGITAL = "digital", _("Digital skills")
    OTHER = "other", pgettext_lazy("training area", "Other")


class Level(models.TextChoices):
    BASE = "base", pgettext_lazy("competence level", "Base")
    INTERMEDIATE = "intermediate", pgettext_lazy("competence level", "Intermediate")
    ADVANCED = "advanced", pgettext_lazy("competence level", "Advanced")


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE_LIVE = "online_live", _("Online, live")
    ELEARNING = "elearning", _("E-learning")
    BLENDED = "blended", _("Blended")


class Competence(models.Model):
    """A competence of the framework, shipped as data (``data/competences.json``): the national Syllabus of
    digital skills for public employees and the platform's own, for its three services."""

    class Framework(models.TextChoices):
        SYLLABUS = "syllabus", _("Syllabus of digital skills for the PA")
        PLATFORM = "platform", _("Casa dei Comuni services")

    code = models.CharField(_("code"), max_length=20, unique=True)
    framework = models.CharField(_("framework"), max_length=20, choices=Framework.choices)
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    group = models.CharField(_("group"), max_length=200, help_text=_("The framework's own area"))
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["framework", "code"]
        verbose_name = _("competence")
        verbose_name_plural = _("competences")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ModuleQuerySet(models.QuerySet):
    def for_user(self, user):
        """The Province's training office its own modules; its Comuni and Unioni, and their staff, the
        published modules of their Province; everybody else none."""
        office = tenancy.as_province(user, TRAINING_OFFICE_ROLES)
        if office is not None:
            return self.filter(province=office)
        party = tenancy.as_local_party(user)
        if party is not None:
            return self.filter(
                province__province_id=party.province_id, province__kind=OrganizationKind.PROVINCE
            ).filter(published=True)
        return self.none()


class Module(models.Model):
    province = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="training_modules",
        limit_choices_to={"kind": OrganizationKind.PROVINCE},
        verbose_name=_("Province"),
    )
    title = models.CharField(_("title"), max_length=200)
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices)
    hours = models.DecimalField(
        _("hours"), **HOURS, validators=[MinValueValidator(0.5), MaxValueValidator(500)]
    )
    objectives = models.TextField(_("objectives"))
    contents = models.TextField(_("contents"), blank=True)
    elearning_url = models.URLField(_("e-learning link"), blank=True)
    competences = models.ManyToManyField(
        Competence, through="ModuleCompetence", related_name="modules", verbose_name=_("competences")
    )
    published = models.BooleanField(_("published in the catalogue"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ModuleQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("training module")
        verbose_name_plural = _("training modules")

    def __str__(self) -> str:
        return self.title


class ModuleCompetence(models.Model):
    """A competence a module builds, and to which level."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="module_competences")
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)

    class Meta:
        ordering = ["competence__code"]
        constraints = [
            models.UniqueConstraint(fields=["module", "competence"], name="one_level_per_module_competence")
        ]

    def __str__(self) -> str:
        return f"{self.module_id}: {self.competence_id} ({self.level})"


class ModuleMaterial(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"))

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class EditionState(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("edition state", "Planned")
    OPEN = "open", pgettext_lazy("edition state", "Enrolment open")
    CLOSED = "closed", pgettext_lazy("edition state", "Enrolment closed")
    COMPLETED = "completed", pgettext_lazy("edition state", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("edition state", "Cancelled")


class EditionQuerySet(models.QuerySet):
    def for_user(self, user):
        """As the modules: the training office its own; the Comuni their Province's published ones."""
        return self.filter(module__in=Module.objects.for_user(user))


class Edition(models.Model):
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="editions")
    code = models.CharField(_("code"), max_length=30, help_text=_("For example 2026/01"))
    state = models.CharField(
        _("state"), max_length=20, choices=EditionState.choices, default=EditionState.PLANNED
    )
    seats = models.PositiveIntegerField(
        _("seats"), validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    enrolment_deadline = models.DateField(_("enrolment deadline"), null=True, blank=True)
    teachers = models.CharField(_("teachers"), max_length=300, blank=True)
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum attendance (%)"), default=75, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    final_test = models.BooleanField(_("final test"), default=False)
    pass_mark_percent = models.PositiveSmallIntegerField(
        _("pass mark of the test (%)"), default=67, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    test_retry = models.BooleanField(
        _("a second attempt at the test"), default=False, help_text=_("For who does not pass the first")
    )
    signatory = models.CharField(
        _("signatory of the certificates"), max_length=200, help_text=_("Name and role, as printed")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        constraints = [models.UniqueConstraint(fields=["module", "code"], name="one_code_per_module_edition")]

    def __str__(self) -> str:
        return f"{self.module.title} ({self.code})"


class Session(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    sign_in_code = models.CharField(_("sign-in code"), max_length=6, default=sign_in_code)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.edition} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class StaffQuerySet(models.QuerySet):
    def for_user(self, user):
        """A Comune's (Unione's) referent its own staff; the Province's training office its own staff and its
        territory's; a person its own record; everybody else none."""
        office = tenancy.as_province(user, TRAINING_OFFICE_ROLES)
        if office is not None:
            return self.filter(organization__province_id=office.province_id).exclude(
                organization__kind=OrganizationKind.OPERATOR
            )
        party = tenancy.as_local_party(user)
        if party is not None and tenancy.has_role(user, Role.MUNICIPALITY_REFERENT):
            return self.filter(organization=party)
        if user.is_authenticated:
            return self.filter(user=user)
        return self.none()


class StaffMember(models.Model):
    """A public employee of a Province, Comune or Unione: whose hours the ledger counts. Not necessarily a user
    of the platform (``user`` links one when there is)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="staff", verbose_name=_("organisation")
    )
    fiscal_code = models.CharField(_("fiscal code"), max_length=16)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    job_title = models.CharField(_("role"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_records",
    )
    active = models.BooleanField(_("in service"), default=True)

    objects = StaffQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "fiscal_code"], name="one_record_per_person_and_body"
            )
        ]

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class EnrolmentState(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("enrolment state", "Requested, awaiting the referent")
    ENROLLED = "enrolled", pgettext_lazy("enrolment state", "Enrolled")
    WAITING = "waiting", pgettext_lazy("enrolment state", "On the waiting list")
    CANCELLED = "cancelled", pgettext_lazy("enrolment state", "Cancelled")
    REFUSED = "refused", pgettext_lazy("enrolment state", "Refused")


# The enrolments that hold (or queue for) a seat: a person has at most one of them per edition.
LIVE_STATES = (EnrolmentState.REQUESTED, EnrolmentState.ENROLLED, EnrolmentState.WAITING)


class EnrolmentQuerySet(models.QuerySet):
    def for_user(self, user):
        """The enrolments of the staff the user reads (``StaffMember.objects.for_user``)."""
        return self.filter(person__in=StaffMember.objects.for_user(user))


class Enrolment(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="enrolments")
    person = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="enrolments")
    state = models.CharField(_("state"), max_length=20, choices=EnrolmentState.choices)
    requested_at = models.DateTimeField(_("requested at"), help_text=_("Its place on the waiting list"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(_("cancelled or refused at"), null=True, blank=True)
    test_score_percent = models.PositiveSmallIntegerField(
        _("final test (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "person"],
                condition=Q(state__in=LIVE_STATES),
                name="one_live_enrolment_per_person_and_edition",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.edition}"


class Attendance(models.Model):
    class Method(models.TextChoices):
        REGISTER = "register", _("Marked in the register")
        CODE = "code", _("Signed in with the session's code")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    minutes = models.PositiveIntegerField(_("minutes attended"))
    method = models.CharField(_("how"), max_length=20, choices=Method.choices)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["session", "enrolment"]
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="one_attendance_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} @ {self.session_id}: {self.minutes}'"


class CompletionQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(enrolment__in=Enrolment.objects.for_user(user))


class Completion(models.Model):
    """A person completed an edition: enough attendance (and the test passed, if there is one). It carries
    the certificate's public code; a revoked certificate no longer verifies and its hours no longer count."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="completion")
    person = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="completions")
    completed_on = models.DateField(_("completed on"))
    hours = models.DecimalField(_("hours"), **HOURS)
    code = models.CharField(_("certificate code"), max_length=12, unique=True, default=certificate_code)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.CharField(_("reason of the revocation"), max_length=300, blank=True)

    objects = CompletionQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_on", "pk"]
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        indexes = [models.Index(fields=["person", "completed_on"], name="completion_person_day")]

    def __str__(self) -> str:
        return self.code


class ImportRun(models.Model):
    """One CSV of completions done with other providers, and the report of what it added or skipped."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="training_imports")
    file_name = models.CharField(_("file"), max_length=200)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added = models.PositiveIntegerField(_("rows added"), default=0)
    skipped = models.JSONField(_("rows skipped and why"), default=list)

    class Meta:
        ordering = ["-imported_at", "pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_at:%Y-%m-%d})"


class ExternalHoursQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(person__in=StaffMember.objects.for_user(user))


class ExternalHours(models.Model):
    """Training done with another provider (the national Syllabus platform, say), imported: it counts towards
    the person's 40 hours of its year like a completion here."""

    person = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="external_hours")
    provider = models.CharField(_("provider"), max_length=200)
    course = models.CharField(_("course"), max_length=300)
    hours = models.DecimalField(_("hours"), **HOURS)
    completed_on = models.DateField(_("completed on"))
    import_run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="rows")

    objects = ExternalHoursQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "provider", "course", "completed_on"], name="one_import_per_external_course"
            )
        ]
        indexes = [models.Index(fields=["person", "completed_on"], name="external_person_day")]

    def __str__(self) -> str:
        return f"{self.course} ({self.hours} h)"


class YearHours(models.Model):
    """A person's hours of one year, kept by ``training.ledger.refresh_hours`` whenever a completion is made
    or revoked or hours are imported (ADR 0013): the ledger of a Province of 20,000 people sorts and filters
    on these columns instead of summing each person's completions and imports on every page."""

    person = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="year_hours")
    year = models.PositiveSmallIntegerField(_("year"))
    platform_hours = models.DecimalField(_("hours on the platform"), max_digits=8, decimal_places=1)
    imported_hours = models.DecimalField(_("imported hours"), max_digits=8, decimal_places=1)
    hours = models.DecimalField(_("hours"), max_digits=8, decimal_places=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="one_total_per_person_and_year")
        ]
        indexes = [models.Index(fields=["year", "hours"], name="year_hours_by_hours")]

    def __str__(self) -> str:
        return f"{self.year}: {self.hours} h"


class NeedQuerySet(models.QuerySet):
    def for_user(self, user):
        """The training office the needs of its territory; a Comune's (Unione's) referent its own."""
        office = tenancy.as_province(user, TRAINING_OFFICE_ROLES)
        if office is not None:
            return self.filter(province=office)
        party = tenancy.as_local_party(user)
        if party is not None and tenancy.has_role(user, Role.MUNICIPALITY_REFERENT):
            return self.filter(organization=party)
        return self.none()

    def uncovered(self):
        """The needs no published module of their Province answers (same area and level)."""
        answering = Module.objects.filter(
            province=models.OuterRef("province"),
            area=models.OuterRef("area"),
            level=models.OuterRef("level"),
            published=True,
        )
        return self.filter(~models.Exists(answering))


class Need(models.Model):
    """A training need of a Comune (Unione) for a year: an area, a level and how many people, from its answers
    to the "Fabbisogni formativi" campaign (``response``) or entered by the training office."""

    province = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="training_needs_received",
        limit_choices_to={"kind": OrganizationKind.PROVINCE},
        verbose_name=_("Province"),
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="training_needs", verbose_name=_("organisation")
    )
    year = models.PositiveIntegerField(_("year"))
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    role = models.CharField(_("role"), max_length=200, blank=True, help_text=_("Empty: every role"))
    people = models.PositiveIntegerField(_("people"))
    response = models.ForeignKey(
        "insights.Response", on_delete=models.SET_NULL, null=True, blank=True, related_name="training_needs"
    )

    objects = NeedQuerySet.as_manager()

    class Meta:
        ordering = ["-people", "area", "organization__name", "pk"]
        verbose_name = _("training need")
        verbose_name_plural = _("training needs")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "area", "level", "role"], name="one_need_per_area_level_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}: {self.area} ({self.level})"


class PlanQuerySet(models.QuerySet):
    def for_user(self, user):
        """The training office its own plans; its Comuni and Unioni read their Province's."""
        office = tenancy.as_province(user, TRAINING_OFFICE_ROLES)
        if office is not None:
            return self.filter(province=office)
        party = tenancy.as_local_party(user)
        if party is not None:
            return self.filter(
                province__province_id=party.province_id, province__kind=OrganizationKind.PROVINCE
            )
        return self.none()


class Plan(models.Model):
    """The training plan (piano della formazione) of a Province for a year: the modules chosen, each against
    the needs it answers."""

    province = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="training_plans",
        limit_choices_to={"kind": OrganizationKind.PROVINCE},
        verbose_name=_("Province"),
    )
    year = models.PositiveIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "pk"]
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")
        constraints = [
            models.UniqueConstraint(fields=["province", "year"], name="one_plan_per_province_and_year")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"


class PlanItem(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="plan_items")
    needs = models.ManyToManyField(Need, related_name="plan_items", blank=True)
    editions = models.PositiveSmallIntegerField(
        _("editions planned"), default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )

    class Meta:
        ordering = ["plan", "module__title", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "module"], name="one_item_per_plan_module")]

    def __str__(self) -> str:
        return f"{self.plan}: {self.module}"


# --- The final test and the satisfaction questionnaire (issue 11, items 5 and 6) ----------------------------

MIN_OPTIONS, MAX_OPTIONS = 2, 6


class TestQuestion(models.Model):
    """A multiple-choice question of a module's final test: 2 to 6 options, exactly one correct. Every edition
    of the module with a final test uses the module's questions; they no longer change once somebody took it."""

    __test__ = False  # not a pytest test class, whatever its name

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="test_questions")
    order = models.PositiveIntegerField(_("order"), default=0)
    text = models.CharField(_("question"), max_length=500)
    options = models.JSONField(_("options"), default=list)
    correct = models.PositiveSmallIntegerField(_("correct option"))

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("test question")
        verbose_name_plural = _("test questions")

    def __str__(self) -> str:
        return self.text


class TestAttempt(models.Model):
    """One attempt at an edition's final test by an enrolled participant: the options chosen (question id ->
    option index) and the score. A second attempt only when the edition allows one and the first failed."""

    __test__ = False

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="test_attempts")
    number = models.PositiveSmallIntegerField(
        _("attempt"), validators=[MinValueValidator(1), MaxValueValidator(2)]
    )
    answers = models.JSONField(_("answers"), default=dict)
    correct = models.PositiveSmallIntegerField(_("correct answers"))
    total = models.PositiveSmallIntegerField(_("questions"))
    score_percent = models.PositiveSmallIntegerField(_("score (%)"), validators=[MaxValueValidator(100)])
    passed = models.BooleanField(_("passed"))
    taken_at = models.DateTimeField(_("taken at"), auto_now_add=True)

    class Meta:
        ordering = ["enrolment", "number"]
        verbose_name = _("test attempt")
        verbose_name_plural = _("test attempts")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "number"], name="one_test_attempt_per_number")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} #{self.number}: {self.score_percent}%"


class SatisfactionSurvey(models.Model):
    """The satisfaction questionnaire of an edition, opened when the edition is completed: the questions are
    those of ``training.satisfaction`` at ``version``."""

    edition = models.OneToOneField(Edition, on_delete=models.CASCADE, related_name="satisfaction_survey")
    version = models.PositiveSmallIntegerField(_("version"))
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    class Meta:
        verbose_name = _("satisfaction questionnaire")
        verbose_name_plural = _("satisfaction questionnaires")

    def __str__(self) -> str:
        return f"{self.edition} v{self.version}"


class SatisfactionResponse(models.Model):
    """A participant's answers (question code -> cleaned value), once per completion. ``overall`` repeats the
    overall rating (1-5) so that dashboards average it in SQL."""

    survey = models.ForeignKey(SatisfactionSurvey, on_delete=models.CASCADE, related_name="responses")
    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="satisfaction")
    overall = models.PositiveSmallIntegerField(
        _("overall rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    answers = models.JSONField(_("answers"), default=dict)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        ordering = ["survey", "submitted_at", "pk"]
        verbose_name = _("satisfaction response")
        verbose_name_plural = _("satisfaction responses")
        constraints = [
            models.CheckConstraint(
                condition=Q(overall__gte=1, overall__lte=5), name="satisfaction_overall_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.overall}"


# --- Training paths (percorsi formativi, issue 11 item 3) ---------------------------------------------------


class PathQuerySet(models.QuerySet):
    def for_user(self, user):
        """As the modules: the Province's training office its own paths, drafts included; its Comuni and
        Unioni, and their staff, the published paths of their Province; everybody else none."""
        office = tenancy.as_province(user, TRAINING_OFFICE_ROLES)
        if office is not None:
            return self.filter(province=office)
        party = tenancy.as_local_party(user)
        if party is not None:
            return self.filter(
                province__province_id=party.province_id, province__kind=OrganizationKind.PROVINCE
            ).filter(published=True)
        return self.none()


class Path(models.Model):
    """A training path (percorso formativo) of a Province's training office: modules of its catalogue to take
    in order. Published, it is read by the Comuni of the territory and holds published modules only."""

    province = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="training_paths",
        limit_choices_to={"kind": OrganizationKind.PROVINCE},
        verbose_name=_("Province"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("objectives"))
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    modules = models.ManyToManyField(
        Module, through="PathModule", related_name="paths", verbose_name=_("modules")
    )
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PathQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("training path")
        verbose_name_plural = _("training paths")

    def __str__(self) -> str:
        return self.title


class PathModule(models.Model):
    """A module of a path, at its place (1 the first); a module of the path's own Province."""

    path = models.ForeignKey(Path, on_delete=models.CASCADE, related_name="path_modules")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="path_modules")
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        ordering = ["path", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["path", "module"], name="one_place_per_path_module")]

    def __str__(self) -> str:
        return f"{self.path_id}.{self.position}: {self.module_id}"
