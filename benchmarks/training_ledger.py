"""Benchmark: the 40-hour ledger of a Province with 20,000 staff × 5 years (issue 11).

Usage (PostgreSQL, as the issue asks: a throwaway cluster, migrated here and left with the data in it):

    bash scripts/pg_throwaway.sh .venv/bin/python -u benchmarks/training_ledger.py [--runs 15] [--staff 20000]

Without DATABASE_URL it runs on SQLite in a temporary folder.

What it does: a Province with 100 Comuni and its training officer; ``--staff`` / 10 people spread over the
Province and its Comuni first, each with, for every one of 5 years, a completion of an edition on the
platform (its enrolment too; one in ten revoked) and hours imported from another provider, all written with
``bulk_create`` in batches (the services would take minutes and measure nothing of the ledger). It measures
the ledger page of the training officer (``/formazione/ore/``, Django's test client: the whole request in
process, middleware and template included, no network), by name, sorted by hours and filtered to the far behind,
and the Province's training dashboard (``/formazione/cruscotto/provincia/``), with their queries; then
adds the rest of the staff up to ``--staff`` and measures again. The query count must not grow; the limit is
300 ms of server time (median). Exits 1 when either fails.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

COMUNI = 100
YEARS = 5
LIMIT_MS = 300
BATCH = 5000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--staff", type=int, default=20_000)
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
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    user, organizations, editions = build_world()
    client = Client()
    client.force_login(user)
    print(f"Training ledger of a Province, {connection.vendor}")
    ok = True
    counts = []
    for staff in (args.staff // 10, args.staff):
        started = time.perf_counter()
        add_staff(organizations, editions, staff)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # the statistics autovacuum would gather after a bulk load
                cursor.execute("ANALYZE")
        print(f"  {staff} staff × {YEARS} years written in {time.perf_counter() - started:.1f} s")
        for label, url in (
            ("by name", "/formazione/ore/"),
            ("by hours", "/formazione/ore/?sort=-hours"),
            ("far behind", "/formazione/ore/?standing=far_behind"),
            ("dashboard", "/formazione/cruscotto/provincia/"),
        ):
            median, slowest, queries = measure(client, connection, url, args.runs)
            counts.append(queries)
            print(f"    {label}: median {median:.1f} ms, slowest {slowest:.1f} ms, {queries} queries")
            ok = ok and median < LIMIT_MS
    same = counts[: len(counts) // 2] == counts[len(counts) // 2 :]
    print(f"  limit {LIMIT_MS} ms: {'met' if ok else 'MISSED'}; queries {'constant' if same else 'GROW'}")
    return 0 if ok and same else 1


def measure(client, connection, url: str, runs: int) -> tuple[float, float, int]:
    from django.test.utils import CaptureQueriesContext

    assert client.get(url).status_code == 200  # warm: templates compiled, session stored
    timings = []
    for _run in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(timings), max(timings), len(queries.captured_queries)


def build_world():
    """The Province, its Comuni, its training officer, a module with two editions a year."""
    from casacomuni.accounts.models import Membership, Organization, User
    from casacomuni.accounts.roles import OrganizationKind, Role
    from casacomuni.territory.models import Province, Region
    from casacomuni.training.models import Edition, EditionState, Module

    region = Region.objects.create(code="05", name="Veneto", is_ordinary_statute=True)
    province = Province.objects.create(
        code="026", historical_code="026", name="Treviso", sigla="TV", region=region, uts_type=1
    )
    office = Organization.objects.create(
        kind=OrganizationKind.PROVINCE, name="Provincia di Treviso", province=province
    )
    comuni = Organization.objects.bulk_create(
        Organization(kind=OrganizationKind.MUNICIPALITY, name=f"Comune {n:03d}", province=province)
        for n in range(COMUNI)
    )
    user = User.objects.create_user("formazione")
    Membership.objects.create(user=user, organization=office, role=Role.TRAINING_OFFICER)
    module = Module.objects.create(
        province=office,
        title="Il codice dei contratti",
        area="procurement",
        level="base",
        mode="blended",
        hours=Decimal(8),
        objectives="Applicare il D.Lgs. 36/2023.",
        published=True,
    )
    this_year = date.today().year
    editions = {
        year: Edition.objects.create(
            module=module,
            code=f"{year}/01",
            seats=1000,
            state=EditionState.COMPLETED,
            signatory="La dirigente",
        )
        for year in range(this_year - YEARS + 1, this_year + 1)
    }
    return user, [office, *comuni], editions


def add_staff(organizations, editions, up_to: int) -> None:
    """People up to ``up_to``, each with a completion and imported hours in every year."""
    from django.utils import timezone

    from casacomuni.training import ledger
    from casacomuni.training.models import Completion, Enrolment, ExternalHours, ImportRun, StaffMember

    start = StaffMember.objects.count()
    run = ImportRun.objects.create(organization=organizations[0], file_name="syllabus.csv")
    now = timezone.now()
    for first in range(start, up_to, BATCH):
        people = StaffMember.objects.bulk_create(
            StaffMember(
                organization=organizations[n % len(organizations)],
                fiscal_code=f"BNC{n:013d}",
                first_name=f"Nome{n % 97}",
                last_name=f"Cognome{n:06d}",
                email=f"p{n}@example.it",
            )
            for n in range(first, min(first + BATCH, up_to))
        )
        enrolments = Enrolment.objects.bulk_create(
            Enrolment(edition=edition, person=person, state="enrolled", requested_at=now)
            for person in people
            for edition in editions.values()
        )
        Completion.objects.bulk_create(
            Completion(
                enrolment=enrolment,
                person=enrolment.person,
                completed_on=date(int(enrolment.edition.code[:4]), 1 + enrolment.person.pk % 12, 15),
                hours=Decimal(4 + enrolment.person.pk % 20),
                code=f"B{enrolment.pk:011d}",
                revoked_at=now if enrolment.person.pk % 10 == 0 else None,
            )
            for enrolment in enrolments
        )
        ExternalHours.objects.bulk_create(
            ExternalHours(
                person=person,
                provider="Syllabus",
                course="Competenze digitali",
                hours=Decimal(person.pk % 25),
                completed_on=date(year, 1 + person.pk % 11, 10),
                import_run=run,
            )
            for person in people
            for year in editions
            if person.pk % 25
        )
        ledger.refresh_hours([person.pk for person in people], editions)


if __name__ == "__main__":
    sys.exit(main())
