"""Forms of the EU-funds pages: catalogue filters, import, manual call, criterion, digest preferences."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from casacomuni.accounts import tenancy
from casacomuni.accounts.roles import OrganizationKind
from casacomuni.eufunds import selectors
from casacomuni.eufunds.models import (
    IMPORTABLE_SOURCES,
    CallSource,
    CallStatus,
    CriterionKind,
    DigestFrequency,
)
from casacomuni.eufunds.rules import eligibility
from casacomuni.eufunds.services import CallData, DigestPreferenceData
from casacomuni.lib.forms import StyledForm
from casacomuni.lib.search import MAX_LENGTH
from casacomuni.territory.models import Municipality, Province, Region

ENTITY_TYPE_CHOICES = [
    (eligibility.MUNICIPALITY, _("Comuni")),
    (eligibility.UNION, _("Unioni di Comuni")),
    (eligibility.PROVINCE, _("Provinces")),
    (eligibility.LOCAL_AUTHORITY, _("Local authorities (enti locali)")),
    (eligibility.PUBLIC_BODY, _("Any public body")),
    (eligibility.ENTERPRISE, _("Enterprises")),
    (eligibility.NON_PROFIT, _("Non-profit bodies")),
    (eligibility.RESEARCH, _("Universities and research bodies")),
    (eligibility.CITIZEN, _("Citizens")),
]
SPLIT = re.compile(r"[\s,;]+")


class CallFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=MAX_LENGTH)
    status = forms.ChoiceField(label=_("Status"), required=False)
    programme = forms.ChoiceField(label=_("Programme"), required=False)
    eligible_for = forms.ChoiceField(label=_("Comune that can apply"), required=False)

    def __init__(self, *args, user=None, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any"))] + list(CallStatus.choices)
        self.fields["programme"].choices = [("", _("Any"))] + [(p, p[:80]) for p in programmes]
        self.fields["eligible_for"].choices = [("", _("Any"))] + eligible_for_choices(user)

    def profile(self):
        istat = self.cleaned_data.get("eligible_for") if self.is_valid() else ""
        if not istat:
            return None
        found = selectors.municipality_profiles(Municipality.objects.filter(istat_code=istat))
        return found[0] if found else None


def eligible_for_choices(user) -> list[tuple[str, str]]:
    """The comuni a user may match calls for: a Comune itself, a Province its territory's (one query)."""
    org = tenancy.acting_organization(user)
    if org is None:
        return []
    if org.kind == OrganizationKind.MUNICIPALITY and org.municipality_id:
        rows = Municipality.objects.filter(pk=org.municipality_id)
    elif org.kind == OrganizationKind.UNION:
        rows = org.member_municipalities.all()
    elif org.kind == OrganizationKind.PROVINCE:
        rows = Municipality.objects.current().filter(province_id=org.province_id)
    else:
        return []
    return list(rows.order_by("name").values_list("istat_code", "name"))


class ImportForm(StyledForm):
    source = forms.ChoiceField(
        label=_("Source"), choices=[(s.value, s.label) for s in CallSource if s.value in IMPORTABLE_SOURCES]
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("SEDIA search API JSON; incentivi.gov.it JSON or CSV; a regional portal's REST JSON."),
    )


class ManualCallForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=500)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    programme = forms.CharField(
        label=_("Programme"), max_length=200, required=False, help_text=_("e.g. PNRR M2C4")
    )
    funder = forms.CharField(label=_("Funder"), max_length=300, required=False)
    url = forms.URLField(label=_("Link"), max_length=1000, required=False, assume_scheme="https")
    beneficiaries = forms.CharField(
        label=_("Beneficiaries"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    eligible_actions = forms.CharField(
        label=_("Eligible actions"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    funding_form = forms.CharField(label=_("Funding form"), max_length=300, required=False)
    territorial_scope = forms.CharField(label=_("Territorial scope"), max_length=300, required=False)
    opens_on = forms.DateField(
        label=_("Opens on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    deadline = forms.DateTimeField(
        label=_("Deadline"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    second_deadline = forms.DateTimeField(
        label=_("Second-stage deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    budget_total = forms.DecimalField(
        label=_("Total budget (€)"), required=False, min_value=0, max_digits=16, decimal_places=2
    )
    min_contribution = forms.DecimalField(
        label=_("Minimum contribution (€)"), required=False, min_value=0, max_digits=16, decimal_places=2
    )
    max_contribution = forms.DecimalField(
        label=_("Maximum contribution (€)"), required=False, min_value=0, max_digits=16, decimal_places=2
    )
    cofinancing_share = forms.DecimalField(
        label=_("Co-financing share (%)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
    )

    def to_data(self) -> CallData:
        return CallData(**self.cleaned_data)

    def clean(self):
        data = super().clean()
        if not data.get("opens_on") and not data.get("deadline"):
            raise forms.ValidationError(_("Give the opening date, the deadline, or both."))
        return data


class CriterionForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=CriterionKind.choices)
    types = forms.MultipleChoiceField(
        label=_("Entity types"),
        choices=ENTITY_TYPE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For the kind “Entity types”."),
    )
    limit = forms.IntegerField(
        label=_("Population limit"), required=False, min_value=0, help_text=_("For the population kinds.")
    )
    inclusive = forms.BooleanField(
        label=_("The limit itself is included"),
        required=False,
        help_text=_(
            "“fino a 5.000 abitanti” includes 5,000; “inferiore a 5.000” does not (leave unticked). "
            "A minimum “almeno N” includes N."
        ),
    )
    codes = forms.CharField(
        label=_("Codes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Regions: ISTAT codes or names; provinces: abbreviations (TV, PD); named comuni and special "
            "territories: the comuni's ISTAT codes. Separated by spaces, commas or new lines."
        ),
    )
    label = forms.CharField(
        label=_("Name of the special territory"),
        max_length=200,
        required=False,
        help_text=_("e.g. aree interne SNAI"),
    )
    min_members = forms.IntegerField(label=_("Minimum members"), required=False, min_value=2)
    percent = forms.DecimalField(
        label=_("Co-financing (%)"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    excerpt = forms.CharField(
        label=_("Excerpt of the call"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The quoted text."),
    )

    @classmethod
    def initial_for(cls, criterion) -> dict:
        value = criterion.value or {}
        codes = value.get("codes") or value.get("siglas") or value.get("istat_codes") or []
        return {
            "kind": criterion.kind,
            "types": value.get("types", []),
            "limit": value.get("limit"),
            "inclusive": value.get("inclusive", False),
            "codes": " ".join(codes),
            "label": value.get("label", ""),
            "min_members": value.get("min_members"),
            "percent": value.get("percent"),
            "excerpt": criterion.excerpt,
        }

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind:
            try:
                data["value"] = self.value_for(kind, data)
            except forms.ValidationError as error:
                self.add_error(self.FIELD_OF.get(kind, None), error)
        return data

    FIELD_OF = {
        CriterionKind.ENTITY_TYPE: "types",
        CriterionKind.POPULATION_MIN: "limit",
        CriterionKind.POPULATION_MAX: "limit",
        CriterionKind.REGIONS: "codes",
        CriterionKind.PROVINCES: "codes",
        CriterionKind.SPECIAL_TERRITORY: "codes",
        CriterionKind.NAMED_COMUNI: "codes",
        CriterionKind.ASSOCIATION_REQUIRED: "min_members",
        CriterionKind.COFINANCING_SHARE: "percent",
    }

    def value_for(self, kind: str, data: dict) -> dict:
        required = forms.ValidationError(_("Required for this kind of criterion."))
        codes = [c for c in SPLIT.split(data.get("codes") or "") if c]
        if kind == CriterionKind.ENTITY_TYPE:
            if not data.get("types"):
                raise required
            return {"types": sorted(data["types"])}
        if kind in (CriterionKind.POPULATION_MIN, CriterionKind.POPULATION_MAX):
            if data.get("limit") is None:
                raise required
            return {"limit": data["limit"], "inclusive": bool(data.get("inclusive"))}
        if kind == CriterionKind.REGIONS:
            return {"codes": region_codes(data.get("codes") or "")}
        if kind == CriterionKind.PROVINCES:
            return {"siglas": known(codes, Province.objects.values_list("sigla", flat=True), upper=True)}
        if kind in (CriterionKind.SPECIAL_TERRITORY, CriterionKind.NAMED_COMUNI):
            istat = known(
                codes, Municipality.objects.filter(istat_code__in=codes).values_list("istat_code", flat=True)
            )
            value = {"istat_codes": istat}
            if kind == CriterionKind.SPECIAL_TERRITORY:
                value["label"] = data.get("label") or ""
            return value
        if kind == CriterionKind.ASSOCIATION_REQUIRED:
            if data.get("min_members") is None:
                raise required
            return {"min_members": data["min_members"]}
        if data.get("percent") is None:
            raise required
        return {"percent": str(data["percent"])}


def known(codes: list[str], existing, upper: bool = False) -> list[str]:
    """``codes`` if each exists, else a ValidationError naming the unknown ones; at least one required."""
    codes = [c.upper() if upper else c for c in codes]
    if not codes:
        raise forms.ValidationError(_("Required for this kind of criterion."))
    existing = set(existing)
    unknown = [c for c in codes if c not in existing]
    if unknown:
        raise forms.ValidationError(_("Unknown codes: %(codes)s") % {"codes": ", ".join(unknown[:20])})
    return sorted(set(codes))


def region_codes(text: str) -> list[str]:
    by_name = {name.lower(): code for code, name in Region.objects.values_list("code", "name")}
    codes = set(by_name.values())
    found, unknown = set(), []
    for part in re.split(r"[,;\n]+", text):
        part = part.strip()
        if not part:
            continue
        if part.zfill(2) in codes:
            found.add(part.zfill(2))
        elif part.lower() in by_name:
            found.add(by_name[part.lower()])
        else:
            unknown.append(part)
    if unknown:
        raise forms.ValidationError(_("Unknown regions: %(codes)s") % {"codes": ", ".join(unknown[:20])})
    if not found:
        raise forms.ValidationError(_("Required for this kind of criterion."))
    return sorted(found)


class DigestPreferenceForm(StyledForm):
    frequency = forms.ChoiceField(label=_("Frequency"), choices=DigestFrequency.choices)
    interests = forms.CharField(
        label=_("Interests"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Programmes or keywords, one per line; empty: every call the Comune can apply to."),
    )

    def to_data(self) -> DigestPreferenceData:
        return DigestPreferenceData(**self.cleaned_data)
