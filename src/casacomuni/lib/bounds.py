"""The largest numbers the platform takes at its edges (forms, API schemas, query parameters).

A number past what the database holds fails deep inside it, after the input was accepted: SQLite refuses an
integer beyond 64 bits ("datatype mismatch"), PostgreSQL one beyond the column's type, and SQLite keeps
decimals as binary floats, so a value with 16 significant digits is stored but cannot be read back into its
``DecimalField`` (every later read of the row fails). The bounds here stop such input where it arrives, with
a message, and leave a margin below what the columns hold.
"""

from decimal import Decimal
from typing import Annotated

from pydantic import Field

# Significant digits a decimal keeps exactly through SQLite's floats.
SAFE_DIGITS = 15
# Euro amounts: below a thousand billion, in cents.
MAX_AMOUNT = Decimal("999999999999.99")
# An IntegerField is a 32-bit integer in PostgreSQL.
MAX_INTEGER = 2**31 - 1
# Rows to skip in a list: far beyond any table, far below what a SQL OFFSET takes.
MAX_OFFSET = 10**9

Amount = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, decimal_places=2)]
PositiveAmount = Annotated[Decimal, Field(gt=0, le=MAX_AMOUNT, decimal_places=2)]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]


def max_decimal(decimal_places: int | None) -> Decimal:
    """The largest value with ``decimal_places`` (2 if unknown) within ``SAFE_DIGITS`` significant digits."""
    places = 2 if decimal_places is None else decimal_places
    return Decimal(10) ** (SAFE_DIGITS - places) - Decimal(10) ** -places
