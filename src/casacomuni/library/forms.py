"""Forms of the model library: they read what a person types; the services validate and write."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from casacomuni.lib.forms import StyledForm
from casacomuni.library.models import ModelKind, ServiceArea
from casacomuni.library.services import ModelData, VersionData


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by its content in the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={
                    "accept": ".docx,.odt,.pdf,application/pdf,application/vnd.oasis.opendocument.text,"
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                }
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(one, initial) for one in files]


class FilterForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All"))] + ModelKind.choices, required=False)
    area = forms.ChoiceField(
        label=_("Service area"), choices=[("", _("All"))] + ServiceArea.choices, required=False
    )
    q = forms.CharField(label=_("Title contains"), max_length=100, required=False)

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        for name in ("kind", "area"):
            if self.cleaned_data[name]:
                queryset = queryset.filter(**{name: self.cleaned_data[name]})
        if self.cleaned_data["q"]:
            queryset = queryset.filter(title__icontains=self.cleaned_data["q"])
        return queryset


class VersionForm(StyledForm):
    """A version's text and files (the first version's too, with the model's kind and area)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=300,
        required=False,
        help_text=_("For example D.Lgs. 36/2023, art. 62"),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    changelog = forms.CharField(label=_("What changed"), widget=forms.Textarea(attrs={"rows": 3}))
    keep = forms.MultipleChoiceField(
        label=_("Files of the previous version to keep"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("A new file with the same name replaces the old one."),
    )
    uploads = MultipleFileField(label=_("New files (DOCX, ODT or PDF, at most 20 MB each)"), required=False)
    questionnaire = forms.CharField(
        label=_("Questionnaire definition (JSON)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_(
            "Only for a questionnaire template: its sections and questions, as in the built-in templates."
        ),
    )
    local_notes = forms.CharField(
        label=_("Local notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("How the Province adapted the model: kept when it accepts an update."),
    )

    def __init__(self, *args, files_kept=(), kind=None, is_copy=False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(f.pk), f.original_name) for f in files_kept]
        if choices:
            self.fields["keep"].choices = choices
            self.initial.setdefault("keep", [value for value, _label in choices])
        else:
            del self.fields["keep"]
        if kind is not None and kind != ModelKind.QUESTIONNAIRE:
            del self.fields["questionnaire"]
        if not is_copy:
            del self.fields["local_notes"]

    def clean_questionnaire(self):
        text = self.cleaned_data.get("questionnaire", "").strip()
        if not text:
            return []
        try:
            return json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("The definition is not valid JSON.")) from None

    def to_data(self) -> VersionData:
        data = self.cleaned_data
        return VersionData(
            title=data["title"],
            changelog=data["changelog"],
            legal_basis=data.get("legal_basis", ""),
            description=data.get("description", ""),
            questionnaire=data.get("questionnaire") or [],
            keep=[int(pk) for pk in data.get("keep", [])],
            uploads=data.get("uploads") or [],
            local_notes=data.get("local_notes") if "local_notes" in self.fields else None,
        )


class NewModelForm(VersionForm):
    """A new model: its kind and area, then its first version."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ModelKind.choices)
    area = forms.ChoiceField(label=_("Service area"), choices=ServiceArea.choices)
    field_order = [
        "kind",
        "area",
        "title",
        "legal_basis",
        "description",
        "changelog",
        "uploads",
        "questionnaire",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["changelog"].initial = _("First version.")

    def to_model_data(self) -> ModelData:
        return ModelData(kind=self.cleaned_data["kind"], area=self.cleaned_data["area"])


class AgreementTemplateForm(StyledForm):
    file = forms.ChoiceField(label=_("DOCX file of the model"))

    def __init__(self, *args, files=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].choices = [(str(f.pk), f.original_name) for f in files if f.is_docx]
