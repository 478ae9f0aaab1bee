"""The packaged boundary GeoJSON (simplified ISTAT 2023 outlines; see data/SOURCES.md).

Attribution required wherever they are shown: "ISTAT, Openpolis — CC BY 4.0".
"""

import json
from functools import lru_cache
from pathlib import Path

BOUNDARIES_DIR = Path(__file__).resolve().parent / "data" / "boundaries"
ATTRIBUTION = "ISTAT, Openpolis — CC BY 4.0"
GEOJSON_CONTENT_TYPE = "application/geo+json"


@lru_cache(maxsize=1)
def _provinces() -> dict[str, dict]:
    collection = json.loads((BOUNDARIES_DIR / "provinces.geojson").read_text(encoding="utf-8"))
    return {feature["properties"]["code"]: feature for feature in collection["features"]}


@lru_cache(maxsize=32)
def _municipalities(province_code: str) -> tuple[dict, ...]:
    path = BOUNDARIES_DIR / "comuni" / f"{province_code}.geojson"
    if not path.is_file():
        return ()
    return tuple(json.loads(path.read_text(encoding="utf-8"))["features"])


def all_provinces_collection() -> dict:
    """Every province's outline in one FeatureCollection (properties: code, sigla, name), for maps of Italy."""
    features = [_with(feature, kind="province") for feature in _provinces().values()]
    return {"type": "FeatureCollection", "attribution": ATTRIBUTION, "features": features}


def province_collection(province, municipality_codes: set[str] | None = None) -> dict:
    """A FeatureCollection: the province outline (``kind: "province"``), then, when codes are given,
    the outlines of those of its comuni that have one (``kind: "municipality"``)."""
    features = []
    outline = _provinces().get(province.code)
    if outline is not None:
        features.append(_with(outline, kind="province"))
    if municipality_codes:
        features.extend(municipalities_collection(province, municipality_codes)["features"])
    return {"type": "FeatureCollection", "attribution": ATTRIBUTION, "features": features}


def municipalities_collection(province, municipality_codes: set[str]) -> dict:
    """A FeatureCollection of the outlines of the given comuni of the province (``kind: "municipality"``,
    ``istat_code``, ``name``); comuni created after 2023 have none."""
    features = [
        _with(feature, kind="municipality")
        for feature in _municipalities(province.code)
        if feature["properties"]["istat_code"] in municipality_codes
    ]
    return {"type": "FeatureCollection", "attribution": ATTRIBUTION, "features": features}


def _with(feature: dict, **properties) -> dict:
    return {**feature, "properties": {**feature["properties"], **properties}}
