"""The preferences form: one choice per declared kind, among the deliveries that kind offers."""

from django import forms
from django.utils.translation import gettext as _

from casacomuni.inbox import kinds


class PreferencesForm(forms.Form):
    """A field per kind, named after it (``"training.promotion"``); the template lays them out as a table."""

    def __init__(self, *args, initial_deliveries: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds.registered()
        for kind in self.kinds:
            message = _("Choose how “%(kind)s” reaches you by e-mail, among the options offered.") % {
                "kind": kind.label
            }
            self.fields[kind.name] = forms.ChoiceField(
                label=kind.label,
                choices=[(delivery.value, delivery.label) for delivery in kind.deliveries],
                initial=initial_deliveries.get(kind.name, kind.default),
                error_messages={"required": message, "invalid_choice": message},
            )

    def rows(self):
        """(section label, [(kind, bound field)]) in the order of the pillars."""
        grouped: dict = {}
        for kind in self.kinds:
            grouped.setdefault(kind.section.label, []).append((kind, self[kind.name]))
        return list(grouped.items())
