"""Forms of data collection: the builder's, the campaign's, the catalogue's, and the response form generated
from a questionnaire's questions. They only shape input: the checks live in ``services`` and ``rules``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from casacomuni.documents.forms import KeepsUploadsMixin
from casacomuni.insights.models import (
    AdoptionStatus,
    QuestionKind,
    ServiceCategory,
)
from casacomuni.insights.services.campaigns import CampaignData
from casacomuni.insights.services.digital_services import AdoptionData, DigitalServiceData
from casacomuni.insights.services.questionnaires import QuestionData, QuestionnaireData, SectionData, slug
from casacomuni.lib.forms import StyledForm


class QuestionnaireForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def to_data(self) -> QuestionnaireData:
        return QuestionnaireData(**self.cleaned_data)


class SectionForm(StyledForm):
    title = forms.CharField(label=_("Section title"), max_length=200)
    order = forms.IntegerField(label=_("Order"), required=False, min_value=0, max_value=10000)

    def to_data(self) -> SectionData:
        return SectionData(**self.cleaned_data)


class QuestionForm(StyledForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("Lower-case letters, digits and underscores: the column name in the exports."),
    )
    text = forms.CharField(label=_("Question"), max_length=500)
    help = forms.CharField(label=_("Help text"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=QuestionKind.choices)
    required = forms.BooleanField(label=_("Answer required"), required=False)
    unit = forms.CharField(label=_("Unit of measure"), max_length=30, required=False)
    choices = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For choice questions: one option per line, as “code = label”."),
    )
    min_value = forms.CharField(label=_("Minimum"), required=False, max_length=30)
    max_value = forms.CharField(label=_("Maximum"), required=False, max_length=30)
    decimal_places = forms.IntegerField(label=_("Decimal places"), required=False, min_value=0, max_value=4)
    visible_question = forms.CharField(
        label=_("Show only if the answer to the question with code…"), required=False, max_length=40
    )
    visible_equals = forms.CharField(
        label=_("…is"),
        required=False,
        max_length=100,
        help_text=_("For yes/no questions: yes or no; for choices: the option's code."),
    )
    order = forms.IntegerField(label=_("Order"), required=False, min_value=0, max_value=10000)

    @classmethod
    def initial_from(cls, question) -> dict:
        condition = question.visible_if or {}
        equals = condition.get("equals", "")
        if equals is True:
            equals = "yes"
        elif equals is False:
            equals = "no"
        return {
            "code": question.code,
            "text": question.text,
            "help": question.help,
            "kind": question.kind,
            "required": question.required,
            "unit": question.unit,
            "choices": "\n".join(f"{c.get('code')} = {c.get('label')}" for c in question.choices or ()),
            "min_value": "" if question.min_value is None else format(question.min_value.normalize(), "f"),
            "max_value": "" if question.max_value is None else format(question.max_value.normalize(), "f"),
            "decimal_places": question.decimal_places,
            "visible_question": condition.get("question", ""),
            "visible_equals": equals,
            "order": question.order,
        }

    def to_data(self) -> QuestionData:
        data = dict(self.cleaned_data)
        question, equals = data.pop("visible_question").strip(), data.pop("visible_equals").strip()
        data["visible_if"] = {"question": question, "equals": equals} if question else {}
        return QuestionData(**data)


class QuickQuestionForm(StyledForm):
    """The builder's inline form: the question's text, kind and options; the code, when left empty, is made
    from the text. The other settings (limits, conditions) are on the question's own page."""

    text = forms.CharField(label=_("Question"), max_length=500)
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=QuestionKind.choices)
    required = forms.BooleanField(label=_("Answer required"), required=False)
    choices = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For choice questions: one option per line, as “code = label”."),
    )
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        required=False,
        help_text=_("The column name in the exports; if left empty, it is made from the question."),
    )

    def to_data(self) -> QuestionData:
        data = dict(self.cleaned_data)
        data["code"] = data["code"].strip() or slug(data["text"])
        return QuestionData(**data)


class CampaignForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    questionnaire = forms.TypedChoiceField(label=_("Questionnaire"), coerce=int)
    year = forms.IntegerField(label=_("Edition (year)"), min_value=2000, max_value=2100)
    opens_on = forms.DateField(label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    all_comuni = forms.BooleanField(label=_("Send to every Comune of the Province"), required=False)
    targets = forms.TypedMultipleChoiceField(
        label=_("Or choose the Comuni"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, questionnaires=(), comuni=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].choices = [("", _("Choose…"))] + [
            (q.pk, f"{q.title} (v{q.version})" + (f" — {_('built-in template')}" if q.is_builtin else ""))
            for q in questionnaires
        ]
        self.fields["targets"].choices = [(c.pk, c.name) for c in comuni]

    def to_data(self) -> CampaignData:
        data = dict(self.cleaned_data)
        data["targets"] = "all" if data.pop("all_comuni") else data["targets"]
        return CampaignData(**data)


class ReopenForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class OptionalReasonForm(StyledForm):
    reason = forms.CharField(
        label=_("Note for the Comune"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DigitalServiceForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=ServiceCategory.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    url = forms.URLField(label=_("Web address"), required=False, assume_scheme="https")
    is_active = forms.BooleanField(label=_("Offered now"), required=False, initial=True)

    def to_data(self) -> DigitalServiceData:
        return DigitalServiceData(**self.cleaned_data)


class AdoptionForm(StyledForm):
    organization = forms.TypedChoiceField(label=_("Comune"), coerce=int)
    status = forms.ChoiceField(label=_("Status"), choices=AdoptionStatus.choices)
    since = forms.DateField(label=_("Since"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label=_("Notes"), required=False, max_length=300)

    def __init__(self, *args, comuni=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", _("Choose…"))] + [(c.pk, c.name) for c in comuni]

    def to_data(self) -> AdoptionData:
        return AdoptionData(**self.cleaned_data)


# --- The response form, generated from the questions ---------------------------------------------------------

YES_NO_CHOICES = (("yes", _("Yes")), ("no", _("No")))


def field_name(code: str) -> str:
    return f"q_{code}"


class ResponseForm(KeepsUploadsMixin, StyledForm):
    """One field per question, named ``q_<code>``. Every field is optional here: what is required depends on
    which questions are shown, which the rules decide (``rules.answers``)."""

    def __init__(self, *args, questions=(), answers=None, disabled=False, **kwargs):
        self.questions = list(questions)
        answers = answers or {}
        initial = {}
        for question in self.questions:
            value = answers.get(question.code)
            if question.kind == QuestionKind.YES_NO and value is not None:
                value = "yes" if value else "no"
            if value is not None and question.kind != QuestionKind.FILE:
                initial[field_name(question.code)] = value
        super().__init__(*args, initial=initial, **kwargs)
        for question in self.questions:
            field = self.make_field(question)
            field.disabled = disabled
            self.fields[field_name(question.code)] = field
        # The base class styles the widgets it finds at construction: style those added now.
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if isinstance(field.widget, forms.FileInput):
                css = "form-control"
            field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {css}".strip()

    @staticmethod
    def make_field(question) -> forms.Field:
        label = (
            question.text
            + (f" ({question.unit})" if question.unit else "")
            + (" *" if question.required else "")
        )
        common = {"label": label, "required": False, "help_text": question.help}
        kind = question.kind
        if kind == QuestionKind.YES_NO:
            return forms.ChoiceField(choices=YES_NO_CHOICES, widget=forms.RadioSelect, **common)
        if kind == QuestionKind.SINGLE_CHOICE:
            return forms.ChoiceField(
                choices=[(c["code"], c["label"]) for c in question.choices],
                widget=forms.RadioSelect,
                **common,
            )
        if kind == QuestionKind.MULTIPLE_CHOICE:
            return forms.MultipleChoiceField(
                choices=[(c["code"], c["label"]) for c in question.choices],
                widget=forms.CheckboxSelectMultiple,
                **common,
            )
        if kind == QuestionKind.INTEGER:
            return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "numeric"}), **common)
        if kind == QuestionKind.DECIMAL:
            return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
        if kind == QuestionKind.DATE:
            return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        if kind == QuestionKind.FILE:
            return forms.FileField(**common)
        # No length limit here: the rules check it (one message, not two).
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)

    def raw_answers(self) -> dict:
        """The answers as the rules read them: code -> raw value (files apart)."""
        raw = {}
        for question in self.questions:
            if question.kind == QuestionKind.FILE:
                continue
            name = field_name(question.code)
            if question.kind == QuestionKind.MULTIPLE_CHOICE:
                raw[question.code] = self.data.getlist(self.add_prefix(name))
            else:
                raw[question.code] = self.data.get(self.add_prefix(name), "")
        return raw

    def uploads(self) -> dict:
        return {
            question.code: self.files[self.add_prefix(field_name(question.code))]
            for question in self.questions
            if question.kind == QuestionKind.FILE and self.add_prefix(field_name(question.code)) in self.files
        }

    def add_answer_errors(self, errors: dict) -> None:
        """The service's errors (question code -> messages) on the matching fields."""
        for code, messages in errors.items():
            name = field_name(code)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"{self.add_prefix(name)}-errors"
