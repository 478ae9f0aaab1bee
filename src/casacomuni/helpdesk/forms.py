"""Forms of the help desk: the Comune's request, each step of the workflow, the office's queue filters, the
categories and the FAQ. Files are checked here (so that the error shows on the field) and again by the service."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casacomuni.eufunds.models import Call
from casacomuni.helpdesk import services
from casacomuni.helpdesk.models import Category, HelpService, RequestState
from casacomuni.helpdesk.rules import workflow
from casacomuni.insights.models import Campaign
from casacomuni.lib.forms import EMPTY_CHOICE_LABEL, StyledForm
from casacomuni.procurement.procedures.models import Procedure
from casacomuni.procurement.requests.models import ProcurementRequest

TEXT = forms.Textarea(attrs={"rows": 5})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none was chosen)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ",".join(services.ALLOWED_EXTENSIONS)})
        )
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _("PDF, DOCX or ODT, up to 10 MB each, at most %(count)d files")
            % {"count": services.MAX_ATTACHMENTS},
        )
        kwargs.setdefault("label", _("Attachments"))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        cleaned = [super(MultipleFileField, self).clean(item, initial) for item in files]
        try:
            services.check_uploads(cleaned)
        except ValidationError as refused:
            raise forms.ValidationError(refused.messages) from None
        return cleaned


def link_fields(service: str, user) -> dict[str, forms.ModelChoiceField]:
    """The objects of the service a request may be about, from what the user may open."""

    def choice(label, queryset):
        return forms.ModelChoiceField(
            label=label, queryset=queryset, required=False, empty_label=EMPTY_CHOICE_LABEL
        )

    if service == HelpService.SUA:
        return {
            "procurement_request": choice(
                _("About one of your procurement requests"), ProcurementRequest.objects.for_user(user)
            ),
            "procedure": choice(_("About a procedure"), Procedure.objects.for_user(user).order_by("-pk")),
        }
    if service == HelpService.EU_FUNDS:
        open_calls = Call.objects.for_user(user).open_on(timezone.localdate()).order_by("deadline", "pk")
        return {"call": choice(_("About a funding call"), open_calls)}
    if service == HelpService.DATA:
        return {
            "campaign": choice(_("About a data campaign"), Campaign.objects.for_user(user).order_by("-pk"))
        }
    return {}


class RequestForm(StyledForm):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=TEXT, max_length=10000)
    attachments = MultipleFileField()

    def __init__(self, *args, service: str, user, **kwargs):
        self.service = service
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.for_user(user).filter(
            service=service, is_active=True
        )
        self.links = link_fields(service, user)
        self.fields.update(self.links)
        for name in self.links:  # added after the styling of the base class
            self.fields[name].widget.attrs["class"] = "form-select"

    def to_data(self) -> services.RequestData:
        data = self.cleaned_data
        return services.RequestData(
            service=self.service,
            category=data["category"],
            subject=data["subject"],
            description=data["description"],
            links={name: data.get(name) for name in self.links},
        )


class StepForm(StyledForm):
    """The fields of one step: the officer to assign, the text, the files, the rating."""

    def __init__(self, *args, step: str, assignees=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        if step == workflow.ASSIGN:
            self.fields["assignee"] = forms.ModelChoiceField(label=_("Officer"), queryset=assignees)
            self.fields["assignee"].widget.attrs["class"] = "form-select"
            return
        if step == workflow.CLOSE:
            self.fields["rating"] = forms.TypedChoiceField(
                label=_("How useful was the answer? (1 = not at all, 5 = very)"),
                choices=[(n, str(n)) for n in range(1, 6)],
                coerce=int,
                widget=forms.RadioSelect,
            )
        label = STEP_TEXT_LABELS.get(step, _("Text"))
        self.fields["body"] = forms.CharField(
            label=label, widget=TEXT, max_length=10000, required=step in services.TEXT_REQUIRED
        )
        self.fields["body"].widget.attrs["class"] = "form-control"
        if step in (workflow.REPLY, workflow.ANSWER, workflow.RESOLVE, workflow.ASK_INFO):
            self.fields["attachments"] = MultipleFileField()
            self.fields["attachments"].widget.attrs["class"] = "form-control"


STEP_TEXT_LABELS = {
    workflow.REPLY: _("Reply (the Comune reads it)"),
    workflow.NOTE: _("Internal note (only the office reads it)"),
    workflow.ASK_INFO: _("What the Comune should tell you"),
    workflow.ANSWER: _("Your message"),
    workflow.RESOLVE: _("The answer (the Comune reads it)"),
    workflow.REOPEN: _("Why you reopen the request"),
    workflow.CLOSE: _("Comment (optional)"),
}


RISK_CHOICES = [("", _("Any")), ("at_risk", _("At risk")), ("breached", _("Late"))]


class QueueFilterForm(StyledForm):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any")), *RequestState.choices]
    )
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.none(), empty_label=_("Any")
    )
    party = forms.ChoiceField(label=_("Comune or Unione"), required=False)
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    risk = forms.ChoiceField(label=_("Service level"), required=False, choices=RISK_CHOICES)

    def __init__(self, *args, categories, parties, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        self.fields["party"].choices = [("", _("Any")), *[(str(pk), name) for pk, name in parties]]
        self.fields["assignee"].choices = [("", _("Anybody")), ("none", _("Nobody yet"))] + [
            (str(user.pk), user.get_full_name() or user.username) for user in assignees
        ]


class CategoryForm(StyledForm):
    service = forms.ChoiceField(label=_("Service"))
    name = forms.CharField(label=_("Name"), max_length=150)
    first_answer_hours = forms.IntegerField(
        label=_("First answer within (working hours)"), min_value=1, max_value=2000
    )
    resolution_hours = forms.IntegerField(
        label=_("Resolution within (working hours)"), min_value=1, max_value=2000
    )
    is_active = forms.BooleanField(label=_("Offered to the Comuni"), required=False, initial=True)

    def __init__(self, *args, services_allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [(s, HelpService(s).label) for s in services_allowed]


class FaqForm(StyledForm):
    question = forms.CharField(label=_("Question"), max_length=300)
    answer = forms.CharField(label=_("Answer"), widget=TEXT, max_length=10000)
    published = forms.BooleanField(label=_("Published to the Comuni"), required=False)


class FaqSearchForm(StyledForm):
    q = forms.CharField(label=_("Search the FAQ"), required=False, max_length=200)
    service = forms.ChoiceField(
        label=_("Service"), required=False, choices=[("", _("Any")), *HelpService.choices]
    )


class PeriodForm(StyledForm):
    start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            raise forms.ValidationError(_("The end of the period comes before its start."))
        return cleaned
