"""Forms of the officers' pages: a dataset (from a generator, then its metadata) and the catalogue's settings.

The services check everything again (and decide on the generator and the identifier); the forms give the
fields, the choices and a message next to each field.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from casacomuni.lib.forms import StyledForm
from casacomuni.opendata.generators import available_generators
from casacomuni.opendata.models import Frequency, Licence, Theme
from casacomuni.opendata.services import CatalogData, DatasetData, NewDatasetData, generator_defaults

SERVICE_FIELDS = ("title", "description", "theme", "accrual_periodicity", "keywords", "license")


class DatasetForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    theme = forms.ChoiceField(label=_("Theme (EU vocabulary)"), choices=Theme.choices)
    accrual_periodicity = forms.ChoiceField(label=_("Update frequency"), choices=Frequency.choices)
    keywords = forms.CharField(
        label=_("Keywords"), required=False, max_length=1000, help_text=_("Separated by commas")
    )
    license = forms.ChoiceField(label=_("Licence"), choices=Licence.choices, initial=Licence.CC_BY_4)

    @classmethod
    def initial_from(cls, dataset) -> dict:
        initial = {name: getattr(dataset, name) for name in SERVICE_FIELDS}
        initial["keywords"] = ", ".join(dataset.keywords)
        return initial

    def to_data(self) -> DatasetData:
        return DatasetData(**{name: self.cleaned_data[name] for name in SERVICE_FIELDS})


class NewDatasetForm(DatasetForm):
    generator = forms.ChoiceField(label=_("Data source"))
    slug = forms.SlugField(
        label=_("Identifier"),
        max_length=80,
        required=False,
        help_text=_(
            "Lower-case letters, digits and dashes; the data source's code if left empty. It cannot change later."
        ),
    )
    publish = forms.BooleanField(label=_("Publish at once"), required=False)

    field_order = ["generator", "slug", *SERVICE_FIELDS, "publish"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["generator"].choices = [(g.code, g.title) for g in available_generators()]

    @classmethod
    def initial_for(cls, code: str | None) -> dict:
        """The metadata a dataset of generator ``code`` starts from (only the licence for an unknown code)."""
        initial = generator_defaults(code or "")
        if not initial:
            return {"license": Licence.CC_BY_4}
        return initial | {"generator": code, "slug": code, "keywords": ", ".join(initial["keywords"])}

    def to_data(self) -> NewDatasetData:
        return NewDatasetData(
            **{name: self.cleaned_data[name] for name in SERVICE_FIELDS},
            generator=self.cleaned_data["generator"],
            slug=self.cleaned_data["slug"],
            publish=self.cleaned_data["publish"],
        )


class CatalogForm(StyledForm):
    ipa_code = forms.CharField(
        label=_("IPA code of the Province"),
        max_length=20,
        help_text=_(
            "As IndicePA (indicepa.gov.it) shows it, e.g. p_tv: it prefixes every dataset identifier"
        ),
    )
    title = forms.CharField(label=_("Title of the catalogue"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    homepage = forms.URLField(label=_("Home page of the Province"), required=False, assume_scheme="https")

    def to_data(self) -> CatalogData:
        return CatalogData(**self.cleaned_data)
