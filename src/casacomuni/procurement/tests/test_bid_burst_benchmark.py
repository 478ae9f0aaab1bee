"""The bid-burst benchmark (benchmarks/bid_burst.py, issue 13 "Load and faults") keeps working: a burst of 10
operators through the real server passes its checks, and its checks do catch a lost bid or a wrong receipt.

The benchmark itself (500 operators on PostgreSQL) is run by hand: see benchmarks/README.md.
"""

import importlib.util
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from casacomuni.procurement.bidding.testing import open_procedure_with_invitations, submit_bid
from casacomuni.procurement.testing import make_operators

ROOT = Path(__file__).resolve().parents[4]
BENCHMARK = ROOT / "benchmarks" / "bid_burst.py"


def load_benchmark():
    spec = importlib.util.spec_from_file_location("bid_burst", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def migrated_database_url(tmp_path) -> str:
    """The test database, already migrated, for the benchmark's process: on SQLite a file copy of it."""
    if connection.vendor == "sqlite":
        copy = tmp_path / "bench.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        return f"sqlite:///{copy}"
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.server
def test_a_small_burst_through_the_real_server_passes_every_check(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment["DATABASE_URL"] = migrated_database_url(tmp_path)
    arguments = ["--operators", "10", "--concurrency", "5", "--spread", "1", "--file-mb", "0.2"]
    arguments += ["--workers", "1", "--threads", "4", "--upload"]
    done = subprocess.run(
        [sys.executable, str(BENCHMARK), *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("10 submitted in") == 2
    assert "submission:        p50" in done.stdout and "upload of the PDF: p50" in done.stdout
    assert "correctness: every check passed" in done.stdout


@pytest.mark.django_db
def test_the_checks_find_a_bid_lost_or_a_receipt_that_is_not_the_stored_one(
    world, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    benchmark = load_benchmark()
    first, second, third = make_operators(world.home, 3, prefix="Offerente")
    procedure, lot = open_procedure_with_invitations(world.home, world, first, second, third)
    with django_capture_on_commit_callbacks(execute=True):  # the receipts' e-mails are queued
        stored = submit_bid(first, lot)
        submit_bid(second, lot)
    submit_bid(third, lot, confirm=False)
    told = [
        benchmark.Bidder(first.pk, "", "", redirected=True, shown_receipts=[stored.receipt_code]),
        benchmark.Bidder(second.pk, "", "", redirected=True, shown_receipts=["CDC-1-1-00000000"]),
        benchmark.Bidder(third.pk, "", "", redirected=True, shown_receipts=["CDC-1-1-11111111"]),
    ]
    scenario = benchmark.Scenario("test", lot.pk, procedure.pk, told, upload=False)
    problems = benchmark.verify(scenario)
    assert len(problems) == 2, problems
    assert "was shown ['CDC-1-1-00000000']" in problems[0]
    assert problems[1] == f"lost: operator {third.pk} was redirected but has no submitted bid"
    told[1].shown_receipts = [second.online_bids.get().receipt_code]
    told[2].redirected = False
    assert benchmark.verify(scenario) == []
