"""Benchmark: every open call × every comune of the 76 ordinary-statute Provinces (~5,554), under 10 s.

Run on a throwaway database holding the territory (``bash benchmarks/eufunds_matching.sh`` does it all:
fresh SQLite, migrate, import_territory, then this script). By hand, with a database that has the
territory: ``DJANGO_SETTINGS_MODULE=casacomuni.settings .venv/bin/python benchmarks/eufunds_matching.py``
(it imports the shipped samples and adds synthetic calls: never run it on a database you care about).

The work measured is what the pages and the digests do: the comuni loaded once with only the fields the
engine reads (one query), the criteria of all calls in one query, then every verdict in Python.
"""

import argparse
import os
import sys
import time
from datetime import timedelta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--synthetic", type=int, default=200, help="extra open calls with criteria (default 200)"
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casacomuni.settings")
    import django

    django.setup()
    from django.utils import timezone

    from casacomuni.accounts.actor import Actor
    from casacomuni.eufunds import selectors, services
    from casacomuni.eufunds.importers import SAMPLES
    from casacomuni.eufunds.models import Call, CallCriterion, CallSource
    from casacomuni.territory.models import Municipality

    comuni = Municipality.objects.current().filter(province__is_ordinary_statute=True)
    if not comuni.exists():
        sys.exit(
            "No territory: run 'casacomuni import_territory' first (or use benchmarks/eufunds_matching.sh)."
        )
    system = Actor.system("benchmark")
    for source, pattern in (
        ("sedia", "sedia_*.json"),
        ("incentivi", "incentivi_*.json"),
        ("regional", "regional_*.json"),
    ):
        for path in sorted(SAMPLES.glob(pattern)):
            services.import_calls(system, source, path.read_bytes(), origin=path.name)
    now = timezone.now()
    kinds = [
        ("population_max", {"limit": 5000, "inclusive": False}),
        ("population_min", {"limit": 1000, "inclusive": True}),
        ("entity_type", {"types": ["municipality", "union"]}),
        ("regions", {"codes": ["03", "05", "08", "12"]}),
        ("cofinancing_share", {"percent": "20"}),
    ]
    codes = list(comuni.order_by("?").values_list("istat_code", flat=True)[:300])
    for i in range(args.synthetic):
        call, _ = Call.objects.get_or_create(
            source=CallSource.MANUAL,
            source_id=f"benchmark-{i}",
            defaults={
                "title": f"Bando sintetico {i}",
                "opens_on": now.date(),
                "deadline": now + timedelta(days=60),
            },
        )
        if not call.criteria.exists():
            chosen = [kinds[i % len(kinds)], kinds[(i + 2) % len(kinds)]]
            if i % 7 == 0:
                chosen.append(("named_comuni", {"istat_codes": codes}))
            CallCriterion.objects.bulk_create(
                [CallCriterion(call=call, kind=k, value=v, excerpt="benchmark") for k, v in chosen]
            )
    for call in Call.objects.filter(source__in=["sedia", "incentivi", "regional"])[:20]:
        if not call.criteria.exists():
            CallCriterion.objects.create(
                call=call, kind="population_max", value={"limit": 5000}, excerpt="benchmark"
            )
    services.refresh_status()

    started = time.perf_counter()
    open_calls = list(Call.objects.open_on(timezone.localdate()).only("pk"))
    profiles = selectors.municipality_profiles(comuni)
    loaded = time.perf_counter()
    counts = selectors.match_all(open_calls, profiles)
    finished = time.perf_counter()
    pairs = len(open_calls) * len(profiles)
    print(f"open calls: {len(open_calls)}; comuni of the 76 provinces: {len(profiles)}; verdicts: {pairs:,}")
    print(f"outcomes: {dict(sorted(counts.items()))}")
    print(
        f"load: {loaded - started:.2f} s; match: {finished - loaded:.2f} s; total: {finished - started:.2f} s"
    )
    print("limit: 10 s —", "OK" if finished - started < 10 else "TOO SLOW")


if __name__ == "__main__":
    main()
