"""Benchmark: the calendar page of a SUA officer with 50,000 procedures, and UPI's national calendar (issue 12).

Usage (PostgreSQL, as the issue asks: a throwaway cluster, migrated here and left with the data in it):

    bash scripts/pg_throwaway.sh .venv/bin/python -u benchmarks/agenda_calendar.py [--runs 20] [--procedures 50000]

Without DATABASE_URL it runs on SQLite in a temporary folder.

What it does: the two Provinces of the test world (``accounts.testing.make_world``) and their personas; for the
home Province's SUA, ``--procedures`` / 10 procedures first, each with a bid deadline spread over four years
(two back, two ahead) and a lot of its Comune, written with ``bulk_create``; for UPI's national calendar (the
national catalogue's call deadlines: what UPI's calendar shows, see ``agenda.sources``) a tenth as many
national calls spread the same way, and as many again in the Provinces' own catalogues (76 Provinces' worth,
which UPI's calendar must skip). It measures the month page (``/calendario/``) and the list view
(``?vista=elenco``) of the SUA officer and of UPI with Django's test client (the whole request in process,
middleware and template included, no network): p50 and p95 of ``--runs`` requests, with their queries; then
adds the rest up to ``--procedures`` and measures again. The query count must not grow; the limit is 200 ms of
server time (p50). Exits 1 when either fails.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

LIMIT_MS = 200
BATCH = 5000
SPREAD_DAYS = 4 * 365
PROVINCES = 76


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--procedures", type=int, default=50_000)
    args = parser.parse_args()
    os.environ.setdefault("CASACOMUNI_DATA_DIR", tempfile.mkdtemp(prefix="cdc-bench-"))
    Path(os.environ["CASACOMUNI_DATA_DIR"], "static").mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casacomuni.settings")
    # UPI's administrator would be sent to the second factor first: the benchmark measures the calendar.
    os.environ.setdefault("CASACOMUNI_MFA_REQUIRED_FOR_ADMINS", "0")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from casacomuni.accounts.testing import make_world

    setup_test_environment()
    call_command("migrate", verbosity=0)
    world = make_world()
    clients = {}
    for persona in ("funzionario_sua", "dirigente_upi"):
        client = Client()
        client.force_login(world.personas[persona])
        session = client.session
        session["casacomuni_membership_id"] = world.memberships[persona].pk
        session.save()
        clients[persona] = client
    print(f"Calendar of a SUA officer and UPI's national calendar, {connection.vendor}")
    ok, counts, written = True, [], 0
    for total in (args.procedures // 10, args.procedures):
        started = time.perf_counter()
        add_procedures(world, total - written)
        add_calls(world, (total - written) // 10)
        written = total
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # the statistics autovacuum would gather after a bulk load
                cursor.execute("ANALYZE")
        print(
            f"  {total} procedures, {total // 10} national calls written in {time.perf_counter() - started:.1f} s"
        )
        for persona, client in clients.items():
            for label, url in (("month", "/calendario/"), ("list", "/calendario/?vista=elenco")):
                p50, p95, queries, shown = measure(client, connection, url, args.runs)
                counts.append(queries)
                print(
                    f"    {persona} {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {queries} queries, {shown} bytes"
                )
                ok = ok and p50 < LIMIT_MS
    same = counts[: len(counts) // 2] == counts[len(counts) // 2 :]
    print(f"  limit {LIMIT_MS} ms: {'met' if ok else 'MISSED'}; queries {'constant' if same else 'GROW'}")
    return 0 if ok and same else 1


def measure(client, connection, url: str, runs: int) -> tuple[float, float, int, int]:
    from django.test.utils import CaptureQueriesContext

    warm = client.get(url)  # templates compiled, session stored
    assert warm.status_code == 200, (url, warm.status_code, warm.get("Location"))
    timings = []
    for _run in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    p95 = statistics.quantiles(timings, n=20)[-1]
    return statistics.median(timings), p95, len(queries.captured_queries), len(response.content)


def spread(n: int):
    """The n-th of a series of moments spread over four years around now, at office hours."""
    from django.utils import timezone

    start = timezone.now().replace(hour=11, minute=0, second=0, microsecond=0) - timedelta(
        days=SPREAD_DAYS // 2
    )
    return start + timedelta(days=(n * 7919) % SPREAD_DAYS, hours=n % 6)


def add_procedures(world, count: int) -> None:
    from casacomuni.procurement.procedures.models import Lot, Procedure

    offset = Procedure.objects.count()
    for first in range(0, count, BATCH):
        procedures = Procedure.objects.bulk_create(
            Procedure(
                province=world.home.province_org,
                title=f"Procedura {offset + n} per lavori di manutenzione",
                kind="works",
                procedure_type="negotiated_below_threshold",
                cpv="45000000",
                state="bids_open" if n % 3 else "awarded",
                bid_deadline=spread(offset + n),
            )
            for n in range(first, min(count, first + BATCH))
        )
        Lot.objects.bulk_create(
            Lot(
                procedure=procedure,
                number=1,
                title=procedure.title,
                municipality=world.home.comune,
                cpv="45000000",
                base_amount=Decimal("100000.00"),
            )
            for procedure in procedures
        )


def add_calls(world, count: int) -> None:
    """``count`` national calls and as many of the Provinces' own catalogues (spread over the two Provinces)."""
    from casacomuni.eufunds.models import Call

    offset = Call.objects.count()
    provinces = [world.home.province, world.elsewhere.province]
    for first in range(0, 2 * count, BATCH):
        Call.objects.bulk_create(
            Call(
                source="manual",
                source_id=f"bench-{offset + n}",
                title=f"Bando {offset + n} per la transizione digitale",
                deadline=spread(offset + n),
                province=None if n % 2 else provinces[n % 4 // 2],
            )
            for n in range(first, min(2 * count, first + BATCH))
        )


if __name__ == "__main__":
    sys.exit(main())
