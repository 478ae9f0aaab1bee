"""One parser of amounts in euro (lib.money), for the requests, the procedures' drafts and the applications."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from casacomuni.lib.money import parse_euro


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        ("125000", "125000.00"),
        ("125000.5", "125000.50"),
        (0, "0.00"),
        (Decimal("999999999999.99"), "999999999999.99"),
    ],
)
def test_amounts_in_euro_come_back_with_cents(value, amount):
    assert parse_euro(value) == Decimal(amount)
    assert str(parse_euro(value)) == amount


@pytest.mark.parametrize("value", [None, ""])
def test_an_empty_amount_is_none(value):
    assert parse_euro(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("centomila", "Inserisci un numero."),
        ("-1", "Inserisci un importo in euro, pari o superiore a zero."),
        ("NaN", "Inserisci un importo in euro, pari o superiore a zero."),
        ("1000000000000", "Inserisci un importo in euro, pari o superiore a zero."),
        ("10.005", "Inserisci un importo con al massimo 2 decimali."),
    ],
)
def test_bad_amounts_are_refused_with_the_fields_message_in_italian(value, message):
    with translation.override("it"), pytest.raises(ValidationError) as refused:
        parse_euro(value)
    assert refused.value.messages == [message]
