"""charts: the specifications carry the same numbers as the tables and CSV files beside them."""

from decimal import Decimal as D

from django.utils import translation

from casacomuni.indicators.dashboards import long_rows, rounded
from casacomuni.lib import charts
from casacomuni.lib.formats import number


def test_a_line_chart_draws_the_rows_of_its_table_one_point_per_series_and_year():
    rows = [
        {"year": "2024", "median": D("1.50"), "q1": None},
        {"year": "2025", "median": D("2.00"), "q1": D("1.25")},
    ]
    points = long_rows(rows, {"median": "Mediana", "q1": "Primo quartile"})
    assert points == [
        {"year": "2024", "series": "Mediana", "value": D("1.50")},
        {"year": "2025", "series": "Mediana", "value": D("2.00")},
        {"year": "2025", "series": "Primo quartile", "value": D("1.25")},
    ]
    spec = charts.line_chart("Andamento", "Linee", points, "year", "value", "series", "Servizi")
    assert spec["$schema"] == charts.SCHEMA
    assert spec["data"]["values"][2] == {"year": "2025", "series": "Primo quartile", "value": 1.25}
    assert spec["encoding"]["x"]["type"] == "ordinal"
    assert spec["description"].startswith("Andamento.")


def test_a_histogram_ticks_on_the_edges_of_its_classes():
    rows = [{"low": D(0), "high": D("2.5"), "comuni": 3}, {"low": D("2.5"), "high": D(5), "comuni": 1}]
    spec = charts.histogram_chart("Distribuzione", "Istogramma", rows, "low", "high", "comuni", "x", "y")
    assert spec["encoding"]["x"]["bin"] == {"binned": True, "step": 2.5}
    assert spec["encoding"]["x2"] == {"field": "high"}


def test_a_bar_chart_may_highlight_one_bar():
    rows = [{"group": "Comune", "value": D(3), "own": True}, {"group": "Italia", "value": D(2), "own": False}]
    spec = charts.bar_chart("Confronto", "Barre", rows, "group", "value", "Servizi", highlight="own")
    assert spec["encoding"]["color"]["scale"]["domain"] == [True, False]


def test_the_table_shows_italian_numbers_and_a_dash_for_none():
    chart = charts.Chart(
        "trend",
        "Andamento",
        {},
        [("year", "Anno"), ("median", "Mediana"), ("count", "Comuni")],
        [
            {"year": "2025", "median": D("1234.5"), "count": 1500},
            {"year": "2026", "median": None, "count": 0},
        ],
        extra={"decimals": 2},
    )
    assert chart.table_rows == [["2025", "1.234,50", "1.500"], ["2026", "—", "0"]]
    assert (chart.element_id, chart.spec_id) == ("chart-trend", "chart-trend-spec")


def test_values_shown_in_tables_are_rounded_half_up_like_the_charts_and_the_csv():
    """73,05 with one decimal is 73,1 everywhere (Django's number_format alone would cut it to 73,0)."""
    with translation.override("it"):
        assert number(D("73.05"), 1) == "73,1"
        assert number(D("25.28"), 1) == "25,3"
        assert number(D("1234.5"), 0) == "1.235"
        assert number(None, 1) == "—"
        # The accessible table next to a chart rounds the same way (it used to cut 73,05 to 73,0).
        assert charts.cell(D("73.05"), 1) == "73,1"
    assert rounded(D("73.05"), 1) == D("73.1")
