"""The data of the three dashboards (Comune, Province, UPI) and their charts, built from a few queries
whatever the number of comuni: the views render them, the CSV downloads export the same rows."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from casacomuni.indicators import selectors
from casacomuni.indicators.models import MIN_GROUP_FOR_MUNICIPALITIES, Aggregate, Observation, SizeClass
from casacomuni.indicators.rules import stats
from casacomuni.lib import charts
from casacomuni.lib.charts import Chart
from casacomuni.lib.formats import number

SIZE_LABELS = dict(SizeClass.choices)


@dataclass
class Dashboard:
    context: dict = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)

    def add(self, chart: Chart) -> None:
        self.charts[chart.name] = chart


def rounded(value, decimals: int):
    """A value for charts and CSV: rounded to the indicator's decimals, None kept."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def axis_title(indicator) -> str:
    return f"{indicator.name} ({indicator.unit})" if indicator.unit else indicator.name


def legend(breaks: list[Decimal], values: list[Decimal], decimals: int) -> list[dict]:
    """The map's classes as the legend lists them: level, lowest and highest value in the class (classes
    with no value left out)."""
    members: dict[int, list[Decimal]] = {}
    for value in values:
        members.setdefault(stats.class_of(value, breaks), []).append(value)
    return [
        {
            "level": level,
            "low": number(min(members[level]), decimals),
            "high": number(max(members[level]), decimals),
        }
        for level in sorted(members)
    ]


# --- Province -----------------------------------------------------------------------------------------------


def province_dashboard(province, indicator, year: int) -> Dashboard:
    """Comuni of ``province``: ranking, map classes, distribution, trend against Italy. Four queries."""
    decimals = indicator.decimals
    observations = list(selectors.province_values(province, indicator, year))
    values = [observation.value for observation in observations]
    ranks = stats.rank(values, indicator.higher_is_better)
    ranking = sorted(
        (
            {
                "rank": position,
                "name": observation.municipality.name,
                "istat_code": observation.municipality.istat_code,
                "population": observation.municipality.population,
                "size_class": SIZE_LABELS.get(stats.size_class(observation.municipality.population), ""),
                "value": rounded(observation.value, decimals),
            }
            for position, observation in zip(ranks, observations, strict=True)
        ),
        key=lambda row: (row["rank"], row["name"]),
    )
    breaks = stats.class_breaks(values)
    map_values = {
        observation.municipality.istat_code: {
            "level": stats.class_of(observation.value, breaks),
            "name": observation.municipality.name,
            "value": number(observation.value, decimals),
        }
        for observation in observations
    }
    provincial = {row.year: row for row in selectors.trend(indicator, province)}
    national = {row.year: row for row in selectors.trend(indicator)}
    dashboard = Dashboard(
        context={
            "ranking": ranking,
            "summary": provincial.get(year),
            "national_summary": national.get(year),
            "map_values": map_values,
            "legend": legend(breaks, values, decimals),
        }
    )
    dashboard.add(distribution_chart(indicator, year, values, province.name))
    dashboard.add(trend_chart(indicator, provincial, national, province.name))
    dashboard.add(ranking_table(indicator, year, ranking))
    return dashboard


def distribution_chart(indicator, year, values, place: str) -> charts.Chart:
    decimals = indicator.decimals
    rows = [
        {"low": rounded(b.low, decimals), "high": rounded(b.high, decimals), "comuni": b.count}
        for b in stats.histogram(values)
    ]
    title = _("Distribution of the comuni of %(place)s, %(year)s") % {"place": place, "year": year}
    spec = charts.histogram_chart(
        title,
        _("Histogram: number of comuni by class of value of “%(name)s”.") % {"name": indicator.name},
        rows,
        "low",
        "high",
        "comuni",
        axis_title(indicator),
        _("Comuni"),
    )
    columns = [("low", _("From")), ("high", _("To")), ("comuni", _("Comuni"))]
    return charts.Chart("distribution", title, spec, columns, rows, extra={"decimals": decimals})


def trend_chart(indicator, provincial: dict, national: dict, place: str) -> charts.Chart:
    """The Province's median and quartiles and Italy's median, year by year."""
    decimals = indicator.summary_decimals
    rows = []
    for year in sorted(set(provincial) | set(national)):
        here, italy = provincial.get(year), national.get(year)
        rows.append(
            {
                "year": str(year),
                "q1": rounded(here.q1, decimals) if here else None,
                "median": rounded(here.median, decimals) if here else None,
                "q3": rounded(here.q3, decimals) if here else None,
                "national_median": rounded(italy.median, decimals) if italy else None,
            }
        )
    labels = {
        "median": _("Median of %(place)s") % {"place": place},
        "q1": _("First quartile"),
        "q3": _("Third quartile"),
        "national_median": _("Median of Italy"),
    }
    title = _("Trend of “%(name)s”") % {"name": indicator.name}
    spec = charts.line_chart(
        title,
        _("Lines by year: median and quartiles of %(place)s, median of Italy.") % {"place": place},
        long_rows(rows, labels),
        "year",
        "value",
        "series",
        axis_title(indicator),
    )
    columns = [("year", _("Year")), *[(key, label) for key, label in labels.items()]]
    return charts.Chart("trend", title, spec, columns, rows, extra={"decimals": decimals})


def ranking_table(indicator, year, ranking: list[dict]) -> charts.Chart:
    """The ranking as a downloadable table (no chart: the map shows it)."""
    columns = [
        ("rank", _("Rank")),
        ("name", _("Comune")),
        ("istat_code", _("ISTAT code")),
        ("population", _("Population")),
        ("size_class", _("Class of size")),
        ("value", axis_title(indicator)),
    ]
    title = _("Ranking of the comuni, %(year)s") % {"year": year}
    return charts.Chart("ranking", title, {}, columns, ranking, extra={"decimals": indicator.decimals})


def long_rows(rows: list[dict], labels: dict[str, str]) -> list[dict]:
    """Wide rows (one per year) as the long rows a line chart reads: one per year and series with a value."""
    return [
        {"year": str(row["year"]), "series": str(label), "value": row[key]}
        for row in rows
        for key, label in labels.items()
        if row[key] is not None
    ]


# --- UPI: by Province ---------------------------------------------------------------------------------------


def national_dashboard(indicator, year: int) -> Dashboard:
    """Provinces by median: ranking, map classes, bars, Italy's trend. Two queries."""
    decimals = indicator.summary_decimals
    groups = list(
        Aggregate.objects.filter(indicator=indicator, year=year, size_class="", province__isnull=False)
        .select_related("province")
        .order_by("province__name")
    )
    medians = [group.median for group in groups]
    ranks = stats.rank(medians, indicator.higher_is_better)
    ranking = sorted(
        (
            {
                "rank": position,
                "name": group.province.name,
                "sigla": group.province.sigla,
                "comuni": group.count,
                "q1": rounded(group.q1, decimals),
                "median": rounded(group.median, decimals),
                "q3": rounded(group.q3, decimals),
            }
            for position, group in zip(ranks, groups, strict=True)
        ),
        key=lambda row: (row["rank"], row["name"]),
    )
    breaks = stats.class_breaks(medians)
    map_values = {
        group.province.sigla: {
            "level": stats.class_of(group.median, breaks),
            "name": group.province.name,
            "value": number(group.median, decimals),
        }
        for group in groups
    }
    national = {row.year: row for row in selectors.trend(indicator)}
    dashboard = Dashboard(
        context={
            "ranking": ranking,
            "national_summary": national.get(year),
            "map_values": map_values,
            "legend": legend(breaks, medians, decimals),
        }
    )
    title = _("Median by Province, %(year)s") % {"year": year}
    bars = [{"province": f"{row['name']} ({row['sigla']})", "median": row["median"]} for row in ranking]
    spec = charts.bar_chart(
        title,
        _("Bars: median of the comuni of each Province, highest first."),
        bars,
        "province",
        "median",
        axis_title(indicator),
        sort="-x" if indicator.higher_is_better else "x",
    )
    dashboard.add(
        charts.Chart(
            "provinces",
            title,
            spec,
            [("province", _("Province")), ("median", _("Median"))],
            bars,
            extra={"decimals": decimals},
        )
    )
    dashboard.add(national_trend_chart(indicator, national))
    columns = [
        ("rank", _("Rank")),
        ("name", _("Province")),
        ("sigla", _("Abbreviation")),
        ("comuni", _("Comuni with a value")),
        ("q1", _("First quartile")),
        ("median", _("Median")),
        ("q3", _("Third quartile")),
    ]
    dashboard.add(
        charts.Chart(
            "ranking",
            _("Ranking of the Provinces, %(year)s") % {"year": year},
            {},
            columns,
            ranking,
            extra={"decimals": decimals},
        )
    )
    return dashboard


def national_trend_chart(indicator, national: dict) -> charts.Chart:
    decimals = indicator.summary_decimals
    rows = [
        {
            "year": str(year),
            "q1": rounded(group.q1, decimals),
            "median": rounded(group.median, decimals),
            "q3": rounded(group.q3, decimals),
            "comuni": group.count,
        }
        for year, group in sorted(national.items())
    ]
    labels = {"median": _("Median of Italy"), "q1": _("First quartile"), "q3": _("Third quartile")}
    title = _("Trend of “%(name)s” in Italy") % {"name": indicator.name}
    spec = charts.line_chart(
        title,
        _("Lines by year: median and quartiles of the comuni of Italy on the platform."),
        long_rows(rows, labels),
        "year",
        "value",
        "series",
        axis_title(indicator),
    )
    columns = [("year", _("Year")), *labels.items(), ("comuni", _("Comuni with a value"))]
    return charts.Chart("trend", title, spec, columns, rows, extra={"decimals": decimals})


# --- Comune -------------------------------------------------------------------------------------------------


def comparison_groups(municipality) -> tuple[str, Q]:
    """The comune's size class and the filter of the aggregates it is compared with: its Province, the
    comuni of its class of size across Italy, Italy."""
    size = stats.size_class(municipality.population) or ""
    groups = Q(province_id=municipality.province_id, size_class="") | Q(province__isnull=True, size_class="")
    if size:
        groups |= Q(province__isnull=True, size_class=size)
    return size, groups


def visible(group: Aggregate | None) -> Aggregate | None:
    """An aggregate a Comune may see: none of a group of fewer than MIN_GROUP_FOR_MUNICIPALITIES comuni."""
    if group is None or group.count < MIN_GROUP_FOR_MUNICIPALITIES:
        return None
    return group


def municipality_dashboard(municipality, indicator, year: int, all_indicators) -> Dashboard:
    """The comune's values against its Province's median, the median of comuni of its size, Italy's.
    Two queries: the comune's values, the groups' aggregates (every indicator and year)."""
    size, groups = comparison_groups(municipality)
    own = {
        (row.indicator_id, row.year): row.value
        for row in Observation.objects.filter(municipality=municipality).only("indicator_id", "year", "value")
    }
    aggregates = {}
    for group in Aggregate.objects.filter(groups).filter(indicator__in=[i.pk for i in all_indicators]):
        key = "province" if group.province_id else ("size" if group.size_class else "italy")
        aggregates[(group.indicator_id, group.year, key)] = visible(group)

    def figures(ind, at_year):
        get = aggregates.get
        return {
            "value": own.get((ind.pk, at_year)),
            "province": getattr(get((ind.pk, at_year, "province")), "median", None),
            "size": getattr(get((ind.pk, at_year, "size")), "median", None),
            "italy": getattr(get((ind.pk, at_year, "italy")), "median", None),
        }

    overview = []
    for ind in all_indicators:
        numbers = figures(ind, year)
        overview.append(
            {
                "indicator": ind,
                **{
                    key: number(value, ind.decimals if key == "value" else ind.summary_decimals)
                    for key, value in numbers.items()
                },
            }
        )
    labels = {
        "value": municipality.name,
        "province": _("Median of the Province of %(name)s") % {"name": municipality.province.name},
        "size": _("Median of the comuni of similar size (%(size)s)") % {"size": SIZE_LABELS.get(size, "—")},
        "italy": _("Median of Italy"),
    }
    dashboard = Dashboard(
        context={"overview": overview, "size_label": SIZE_LABELS.get(size, ""), "labels": labels}
    )
    decimals = indicator.summary_decimals
    chosen = figures(indicator, year)
    bars = [
        {"group": str(labels[key]), "value": rounded(chosen[key], decimals), "own": key == "value"}
        for key in labels
        if chosen[key] is not None
    ]
    title = _("%(name)s, %(year)s: the Comune and its peers") % {"name": indicator.name, "year": year}
    spec = charts.bar_chart(
        title,
        _("Bars: the Comune's value and the medians it is compared with."),
        bars,
        "group",
        "value",
        axis_title(indicator),
        highlight="own",
    )
    dashboard.add(
        charts.Chart(
            "comparison",
            title,
            spec,
            [("group", _("Who")), ("value", axis_title(indicator))],
            bars,
            extra={"decimals": decimals},
        )
    )
    years = sorted(
        {y for (ind_pk, y) in own if ind_pk == indicator.pk}
        | {y for (ind_pk, y, _key) in aggregates if ind_pk == indicator.pk}
    )
    rows = [
        {"year": str(y), **{key: rounded(value, decimals) for key, value in figures(indicator, y).items()}}
        for y in years
    ]
    title = _("Trend of “%(name)s”") % {"name": indicator.name}
    spec = charts.line_chart(
        title,
        _("Lines by year: the Comune's value and the medians it is compared with."),
        long_rows(rows, labels),
        "year",
        "value",
        "series",
        axis_title(indicator),
    )
    columns = [("year", _("Year")), *labels.items()]
    dashboard.add(charts.Chart("trend", title, spec, columns, rows, extra={"decimals": decimals}))
    return dashboard
