"""Display helpers: verdicts, reasons and criterion values in the user's language."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casacomuni.eufunds.forms import ENTITY_TYPE_CHOICES
from casacomuni.eufunds.rules import eligibility
from casacomuni.lib.formats import number, percent

register = template.Library()

OUTCOME_LABELS = {
    eligibility.ELIGIBLE: gettext_lazy("Eligible"),
    eligibility.NOT_ELIGIBLE: gettext_lazy("Not eligible"),
    eligibility.UNKNOWN: gettext_lazy("Unknown: to review"),
    eligibility.CONDITION: gettext_lazy("Condition"),
}
OUTCOME_BADGES = {
    eligibility.ELIGIBLE: "bg-success",
    eligibility.NOT_ELIGIBLE: "bg-danger",
    eligibility.UNKNOWN: "bg-warning text-dark",
    eligibility.CONDITION: "bg-secondary",
}


@register.filter
def outcome_label(outcome: str) -> str:
    return OUTCOME_LABELS.get(outcome, outcome)


@register.filter
def outcome_badge(outcome: str) -> str:
    return OUTCOME_BADGES.get(outcome, "bg-secondary")


@register.filter
def reason_text(reason) -> str:
    """A reason in words: its message with the types of body by their names, numbers in the Italian format."""
    text = _(reason.message)
    if not reason.params:
        return text
    return text % {name: param_text(name, value) for name, value in dict(reason.params).items()}


def param_text(name: str, value) -> str:
    if name == "types":
        return type_names(value.split(", "))
    return number(value) if isinstance(value, int) else value


def type_names(codes) -> str:
    """The types of body by their names ("Comuni, Unioni di Comuni"), an unknown code as it is."""
    names = dict(ENTITY_TYPE_CHOICES)
    return ", ".join(str(names.get(code, code)) for code in codes)


@register.filter
def criterion_value(criterion) -> str:
    """A criterion's value in words ("< 5000", "TV, PD", "3 comuni")."""
    value = criterion.value or {}
    kind = criterion.kind
    if kind == eligibility.ENTITY_TYPE:
        # The applicants the record names that are none of the types, as the record writes them.
        return ", ".join([type_names(value.get("types", [])), *value.get("other", [])])
    if kind == eligibility.POPULATION_MAX:
        return f"{'≤' if value.get('inclusive') else '<'} {number(value.get('limit'))}"
    if kind == eligibility.POPULATION_MIN:
        return f"{'≥' if value.get('inclusive', True) else '>'} {number(value.get('limit'))}"
    if kind == eligibility.REGIONS:
        return ", ".join(value.get("codes", []))
    if kind == eligibility.PROVINCES:
        return ", ".join(value.get("siglas", []))
    if kind in (eligibility.SPECIAL_TERRITORY, eligibility.NAMED_COMUNI):
        count = len(value.get("istat_codes", []))
        label = value.get("label", "")
        return f"{label} ({count} comuni)".strip() if label else f"{count} comuni"
    if kind == eligibility.ASSOCIATION_REQUIRED:
        return f"≥ {value.get('min_members')}"
    if kind == eligibility.COFINANCING_SHARE:
        return percent(value.get("percent"), 0, most=2)
    return str(value)
