"""The reference discounts of method C (procurement/rules/reference_discounts.py).

Source: Allegato II.2 D.Lgs. 36/2023, method C: R_ref is read in the Allegato's table by the SOA category of
the works, the amount band (up to 150,000 euro, up to 1,000,000, up to the EU threshold) and the percentile
fixed in the tender documents; the table is the copy in procurement/data/allegato_II2_metodo_c.json
(TuttoGare PA, EUPL-1.2), in force from 1 July 2023 (art. 229 c.2 D.Lgs. 36/2023).
"""

from datetime import date
from decimal import Decimal

import pytest

from casacomuni.procurement.rules import reference_discounts as rd

DAY = date(2026, 3, 2)


def test_a_lot_of_og1_works_for_210000_euro_reads_the_middle_band():
    # OG1, 210,000 euro is above 150,000 and up to 1,000,000: the table gives 32,550 at the 80th percentile.
    cell = rd.reference_cell("OG1", Decimal("210000.00"), 80, DAY)
    assert (cell.category, cell.band, cell.percentile, cell.discount) == (
        "OG1",
        "150000-1000000",
        80,
        Decimal("32.550"),
    )
    assert cell.band_words == "oltre 150.000 e fino a 1.000.000 di euro"


@pytest.mark.parametrize(
    ("amount", "band"),
    [
        ("150000.00", "0-150000"),
        ("150000.01", "150000-1000000"),
        ("1000000.00", "150000-1000000"),
        ("1000000.01", "1000000-soglia"),
    ],
)
def test_the_band_limits_belong_to_the_lower_band(amount, band):
    assert rd.band_of(Decimal(amount)) == band


def test_a_category_the_table_does_not_list_reads_the_row_altro():
    cell = rd.reference_cell("OS32", Decimal("90000"), 50, DAY)
    assert cell.category == "Altro" and cell.band == "0-150000"


def test_a_blank_category_or_an_unknown_percentile_is_refused():
    with pytest.raises(rd.ReferenceDiscountError, match="SOA category"):
        rd.reference_cell("", Decimal("90000"), 50, DAY)
    with pytest.raises(rd.ReferenceDiscountError, match="50, 60, 70, 80, 90, 95, 99"):
        rd.reference_cell("OG1", Decimal("90000"), 75, DAY)


def test_no_table_before_the_code_took_effect():
    with pytest.raises(rd.ReferenceDiscountError):
        rd.reference_cell("OG1", Decimal("90000"), 50, date(2023, 6, 30))
    assert rd.reference_cell("OG1", Decimal("90000"), 50, date(2023, 7, 1)).discount == Decimal("23.791")
