"""What a person reads is Italian: the checker of web/testing.py, and the messages that came out in English
or as raw codes (issue 18, point 6). The walk over every page of every persona is tests/test_italian_pages.py.
"""

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import translation

from casacomuni.audit.display import change_rows
from casacomuni.eufunds.importers import sedia
from casacomuni.eufunds.rules.eligibility import NOT_ELIGIBLE, Reason
from casacomuni.eufunds.templatetags.eufunds_tags import reason_text
from casacomuni.lib.forms import StyledForm
from casacomuni.web.testing import italian_problems


@pytest.fixture(autouse=True)
def italian():
    with translation.override("it"):
        yield


def test_the_checker_finds_english_words_and_raw_codes_but_not_quoted_text():
    html = """<body><main><p>Stato: not_applicable</p><p>Please select an option</p>
      <p lang="en">Horizon Europe work programme</p><p translate="no">Call for proposals and grants</p>
      <code>base_amount</code><p>Importo a base d'asta: € 1.000,00</p></main></body>"""
    problems = italian_problems(html)
    assert len(problems) == 2
    assert "not_applicable" in problems[0]
    assert "select" in problems[1]


@pytest.mark.django_db
def test_the_audit_log_shows_labels_of_fields_and_states_and_italian_values():
    rows = change_rows(
        "procurement.procedure",
        {"state": ["published", "bids_open"], "base_amount": [None, "150000.00"]},
    )
    text = " ".join(str(part) for row in rows for part in row)
    assert "bids_open" not in text and "base_amount" not in text
    assert "150.000" in text
    assert not italian_problems(f"<body><p>{text}</p></body>")


def test_eligibility_reasons_name_the_types_of_body_in_italian():
    reason = Reason(
        "entity_type", NOT_ELIGIBLE, "The call is open only to: %(types)s.", {"types": "municipality, union"}
    )
    assert reason_text(reason) == "Il bando è aperto solo a: Comuni, Unioni di Comuni."


def test_import_errors_are_in_italian():
    bad = next(sedia.parse(b"not json at all"))
    assert bad.fatal
    assert bad.reason.startswith("non è JSON")


def test_the_password_validators_speak_italian():
    with pytest.raises(ValidationError) as refused:
        password_validation.validate_password("corta")
    assert "Questa password è troppo corta" in " ".join(refused.value.messages)


def test_an_empty_choice_of_a_select_is_in_italian():
    """A model field's choices start with Django's own blank choice, which Django 6.1 does not translate."""
    from django import forms
    from django.db.models.fields import BLANK_CHOICE_DASH

    class Form(StyledForm):
        kind = forms.ChoiceField(choices=[*BLANK_CHOICE_DASH, ("a", "A")])

    assert not italian_problems(f"<body><form>{Form().as_div()}</form></body>")
