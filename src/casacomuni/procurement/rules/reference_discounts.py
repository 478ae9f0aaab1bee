"""The reference discounts of method C (Allegato II.2 D.Lgs. 36/2023) as dated data.

Method C centres the anomaly threshold on a reference discount R_ref fixed in the tender documents, taken from
the Allegato's table of historical discounts: one cell per SOA category of the works, amount band and
percentile (``anomaly.compute_threshold`` then gives T = R_ref − V or R_ref + V). The officer chooses the
percentile when drafting the procedure; the category and the band follow from the lot:

- the category is the lot's SOA category (e.g. "OG1"); the table's row "Altro" holds every category it does
  not list;
- the band is read on the lot's value as the EU thresholds read it (art. 14 c.4: options and renewals
  included), because the top band ends at the threshold: up to 150,000 euro, up to 1,000,000, above. A value
  of exactly 150,000 or 1,000,000 falls in the lower band ("fino a") [unverified reading of the band limits].

The table is the copy in ``procurement/data/allegato_II2_metodo_c.json`` (source and licence there and in its
SOURCES.md), in force from its ``valid_from`` day: a later table is added to the data with its own day, and
a procedure reads the one in force on the day it was published. Pure: reads the packaged JSON file once.
"""

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from casacomuni.lib.i18n import gettext_noop

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "allegato_II2_metodo_c.json"
OTHER_CATEGORY = "Altro"
BAND_LIMITS = (Decimal("150000"), Decimal("1000000"))
# The bands in the data's order, with the Italian words of the minutes.
BAND_WORDS = {
    "0-150000": "fino a 150.000 euro",
    "150000-1000000": "oltre 150.000 e fino a 1.000.000 di euro",
    "1000000-soglia": "oltre 1.000.000 di euro e fino alla soglia europea",
}


class ReferenceDiscountError(ValueError):
    """``message`` is an English source string; ``params`` fill its %(name)s placeholders."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Cell:
    """One cell of the table: the reference discount R_ref (a percentage) and where it was read."""

    category: str
    band: str
    percentile: int
    discount: Decimal
    valid_from: date

    @property
    def band_words(self) -> str:
        return BAND_WORDS[self.band]


@dataclass(frozen=True)
class Table:
    valid_from: date
    percentiles: tuple[int, ...]
    bands: tuple[str, ...]
    cells: dict  # category -> band -> percentile (str) -> discount (str)
    source: str


@lru_cache(maxsize=1)
def tables() -> tuple[Table, ...]:
    """The tables in the data, newest first."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    table = Table(
        valid_from=date.fromisoformat(data["valid_from"]),
        percentiles=tuple(data["percentiles"]),
        bands=tuple(data["bands"]),
        cells=data["table"],
        source=data["source"],
    )
    return (table,)


def percentiles() -> tuple[int, ...]:
    return tables()[0].percentiles


def table_on(day: date) -> Table:
    """The table in force on ``day`` (the procedure's publication day); before the first, a clear error."""
    for table in tables():
        if table.valid_from <= day:
            return table
    raise ReferenceDiscountError(
        gettext_noop(
            "No table of reference discounts is in force on %(day)s: method C starts with D.Lgs. 36/2023."
        ),
        day=day.isoformat(),
    )


def band_of(amount: Decimal) -> str:
    """The amount band of a lot's value (art. 14 c.4 value), as named in the table."""
    low, high = BAND_LIMITS
    if amount <= low:
        return "0-150000"
    if amount <= high:
        return "150000-1000000"
    return "1000000-soglia"


def reference_cell(category: str, amount: Decimal, percentile: int, day: date) -> Cell:
    """R_ref for a lot of SOA ``category`` and value ``amount``, at ``percentile``, from the table in force on
    ``day``. A blank category or an unknown percentile is refused: the cell must be the documents' own."""
    table = table_on(day)
    if percentile not in table.percentiles:
        raise ReferenceDiscountError(
            gettext_noop("Choose a percentile of the table: %(choices)s."),
            choices=", ".join(str(p) for p in table.percentiles),
        )
    category = (category or "").strip().upper()
    if not category:
        raise ReferenceDiscountError(
            gettext_noop("Set the lot's SOA category: method C reads its reference discount from it.")
        )
    row = category if category in table.cells else OTHER_CATEGORY
    band = band_of(amount)
    return Cell(row, band, percentile, Decimal(table.cells[row][band][str(percentile)]), table.valid_from)
