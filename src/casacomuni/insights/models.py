"""Data collection from the Comuni: questionnaires, campaigns, responses; the digital services catalogue.

A Province's data officer builds a ``Questionnaire`` (``Section``s of ``Question``s) or copies a built-in
template (``province`` NULL, ``template_code`` set), then sends a ``Campaign`` (one edition: ``year``) to
some or all of its Comuni (``CampaignTarget``). Each Comune fills in one ``Response`` of ``Answer``s
(draft, submitted, reopen requested, reopened). For template questionnaires the response's ``score`` is the
template's index computed on submit (``rules.maturity`` for "maturita_digitale").

The Province also lists the ``DigitalService``s it offers its Comuni, and records each Comune's
``ServiceAdoption``.

Other apps (indicators) read: ``Response.score`` of submitted responses of campaigns whose questionnaire has
``template_code == "maturita_digitale"``, by ``campaign.year``; ``ServiceAdoption`` by status.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casacomuni.accounts import tenancy
from casacomuni.accounts.models import Organization
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.insights.rules import answers as answer_rules
from casacomuni.lib.storage import private_upload_to

# The tenancy primitives under the names the questionnaires read them by: the data office runs campaigns, a
# Comune (not a Unione) answers them.
data_province = tenancy.as_data_office
respondent_comune = tenancy.as_comune


class TemplateCode(models.TextChoices):
    MATURITY = "maturita_digitale", _("Digital maturity of the Comune")
    TRAINING_NEEDS = "fabbisogni_formativi", _("Training needs")


class QuestionKind(models.TextChoices):
    YES_NO = answer_rules.YES_NO, _("Yes / no")
    SINGLE_CHOICE = answer_rules.SINGLE_CHOICE, _("Single choice")
    MULTIPLE_CHOICE = answer_rules.MULTIPLE_CHOICE, _("Multiple choice")
    INTEGER = answer_rules.INTEGER, _("Integer")
    DECIMAL = answer_rules.DECIMAL, _("Decimal number")
    DATE = answer_rules.DATE, _("Date")
    TEXT = answer_rules.TEXT, _("Text")
    FILE = answer_rules.FILE, _("File")


class QuestionnaireQuerySet(models.QuerySet):
    def for_user(self, user):
        """The built-in templates and the Province's own questionnaires, for its data officers."""
        province = data_province(user)
        if province is None:
            return self.none()
        return self.filter(models.Q(province__isnull=True) | models.Q(province=province))

    def builtin(self):
        return self.filter(province__isnull=True)


class Questionnaire(models.Model):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    template_code = models.CharField(
        _("template"), max_length=40, choices=TemplateCode.choices, blank=True, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    # NULL: a built-in template, shared by every Province and never edited.
    province = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questionnaires",
        limit_choices_to={"kind": OrganizationKind.PROVINCE},
        verbose_name=_("Province"),
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("copy of"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        ordering = ["title", "-version", "pk"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(
                fields=["template_code", "version"],
                condition=models.Q(province__isnull=True),
                name="insights_one_builtin_per_template_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def is_builtin(self) -> bool:
        return self.province_id is None

    @property
    def is_locked(self) -> bool:
        """A built-in template, or one already sent: its questions are what responses refer to."""
        return self.is_builtin or self.campaigns.exclude(state=CampaignState.DRAFT).exists()


class Section(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    # Denormalised from the section, so that codes are unique per questionnaire.
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveIntegerField(_("order"), default=0)
    code = models.SlugField(
        _("code"), max_length=40, help_text=_("Letters, digits and underscores; the column name in exports.")
    )
    text = models.CharField(_("question"), max_length=500)
    help = models.TextField(_("help text"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    required = models.BooleanField(_("required"), default=False)
    # [{"code": "...", "label": "..."}] for single and multiple choice.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    min_value = models.DecimalField(_("minimum"), max_digits=14, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=14, decimal_places=4, null=True, blank=True)
    decimal_places = models.PositiveSmallIntegerField(_("decimal places"), default=2)
    # {"question": "<code>", "equals": <value>}: shown (and validated) only when that answer equals value.
    visible_if = models.JSONField(_("shown only if"), default=dict, blank=True)

    class Meta:
        ordering = ["section__order", "section_id", "order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="insights_question_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text}"

    def definition(self) -> answer_rules.QuestionDef:
        """The question as the pure validation rules read it."""
        return answer_rules.QuestionDef(
            code=self.code,
            kind=self.kind,
            required=self.required,
            choices=tuple(str(c.get("code")) for c in self.choices or ()),
            min_value=self.min_value,
            max_value=self.max_value,
            decimal_places=self.decimal_places,
            visible_if=dict(self.visible_if or {}),
        )

    def choice_label(self, code) -> str:
        for choice in self.choices or ():
            if str(choice.get("code")) == str(code):
                return str(choice.get("label", code))
        return str(code)


class CampaignState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("campaign state", "Draft")
    SENT = "sent", pgettext_lazy("campaign state", "Sent")
    CLOSED = "closed", pgettext_lazy("campaign state", "Closed")


class CampaignQuerySet(models.QuerySet):
    def for_user(self, user):
        """For the Province's data officers, its campaigns; for a Comune, those sent to it."""
        province = data_province(user)
        if province is not None:
            return self.filter(province=province)
        comune = respondent_comune(user)
        if comune is not None:
            return self.filter(targets__organization=comune).exclude(state=CampaignState.DRAFT).distinct()
        return self.none()


class Campaign(models.Model):
    province = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="insight_campaigns",
        limit_choices_to={"kind": OrganizationKind.PROVINCE},
        verbose_name=_("Province"),
    )
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("questionnaire")
    )
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveIntegerField(_("edition (year)"), db_index=True)
    opens_on = models.DateField(_("opens on"), default=timezone.localdate)
    deadline = models.DateField(_("deadline"))
    state = models.CharField(
        _("state"), max_length=10, choices=CampaignState.choices, default=CampaignState.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-created_at", "-pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("opens_on")), name="insights_deadline_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    @property
    def is_open(self) -> bool:
        return self.state == CampaignState.SENT


class CampaignTargetQuerySet(models.QuerySet):
    def for_user(self, user):
        """The Province's data officers see every target of its campaigns; a Comune only itself."""
        province = data_province(user)
        if province is not None:
            return self.filter(campaign__province=province)
        comune = respondent_comune(user)
        if comune is not None:
            return self.filter(organization=comune).exclude(campaign__state=CampaignState.DRAFT)
        return self.none()


class CampaignTarget(models.Model):
    """A Comune a campaign was sent to."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="insight_targets",
        limit_choices_to={"kind": OrganizationKind.MUNICIPALITY},
        verbose_name=_("Comune"),
    )
    added_at = models.DateTimeField(default=timezone.now)
    last_reminded_on = models.DateField(_("last reminded on"), null=True, blank=True)
    reminders_sent = models.PositiveIntegerField(_("reminders sent"), default=0)

    objects = CampaignTargetQuerySet.as_manager()

    class Meta:
        ordering = ["organization__name", "pk"]
        verbose_name = _("campaign target")
        verbose_name_plural = _("campaign targets")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "organization"], name="insights_target_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} → {self.organization}"


class ResponseState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("response state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("response state", "Submitted")
    REOPEN_REQUESTED = "reopen_requested", pgettext_lazy("response state", "Reopening requested")
    REOPENED = "reopened", pgettext_lazy("response state", "Reopened")


# States in which the Comune may still change its answers.
EDITABLE_STATES = (ResponseState.DRAFT, ResponseState.REOPENED)


class ResponseQuerySet(models.QuerySet):
    def for_user(self, user):
        """The Province's data officers read every response to its campaigns; a Comune only its own."""
        province = data_province(user)
        if province is not None:
            return self.filter(campaign__province=province)
        comune = respondent_comune(user)
        if comune is not None:
            return self.filter(organization=comune).exclude(campaign__state=CampaignState.DRAFT)
        return self.none()

    def submitted(self):
        return self.filter(state__in=(ResponseState.SUBMITTED, ResponseState.REOPEN_REQUESTED))


class Response(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="insight_responses",
        limit_choices_to={"kind": OrganizationKind.MUNICIPALITY},
        verbose_name=_("Comune"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ResponseState.choices, default=ResponseState.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The template's index (0-100) computed on submit, for template questionnaires.
    score = models.DecimalField(_("index"), max_digits=5, decimal_places=2, null=True, blank=True)
    score_parts = models.JSONField(_("index by area"), default=dict, blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["organization__name", "pk"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organization"], name="insights_one_response_per_comune"
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0, score__lte=100),
                name="insights_score_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.campaign}"

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def is_submitted(self) -> bool:
        return self.state in (ResponseState.SUBMITTED, ResponseState.REOPEN_REQUESTED)


class AnswerQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(response__in=Response.objects.for_user(user))


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    # The cleaned value: bool, str, list of str, int, decimal as str, ISO date, or None.
    value = models.JSONField(_("value"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=private_upload_to("insights/answers"), blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        ordering = ["question__section__order", "question__order", "pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="insights_one_answer_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.question.code} = {self.value!r}"


class ServiceCategory(models.TextChoices):
    PAGOPA = "pagopa", _("pagoPA intermediation")
    DOCUMENTS = "documents", _("Document management and protocol")
    CLOUD = "cloud", _("Hosting and cloud")
    GIS = "gis", _("GIS and territorial data")
    WEBSITE = "website", _("Website and online services")
    IDENTITY = "identity", _("Digital identity (SPID/CIE)")
    OPEN_DATA = "open_data", _("Open data")
    SECURITY = "security", _("Cybersecurity")
    OTHER = "other", _("Other")


class DigitalServiceQuerySet(models.QuerySet):
    def for_user(self, user):
        """Any member of a Province sees its catalogue; a Comune sees the catalogue of its Province."""
        if province := tenancy.as_province(user):
            return self.filter(province=province)
        comune = tenancy.as_comune(user)
        if comune is not None and comune.province_id:
            return self.filter(tenancy.in_province_of(comune, "province"), is_active=True)
        return self.none()


class DigitalService(models.Model):
    """A digital service the Province offers its Comuni (pagoPA intermediation, protocol, hosting, GIS…)."""

    province = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="digital_services",
        limit_choices_to={"kind": OrganizationKind.PROVINCE},
        verbose_name=_("Province"),
    )
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=ServiceCategory.choices)
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("web address"), blank=True)
    is_active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = DigitalServiceQuerySet.as_manager()

    class Meta:
        ordering = ["category", "name", "pk"]
        verbose_name = _("digital service")
        verbose_name_plural = _("digital services")
        constraints = [
            models.UniqueConstraint(fields=["province", "name"], name="insights_service_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class AdoptionStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("adoption status", "Planned")
    ACTIVE = "active", pgettext_lazy("adoption status", "Active")
    CEASED = "ceased", pgettext_lazy("adoption status", "Ceased")


class ServiceAdoptionQuerySet(models.QuerySet):
    def for_user(self, user):
        """The Province sees the adoptions of its services; a Comune only its own."""
        if province := tenancy.as_province(user):
            return self.filter(service__province=province)
        if comune := tenancy.as_comune(user):
            return self.filter(organization=comune)
        return self.none()

    def active(self):
        return self.filter(status=AdoptionStatus.ACTIVE)


class ServiceAdoption(models.Model):
    service = models.ForeignKey(DigitalService, on_delete=models.CASCADE, related_name="adoptions")
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="service_adoptions",
        limit_choices_to={"kind": OrganizationKind.MUNICIPALITY},
        verbose_name=_("Comune"),
    )
    since = models.DateField(_("since"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AdoptionStatus.choices,
        default=AdoptionStatus.ACTIVE,
        db_index=True,
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = ServiceAdoptionQuerySet.as_manager()

    class Meta:
        ordering = ["service__name", "organization__name", "pk"]
        verbose_name = _("service adoption")
        verbose_name_plural = _("service adoptions")
        constraints = [
            models.UniqueConstraint(fields=["service", "organization"], name="insights_adoption_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.service}"
