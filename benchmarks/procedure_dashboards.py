"""Benchmark of the SUA dashboards, the CSV export and the OCDS endpoints with many procedures.

Everything happens inside one transaction that is rolled back at the end: the command writes nothing that
stays, so it may run against any database (run it against PostgreSQL for the figures that matter). It needs
an empty territory (it builds the test world: Provinces TV and PD), so use a fresh database, e.g.::

    DATABASE_URL=postgres://.../casacomuni_bench casacomuni migrate
    DATABASE_URL=postgres://.../casacomuni_bench python benchmarks/run_command.py procedure_dashboards --procedures 50000

For each page: the server time of the request (median of ``--repeat`` runs, through Django's test client,
middleware included) and its number of queries.
"""

import statistics
import time
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from casacomuni.accounts.models import Organization
from casacomuni.accounts.testing import make_side, make_world
from casacomuni.procurement.procedures.models import (
    Bid,
    BidStatus,
    Lot,
    LotState,
    Procedure,
    ProcedureState,
    ProcedureType,
)
from casacomuni.procurement.requests.models import ContractKind
from casacomuni.procurement.testing import next_cig

STATES = (
    ProcedureState.CONTRACT_SIGNED,
    ProcedureState.CONTRACT_SIGNED,
    ProcedureState.AWARDED,
    ProcedureState.BIDS_OPEN,
    ProcedureState.DRAFT,
    ProcedureState.CANCELLED,
)


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Time the SUA dashboards, CSV export and OCDS endpoints with N procedures (rolled back at the end)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--procedures", type=int, default=50000)
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument(
            "--provinces",
            type=int,
            default=1,
            help="Spread the procedures over this many Provinces (the measured SUA is the first)",
        )
        parser.add_argument("--slow", type=float, default=0, help="Print the queries slower than this (ms)")

    def handle(self, *args, **options):
        try:
            # The administrators' second factor is not what is measured.
            with transaction.atomic(), override_settings(CASACOMUNI_MFA_REQUIRED_FOR_ADMINS=False):
                self.run(options["procedures"], options["repeat"], options["slow"], options["provinces"])
                raise Rollback
        except Rollback:
            self.stdout.write("Rolled back: nothing written.")

    def run(self, count: int, repeat: int, slow: float = 0, provinces: int = 1) -> None:
        world = make_world()
        sides = [world.home, world.elsewhere][: max(1, min(provinces, 2))]
        for index in range(max(0, provinces - 2)):
            sides.append(
                make_side(
                    world.home.province.region,
                    f"{500 + index}",
                    chr(65 + index // 26) + chr(65 + index % 26),
                    f"Bench {index}",
                )
            )
        started = time.perf_counter()
        self.fill(world, count, sides)
        self.stdout.write(
            f"{count} procedures in {len(sides)} Province(s), {count // len(sides)} for the measured SUA, "
            f"created in {time.perf_counter() - started:.1f} s"
        )
        client = Client()
        pages = [
            ("funzionario_sua", reverse("procurement:dashboard"), "SUA dashboard"),
            ("referente_comune", reverse("procurement:dashboard"), "Comune dashboard"),
            ("funzionario_sua", reverse("web:dashboard"), "home dashboard with the card"),
            ("dirigente_upi", reverse("procurement:national_dashboard"), "UPI national page"),
            (None, reverse("ocds:releases"), "OCDS releases, page 1"),
            (None, reverse("ocds:releases") + "?page=300", "OCDS releases, page 300"),
            (None, reverse("ocds:releases") + "?since=2026-01-01", "OCDS releases since 2026-01-01"),
            (None, reverse("ocds:record", kwargs={"ocid": self.some_ocid()}), "OCDS record"),
            ("funzionario_sua", reverse("procurement:procedures_csv"), "CSV export (every lot)"),
        ]
        for persona, url, label in pages:
            client.logout()
            if persona:
                client.force_login(world.personas[persona])
            client.get(url)  # warm the session and the caches
            times, queries = [], 0
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as captured:
                    begin = time.perf_counter()
                    response = client.get(url)
                    if response.streaming:
                        size = sum(len(chunk) for chunk in response.streaming_content)
                    else:
                        size = len(response.content)
                    times.append((time.perf_counter() - begin) * 1000)
                queries = len(captured)
                assert response.status_code == 200, (url, response.status_code)
            self.stdout.write(
                f"{label:40} {statistics.median(times):8.1f} ms  {queries:3d} queries  {size:>10} bytes"
            )
            if slow:
                for query in captured.captured_queries:
                    if float(query["time"]) * 1000 >= slow:
                        self.stdout.write(f"    {float(query['time']) * 1000:7.1f} ms  {query['sql'][:300]}")

    def some_ocid(self) -> str:
        return Procedure.objects.filter(state=ProcedureState.CONTRACT_SIGNED).values_list("ocid", flat=True)[
            0
        ]

    def fill(self, world, count: int, sides) -> None:
        """``count`` procedures spread over ``sides`` (one lot each, every tenth with two), two bids a lot."""
        now = timezone.now()
        start = now - timedelta(days=730)
        procedures = []
        for index in range(count):
            state = STATES[index % len(STATES)]
            side = sides[index % len(sides)]
            published = start + timedelta(minutes=index * 20) if state != ProcedureState.DRAFT else None
            procedures.append(
                Procedure(
                    province=side.province_org,
                    title=f"Procedura di prova {index}",
                    kind=ContractKind.WORKS,
                    procedure_type=ProcedureType.NEGOTIATED_BELOW_THRESHOLD,
                    state=state,
                    cpv=("45233141", "90620000", "39155100")[index % 3],
                    published_at=published,
                    bid_deadline=(published or now) + timedelta(days=20),
                    awarded_at=published + timedelta(days=40)
                    if state in (ProcedureState.AWARDED, ProcedureState.CONTRACT_SIGNED)
                    else None,
                    contract_signed_at=published + timedelta(days=70)
                    if state == ProcedureState.CONTRACT_SIGNED
                    else None,
                    closed_at=published + timedelta(days=10) if state == ProcedureState.CANCELLED else None,
                    created_at=(published or now) - timedelta(days=5),
                )
            )
        procedures = Procedure.objects.bulk_create(procedures, batch_size=2000)
        for procedure in procedures:
            if procedure.published_at is not None:
                procedure.ocid = procedure.make_ocid()
        Procedure.objects.bulk_update(procedures, ["ocid"], batch_size=2000)
        lots = []
        for index, procedure in enumerate(procedures):
            side = sides[index % len(sides)]
            comuni = [side.comune, side.sibling_comune]
            for number in range(1, 3 if index % 10 == 0 else 2):
                awarded = procedure.state in (ProcedureState.AWARDED, ProcedureState.CONTRACT_SIGNED)
                signed = procedure.state == ProcedureState.CONTRACT_SIGNED
                lots.append(
                    Lot(
                        procedure=procedure,
                        number=number,
                        title=f"Lotto {number}",
                        municipality=comuni[(index + number) % 2],
                        cig=next_cig(),
                        cpv=procedure.cpv,
                        base_amount=Decimal("100000.00"),
                        state=LotState.AWARDED if awarded else LotState.OPEN,
                        awarded_operator=world.operator if awarded else None,
                        awarded_amount=Decimal("88000.00") if awarded else None,
                        award_date=procedure.awarded_at.date() if awarded else None,
                        contract_date=procedure.contract_signed_at.date() if signed else None,
                        contract_amount=Decimal("88000.00") if signed else None,
                    )
                )
        lots = Lot.objects.bulk_create(lots, batch_size=2000)
        bids = []
        for lot in lots:
            if lot.procedure.state in (ProcedureState.DRAFT, ProcedureState.CANCELLED):
                continue
            for operator, discount in ((world.operator, "12.0000"), (world.other_operator, "9.5000")):
                bids.append(
                    Bid(
                        lot=lot,
                        operator=operator,
                        discount_percent=Decimal(discount),
                        status=BidStatus.ADMITTED,
                        received_at=lot.procedure.bid_deadline - timedelta(days=1),
                    )
                )
        Bid.objects.bulk_create(bids, batch_size=5000)
        # Partite IVA as real operators have them (one each: the database refuses a shared one).
        Organization.objects.filter(pk=world.operator.pk).update(fiscal_code="00743110157")
        Organization.objects.filter(pk=world.other_operator.pk).update(fiscal_code="02110040231")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
