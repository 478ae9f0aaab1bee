"""Validators of Italian identifiers, usable on model fields and in forms."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import codicefiscale, iva


def validate_fiscal_code_optional(value: str) -> None:
    """A person's codice fiscale (16 characters) or an entity's (11 digits), checksum included."""
    if not value:
        return
    try:
        if len(value) == 16:
            codicefiscale.validate(value)
        else:
            iva.validate(value)
    except StdnumError as exc:
        raise ValidationError(_("“%(value)s” is not a valid fiscal code."), params={"value": value}) from exc
