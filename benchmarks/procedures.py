"""Benchmark of the procedures' list page, detail page and API with many procedures.

Like ``procedure_dashboards.py`` (whose data filler it reuses: N procedures, one lot each and two
every tenth, two bids a lot), everything runs inside one transaction rolled back at the end, so nothing stays.
Use a fresh, migrated database (it builds the test world)::

    DATABASE_URL=postgres://.../casacomuni_bench casacomuni migrate
    DATABASE_URL=postgres://.../casacomuni_bench python benchmarks/run_command.py procedures --procedures 50000

For each page: the server time (median of ``--repeat`` runs through Django's test client, middleware
included) and the number of queries.
"""

import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from procedure_dashboards import Command as Filler

from casacomuni.accounts.models import ApiToken, hash_token
from casacomuni.accounts.testing import make_world
from casacomuni.procurement.procedures.models import Procedure


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time the procedures' list, detail and API with N procedures (rolled back at the end)."

    def add_arguments(self, parser):
        parser.add_argument("--procedures", type=int, default=50000)
        parser.add_argument("--repeat", type=int, default=5)

    def handle(self, *args, **options):
        try:
            with transaction.atomic(), override_settings(CASACOMUNI_MFA_REQUIRED_FOR_ADMINS=False):
                self.run(options["procedures"], options["repeat"])
                raise Rollback
        except Rollback:
            self.stdout.write("Rolled back: nothing written.")

    def run(self, count: int, repeat: int) -> None:
        world = make_world()
        started = time.perf_counter()
        Filler().fill(world, count, [world.home])
        self.stdout.write(
            f"{count} procedures for the measured SUA, created in {time.perf_counter() - started:.1f} s"
        )
        if connection.vendor == "postgresql":
            # Inside the uncommitted transaction autovacuum never sees the rows: give the planner its statistics
            # as a live database would have them.
            with connection.cursor() as cursor:
                for table in ("procurement_procedure", "procurement_lot", "procurement_bid"):
                    cursor.execute(f"ANALYZE {table}")
        some = Procedure.objects.filter(province=world.home.province_org).order_by("-pk").first()
        raw = ApiToken.generate()
        ApiToken.objects.create(
            membership=world.memberships["funzionario_sua"], name="bench", token_hash=hash_token(raw)
        )
        api = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        pages = [
            ("funzionario_sua", reverse("procurement:procedure_list"), {}, "procedures list, page 1"),
            (
                "funzionario_sua",
                reverse("procurement:procedure_list") + "?page=500",
                {},
                "procedures list, page 500",
            ),
            (
                "funzionario_sua",
                reverse("procurement:procedure_list") + "?state=awarded",
                {},
                "list filtered by state",
            ),
            (
                "funzionario_sua",
                reverse("procurement:procedure_list") + f"?municipality={world.home.comune.pk}",
                {},
                "list filtered by Comune",
            ),
            ("referente_comune", reverse("procurement:procedure_list"), {}, "Comune's list"),
            ("funzionario_sua", reverse("procurement:procedure_detail", args=[some.pk]), {}, "detail (lots)"),
            (None, reverse("procurement:procedure_public", args=[some.pk]), {}, "public page"),
            (None, "/api/v1/procurement/procedures?limit=50", api, "API list"),
            (None, "/api/v1/procurement/procedures?limit=50&offset=25000", api, "API list, offset 25000"),
            (None, f"/api/v1/procurement/procedures/{some.pk}", api, "API detail"),
        ]
        client = Client()
        for persona, url, headers, label in pages:
            client.logout()
            if persona:
                client.force_login(world.personas[persona])
            client.get(url, **headers)
            times = []
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as captured:
                    begin = time.perf_counter()
                    response = client.get(url, **headers)
                    times.append((time.perf_counter() - begin) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            self.stdout.write(f"{label:32} {statistics.median(times):8.1f} ms  {len(captured):3d} queries")
