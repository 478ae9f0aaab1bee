"""Vega-Lite specifications built in Python, with the rows they draw.

Each ``Chart`` holds its specification (data inline, so the page needs no other request), the columns and
rows of the accessible table shown next to it, and the name of its CSV download: the same rows everywhere.
indicators/static/indicators/charts.js draws them, on every app's dashboards, with vega-embed in Vega's
CSP-safe mode.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from casacomuni.lib.formats import NONE, number

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
# Bootstrap Italia's primary blue and neutral greys; series colours distinguishable in grey scale too.
PRIMARY = "#0066cc"
SERIES_COLOURS = ["#0066cc", "#cc334d", "#008055", "#5c6f82"]
FONT = "Titillium Web, Geneva, Tahoma, sans-serif"


@dataclass
class Chart:
    """A chart, its data table and its CSV. ``columns`` are (key, heading) pairs of ``rows``' keys."""

    name: str
    title: str
    spec: dict
    columns: list[tuple[str, str]]
    rows: list[dict]
    caption: str = ""
    csv_url: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def element_id(self) -> str:
        return f"chart-{self.name}"

    @property
    def spec_id(self) -> str:
        return f"chart-{self.name}-spec"

    @property
    def table_rows(self) -> list[list[str]]:
        """The rows' cells as the table shows them: numbers with Italian separators, "—" for none."""
        decimals = self.extra.get("decimals", 0)
        return [[cell(row[key], decimals) for key, _heading in self.columns] for row in self.rows]


def cell(value, decimals: int) -> str:
    if isinstance(value, Decimal):
        return number(value, decimals)
    if isinstance(value, int) and not isinstance(value, bool):
        return number(value)
    return NONE if value is None else str(value)


def plain(value):
    """A JSON-friendly number: Decimals as floats (Vega reads numbers), None kept."""
    if isinstance(value, Decimal):
        return float(value)
    return value


def _base(title: str, description: str, values: list[dict]) -> dict:
    # No title in the drawing: the page's heading names the chart right above it.
    return {
        "$schema": SCHEMA,
        "description": f"{title}. {description}",
        "data": {"values": [{key: plain(value) for key, value in row.items()} for row in values]},
        "width": "container",
        "height": 260,
        "config": {
            "font": FONT,
            "axis": {"labelFontSize": 12, "titleFontSize": 13},
            "legend": {"labelFontSize": 12, "titleFontSize": 13, "orient": "bottom"},
            "title": {"fontSize": 16, "anchor": "start"},
        },
    }


def bar_chart(
    title: str,
    description: str,
    rows: list[dict],
    category: str,
    value: str,
    axis_title: str,
    *,
    sort=None,
    highlight: str = "",
) -> dict:
    """Horizontal bars, one per ``category``; ``sort`` "-x" for the longest first, None for the rows' order;
    ``highlight`` a field true for the bars drawn in the primary colour (the others grey)."""
    spec = _base(title, description, rows)
    spec["height"] = {"step": 22}
    spec["mark"] = {"type": "bar", "color": PRIMARY, "tooltip": True}
    spec["encoding"] = {
        "y": {"field": category, "type": "nominal", "sort": sort, "title": None},
        "x": {"field": value, "type": "quantitative", "title": axis_title},
    }
    if highlight:
        spec["encoding"]["color"] = {
            "field": highlight,
            "type": "nominal",
            "scale": {"domain": [True, False], "range": [PRIMARY, "#5c6f82"]},
            "legend": None,
        }
    return spec


def line_chart(
    title: str, description: str, rows: list[dict], x: str, y: str, series: str, axis_title: str
) -> dict:
    """One line with points per ``series`` over ``x`` (years, as ordered categories so 2024 reads 2024)."""
    spec = _base(title, description, rows)
    spec["mark"] = {"type": "line", "point": True, "tooltip": True}
    spec["encoding"] = {
        "x": {"field": x, "type": "ordinal", "title": None, "axis": {"labelAngle": 0}},
        "y": {"field": y, "type": "quantitative", "title": axis_title},
        "color": {
            "field": series,
            "type": "nominal",
            "title": None,
            "scale": {"range": SERIES_COLOURS},
            "sort": None,
        },
        "strokeDash": {"field": series, "type": "nominal", "title": None, "sort": None},
    }
    return spec


def histogram_chart(
    title: str,
    description: str,
    rows: list[dict],
    low: str,
    high: str,
    count: str,
    axis_title: str,
    count_title: str,
) -> dict:
    """Bars from ``low`` to ``high`` as tall as ``count``: the classes are computed in Python
    (rules.stats.histogram) so that the table and the CSV show exactly the bars."""
    spec = _base(title, description, rows)
    spec["mark"] = {"type": "bar", "color": PRIMARY, "tooltip": True, "binSpacing": 1}
    binned = {"binned": True}
    if rows:  # the classes have one width: the axis ticks fall on their edges
        binned["step"] = plain(rows[0][high] - rows[0][low])
    spec["encoding"] = {
        "x": {"field": low, "type": "quantitative", "bin": binned, "title": axis_title},
        "x2": {"field": high},
        "y": {"field": count, "type": "quantitative", "title": count_title},
    }
    return spec
