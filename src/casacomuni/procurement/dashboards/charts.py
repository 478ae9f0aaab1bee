"""The SUA dashboard's charts: Vega-Lite specifications built with the indicators' helpers.

Each chart draws rows the page also shows in a table (its text alternative, right under it), and is drawn
by indicators/static/indicators/charts.js in Vega's CSP-safe mode, as the indicators' charts are.
"""

from django.utils.dates import MONTHS_3
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from casacomuni.lib.charts import Chart, bar_chart


def awards_by_month(rows: list[dict], year: int) -> Chart:
    title = _("Lots awarded per month in %(year)d") % {"year": year}
    values = [
        {"month": str(capfirst(MONTHS_3[row["month"]])), "lots": row["lots"], "savings": row["savings"]}
        for row in rows
    ]
    spec = bar_chart(
        title,
        _("One bar per month: the lots awarded; the table below gives the amounts and the savings."),
        values,
        "month",
        "lots",
        _("Lots awarded"),
    )
    return Chart("awards-by-month", title, spec, [], values)


def by_state(name: str, title: str, rows: list[dict], axis_title: str) -> Chart:
    """Bars of ``rows`` ({code, label, count}), in the order of the states' life."""
    values = [{"code": row["code"], "label": str(row["label"]), "count": row["count"]} for row in rows]
    spec = bar_chart(
        title,
        _("One bar per state, in the order of the procedure's life."),
        values,
        "label",
        "count",
        axis_title,
    )
    return Chart(name, title, spec, [], values)


def top_cpv(rows: list[dict]) -> Chart:
    title = _("Most frequent CPV codes")
    values = [{"cpv": f"{row['cpv']} {row['description']}".strip(), "lots": row["lots"]} for row in rows]
    spec = bar_chart(
        title, _("Lots per CPV code, the most frequent first."), values, "cpv", "lots", _("Lots")
    )
    return Chart("top-cpv", title, spec, [], values)


def dashboard_charts(summary: dict, year: int) -> dict[str, Chart]:
    """The charts of ``procedures.selectors.summary``'s figures, by the name of the section that shows them."""
    return {
        "awards": awards_by_month(summary["awards_by_month"], year),
        "procedures": by_state(
            "procedures-by-state", _("Procedures by state"), summary["procedures_by_state"], _("Procedures")
        ),
        "requests": by_state(
            "requests-by-state", _("Requests by state"), summary["requests_by_state"], _("Requests")
        ),
        "cpv": top_cpv(summary["top_cpv"]),
    }
