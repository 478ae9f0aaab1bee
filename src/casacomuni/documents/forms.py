from django import forms
from django.utils.translation import gettext_lazy as _

from casacomuni.documents.kinds import TemplateKind
from casacomuni.lib.forms import StyledForm


class UploadTemplateForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=TemplateKind.choices)
    file = forms.FileField(
        label=_("Template (DOCX)"),
        help_text=_("A Word document (.docx) of at most 5 MB, with the placeholders listed on this page."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
        ),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        help_text=_("What changed in this version."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
