"""Benchmark: the Province dashboard of the indicators with 250 comuni × 5 years × every indicator.

Usage (a throwaway SQLite database in a temporary folder; nothing else is touched):

    .venv/bin/python benchmarks/indicators_dashboard.py [--runs 15]

With DATABASE_URL set to an empty PostgreSQL database it measures PostgreSQL instead (the tables are created
there by migrate and left behind: use a throwaway database). It prints the median and the slowest server time
of the page (Django's test client: the whole request in process, middleware and template included, no
network) and its number of queries. The limit is 500 ms (issue 6).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

COMUNI = 250
YEARS = range(2021, 2026)
LIMIT_MS = 500


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    os.environ.setdefault("CASACOMUNI_DATA_DIR", tempfile.mkdtemp(prefix="cdc-bench-"))
    # WhiteNoise looks for collected files there: an empty folder keeps it quiet (no static file is fetched).
    Path(os.environ["CASACOMUNI_DATA_DIR"], "static").mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casacomuni.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    user, province = build_data()
    client = Client()
    client.force_login(user)
    url = f"/indicatori/provincia/{province.sigla}/?indicatore=savings_rate&anno={YEARS[-1]}"
    assert client.get(url).status_code == 200  # warm: templates compiled, caches filled
    timings = []
    for _run in range(args.runs):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    median = statistics.median(timings)
    print(f"Province dashboard, {COMUNI} comuni × {len(YEARS)} years × 7 indicators, {connection.vendor}")
    print(f"  median {median:.1f} ms, slowest {max(timings):.1f} ms over {args.runs} runs")
    print(f"  {len(queries.captured_queries)} queries, {len(response.content) // 1024} KiB of HTML")
    print(f"  limit {LIMIT_MS} ms: {'met' if median < LIMIT_MS else 'MISSED'}")
    return 0 if median < LIMIT_MS else 1


def build_data():
    """A province with 250 comuni of every size, its organisation and a data officer; seven indicators
    with a value for every comune and year (deterministic pseudo-random values), written by the service
    the nightly task uses (so the aggregates are there too)."""
    import random

    from casacomuni.accounts.models import Membership, Organization, User
    from casacomuni.accounts.roles import OrganizationKind, Role
    from casacomuni.indicators import services
    from casacomuni.territory.models import Municipality, Province, Region

    rng = random.Random(2026)
    region = Region.objects.create(code="05", name="Veneto", is_ordinary_statute=True)
    province = Province.objects.create(
        code="026",
        historical_code="026",
        name="Treviso",
        sigla="TV",
        region=region,
        uts_type=1,
        is_ordinary_statute=True,
    )
    comuni = []
    for number in range(1, COMUNI + 1):
        comune = Municipality(
            istat_code=f"026{number:03d}",
            istat_numeric_code=26000 + number,
            cadastral_code=f"B{number:03d}",
            name=f"Comune {number:03d}",
            province=province,
            population=rng.choice([600, 2500, 8000, 30000, 90000]),
        )
        comune.set_search_names()
        comuni.append(comune)
    Municipality.objects.bulk_create(comuni)
    comuni = list(Municipality.objects.filter(province=province))
    org = Organization.objects.create(
        kind=OrganizationKind.PROVINCE, name="Provincia di Treviso", province=province
    )
    user = User.objects.create_user("bench_dati")  # logged in with force_login: no password
    Membership.objects.create(user=user, organization=org, role=Role.DATA_OFFICER)
    indicators = services.sync_indicators()
    for indicator in indicators.values():
        for year in YEARS:
            values = {c.pk: Decimal(rng.randint(0, 10000)) / 100 for c in comuni}
            services.replace_year(indicator, year, values)
    return user, province


if __name__ == "__main__":
    sys.exit(main())
