"""The national map of the experiences: published experiences per Province, in one grouped query, and what the
map's script needs for each Province (its abbreviation, name, count, class and the link to its list)."""

from django.db.models import Count, F
from django.urls import reverse
from django.utils.http import urlencode

from casacomuni.experiences.models import Experience
from casacomuni.territory.models import Province

# (lowest, highest, css class) of each colour of the map and its legend (static/experiences/map.css).
LEGEND = [
    (1, 1, "experiences-1"),
    (2, 3, "experiences-2"),
    (4, None, "experiences-3"),
]


def published_by_province() -> list[dict]:
    """One row per Province with published experiences, by region and name: sigla, name, region, count."""
    return list(
        Experience.objects.published()
        .values(
            sigla=F("province__province__sigla"),
            name=F("province__province__name"),
            region=F("province__province__region__name"),
        )
        .annotate(count=Count("pk"))
        .order_by("region", "name")
    )


def level_of(count: int) -> int:
    for index, (lowest, highest, _css) in enumerate(LEGEND):
        if count >= lowest and (highest is None or count <= highest):
            return index
    return 0


def list_url(sigla: str) -> str:
    return f"{reverse('experiences:list')}?{urlencode({'province': sigla})}"


def map_features(rows: list[dict]) -> list[dict]:
    return [
        {
            "sigla": row["sigla"],
            "name": row["name"],
            "count": row["count"],
            "level": level_of(row["count"]),
            "url": list_url(row["sigla"]),
        }
        for row in rows
    ]


def province_name(sigla: str) -> str:
    """The name of the Province the list is filtered by ("" when none or unknown)."""
    if not sigla:
        return ""
    return Province.objects.filter(sigla=sigla.upper()).values_list("name", flat=True).first() or ""
