"""Benchmark: the bid burst of issue 13 — 500 operators submit their online bids in the last minute.

Usage (PostgreSQL, as the issue asks: a throwaway cluster, migrated here and left with the data in it):

    bash scripts/pg_throwaway.sh .venv/bin/python -u benchmarks/bid_burst.py [--upload] [--spread 50]

Without DATABASE_URL it runs on SQLite in a temporary folder. A database already migrated is only checked
(the smoke test, src/casacomuni/procurement/tests/test_bid_burst_benchmark.py, hands it a copy of the test
database and runs 10 operators).

What it does:
1. Prepares, through the services, one procedure with ``--operators`` invited operators, each with a bid in
   preparation: the ESPD as XML and a ``--file-mb`` PDF in envelope A, the economic offer in envelope C, all
   sealed. Each operator's representative gets a session written straight to the session store (what
   ``login`` stores, without 500 password checks).
2. Starts the production WSGI server (gunicorn, ``--workers`` × ``--threads``) with the settings of a
   production start: DEBUG off, HTTPS behind a TLS-terminating proxy (X-Forwarded-Proto), a random
   SECRET_KEY, the sealing keys in the environment, persistent database connections.
3. Every operator opens its bid page (the CSRF token from the form and cookie). Then the deadline is set
   ``--window`` seconds ahead (60) and the operators press "Submit" (``POST .../offerta-telematica/conferma/``)
   each at a random moment of the first ``--spread`` seconds (50; 0: all at once), at most ``--concurrency``
   (50) at a time, and follow the redirect to the page that shows their receipt.
4. With ``--upload`` a second procedure measures the same burst when the PDF is uploaded in the same minute:
   each operator uploads it (``POST .../documento/``, multipart), back to the page, then submits.

Then it checks, in the database: nothing lost (every operator that got its redirect has exactly one
submitted bid, and no other bid was submitted), nothing duplicated (one submitted bid per operator and lot,
receipt codes unique), every receipt code the page showed is the stored one, each submitted bid has its
audit event with the hashes of its documents and its receipt e-mail queued, and the audit trail verifies.
A request the server refuses because the deadline has passed is counted apart (the refusal is right; the
operator came too late for the server's pace). It prints the latencies (p50, p95, p99, max; the issue asks
p99 <= 1 s for the submission), the CPU each submitted bid cost the web server, the database and the load
generator (on a shared machine the latencies depend on the others' load, the CPU does not), and exits 1
when a check fails (a missed latency limit is printed, not an error).
"""

import argparse
import asyncio
import io
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT_MS = 1000
RECEIPT = re.compile(r"CDC-\d+-\d+-[0-9A-F]{8}")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ALERT = re.compile(r'<div class="alert alert-success[^>]*>(.*?)</div>', re.S)
# The page's refusal of anything that arrives after the deadline (bidding.services.bidding_problem).
LATE = "dopo il termine non si accetta nulla"


@dataclass
class Bidder:
    """One operator's representative, as the load sees it: its session and its bid's pages."""

    operator_id: int
    session_key: str
    page: str
    csrf_cookie: str = ""
    csrf_token: str = ""
    upload_ms: float | None = None
    confirm_ms: float | None = None
    follow_ms: float | None = None
    shown_receipts: list[str] = field(default_factory=list)
    redirected: bool = False  # the submission went through: the page then shows the receipt
    late: bool = False  # refused: its request was handled after the deadline
    step: str = ""
    error: str = ""

    def action(self, name: str) -> str:
        return f"{self.page}{name}/"

    def cookies(self, *extra: str) -> str:
        return "; ".join([f"sessionid={self.session_key}", f"csrftoken={self.csrf_cookie}", *extra])


def main() -> int:
    args = parse_arguments()
    data_dir = Path(tempfile.mkdtemp(prefix="cdc-bid-burst-"))
    try:
        environment = configure(data_dir, args)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from casacomuni.accounts.testing import make_world

        call_command("migrate", verbosity=0)
        print(f"Bid burst on {connection.vendor}: {args.operators} operators, PDF of {args.file_mb} MB")
        started = time.perf_counter()
        world = quick_hashes(make_world)()
        scenarios = [prepare(args, world, upload) for upload in ([False, True] if args.upload else [False])]
        print(f"  prepared in {time.perf_counter() - started:.0f} s (through the services, files sealed)")
        connection.close()  # the server's processes take over
        with server(args, environment) as (base_url, server_pid):
            problems = []
            for scenario in scenarios:
                problems += run_scenario(args, base_url, server_pid, scenario)
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    for problem in problems:
        print(f"  FAILED: {problem}")
    print("  correctness: " + ("every check passed" if not problems else f"{len(problems)} check(s) FAILED"))
    return 1 if problems else 0


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operators", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50, help="requests in flight at once")
    parser.add_argument(
        "--spread", type=float, default=50, help="seconds over which they arrive (0: at once)"
    )
    parser.add_argument("--window", type=float, default=60, help="seconds from the burst to the deadline")
    parser.add_argument("--file-mb", type=float, default=2.0, help="size of the PDF in envelope A")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads of each worker")
    parser.add_argument("--upload", action="store_true", help="also measure upload + submit in the minute")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (files, logs)")
    args = parser.parse_args()
    if args.spread >= args.window:
        parser.error("--spread must end before the deadline (--window)")
    return args


def configure(data_dir: Path, args) -> dict[str, str]:
    """The environment of a production start, shared by this process (which prepares the data) and the
    server: both must agree on the database, the files, the SECRET_KEY (sessions) and the sealing keys."""
    sys.path.insert(0, str(ROOT / "src"))
    from casacomuni.lib.sealing import generate_kek_setting

    (data_dir / "static").mkdir()  # WhiteNoise looks for collected files there; no static file is fetched
    environment = {
        "DJANGO_SETTINGS_MODULE": "casacomuni.settings",
        "CASACOMUNI_DATA_DIR": str(data_dir),
        "DEBUG": "0",
        "HTTPS": "1",
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "CASACOMUNI_SEALING_KEYS": generate_kek_setting("bench"),
        "DATABASE_CONN_MAX_AGE": "60",
        "EMAIL_BACKEND": "smtp",  # never reached: no task worker runs, the receipts' e-mails stay queued
    }
    os.environ.update(environment)
    return environment


# --- Preparing the bids, through the services ---------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    lot_id: int
    procedure_id: int
    bidders: list[Bidder]
    upload: bool
    pdf: bytes = b""


def quick_hashes(function):
    """``function`` run with a fast password hash: the personas and representatives it makes never log in
    with their password (sessions are written for them), and 500 slow hashes would take minutes."""
    from django.test.utils import override_settings

    return override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])(function)


def prepare(args, world, upload: bool) -> Scenario:
    """A procedure taking bids with ``args.operators`` invited operators, each with a sealed bid in
    preparation: complete (ESPD, PDF, offer) or, for ``upload``, without the PDF, uploaded in the burst."""
    from django.urls import reverse

    from casacomuni.procurement.bidding.testing import open_procedure_with_invitations
    from casacomuni.procurement.testing import make_operators

    prefix = "Offerente con file" if upload else "Offerente"
    operators = make_operators(world.home, args.operators, prefix=prefix)
    procedure, lot = open_procedure_with_invitations(world.home, world, *operators)
    pdf = large_pdf(int(args.file_mb * 1024 * 1024), random.Random(args.seed + upload))
    page = reverse("procurement:online_bid", args=[procedure.pk, lot.pk])
    bidders = quick_hashes(lambda: [prepare_bidder(op, lot, page, pdf, upload) for op in operators])()
    name = "upload + submit in the minute" if upload else "submit in the minute"
    return Scenario(name, lot.pk, procedure.pk, bidders, upload, pdf)


def prepare_bidder(operator, lot, page: str, pdf: bytes, upload: bool) -> Bidder:
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile

    from casacomuni.accounts.testing import session_key_for
    from casacomuni.procurement.bidding import services as bidding
    from casacomuni.procurement.bidding.models import DocumentKind, Envelope
    from casacomuni.procurement.bidding.testing import espd_upload, operator_actor

    actor = operator_actor(operator)
    bid = bidding.draft_for(actor, lot)
    bidding.add_document(actor, bid, Envelope.ADMINISTRATIVE, DocumentKind.ESPD, espd_upload(operator.name))
    if not upload:
        file = SimpleUploadedFile("dichiarazioni.pdf", pdf, content_type="application/pdf")
        bidding.add_document(actor, bid, Envelope.ADMINISTRATIVE, DocumentKind.DECLARATION, file)
    offer = bidding.EconomicOffer(
        discount_percent=Decimal(random.Random(operator.pk).randint(1000, 300000)) / 10000,
        labour_costs=Decimal("15000.00"),
        safety_costs=Decimal("2500.00"),
    )
    bidding.set_economic_offer(actor, bid, offer)
    return Bidder(operator.pk, session_key_for(actor.membership), page)


def large_pdf(size: int, rng: random.Random) -> bytes:
    """A valid one-page PDF of about ``size`` bytes: the page, and random bytes as an attached file (as a
    scanned declaration would be, it does not compress)."""
    from pypdf import PdfReader, PdfWriter

    from casacomuni.lib.pdf import act_pdf

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(act_pdf(["Dichiarazioni dell'operatore"]))))
    writer.add_attachment("allegato.bin", rng.randbytes(max(size - 1500, 0)))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


# --- The server ---------------------------------------------------------------------------------------------


class server:  # noqa: N801 (a context manager used like a function)
    """gunicorn serving the platform on a free port of 127.0.0.1; stopped (its whole group) on exit."""

    def __init__(self, args, environment: dict[str, str]):
        self.args, self.environment = args, environment

    def __enter__(self) -> tuple[str, int]:
        port = free_port()
        command = [sys.executable, "-m", "gunicorn", "casacomuni.wsgi", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", str(self.args.workers), "--threads", str(self.args.threads)]
        command += ["--timeout", "120", "--log-level", "warning", "--no-control-socket"]
        log = Path(self.environment["CASACOMUNI_DATA_DIR"]) / "gunicorn.log"
        self.log = log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            command,
            env=os.environ | self.environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base_url = f"http://127.0.0.1:{port}"
        wait_until_serving(base_url, self.process, log)
        print(f"  gunicorn: {self.args.workers} workers × {self.args.threads} threads at {base_url}")
        return base_url, self.process.pid

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(base_url: str, process, log: Path, seconds: float = 60) -> None:
    import httpx
    from django.urls import reverse

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn stopped:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(base_url + reverse("accounts:login"), headers=PROXY, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    sys.exit(f"gunicorn did not answer in {seconds:.0f} s:\n{log.read_text(errors='replace')}")


# The TLS-terminating proxy of a production deployment states the scheme; the browser states its origin.
PROXY = {"X-Forwarded-Proto": "https"}


# --- The burst ----------------------------------------------------------------------------------------------


def run_scenario(args, base_url: str, server_pid: int, scenario: Scenario) -> list[str]:
    bidders = scenario.bidders
    asyncio.run(open_pages(args, base_url, bidders))
    problems = [f"{b.operator_id}: {b.error}" for b in bidders if b.error]
    if problems:
        return problems
    set_deadline(scenario.procedure_id, args.window)
    meter = CpuMeter(server_pid)
    started = time.perf_counter()
    asyncio.run(burst(args, base_url, scenario))
    report(args, scenario, time.perf_counter() - started, meter.spent())
    return verify(scenario)


def client(args, base_url: str):
    import httpx

    # Every request carries its operator's own cookies: a shared jar would mix the operators' sessions.
    no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    # A connection idle for 1 s is not reused: gunicorn closes idle ones after 2 s (its keepalive), and a
    # request sent on one it is closing would fail for the client, not for the platform.
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency, keepalive_expiry=1.0
    )
    origin = {"Origin": base_url.replace("http://", "https://")}
    return httpx.AsyncClient(
        base_url=base_url, cookies=no_cookies, limits=limits, timeout=120, headers=PROXY | origin
    )


async def open_pages(args, base_url: str, bidders: list[Bidder]) -> None:
    """Each operator opens its bid page: the CSRF cookie and the form's token, as a browser gets them."""
    gate = asyncio.Semaphore(args.concurrency)
    async with client(args, base_url) as http:

        async def open_page(bidder: Bidder) -> None:
            async with gate:
                response = await http.get(bidder.page, headers={"Cookie": f"sessionid={bidder.session_key}"})
            token = CSRF_FIELD.search(response.text)
            if response.status_code != 200 or token is None or "csrftoken" not in response.cookies:
                bidder.error = f"bid page: HTTP {response.status_code}"
                return
            bidder.csrf_cookie, bidder.csrf_token = response.cookies["csrftoken"], token.group(1)

        await asyncio.gather(*(open_page(bidder) for bidder in bidders))


def set_deadline(procedure_id: int, seconds: float) -> None:
    """The deadline ``seconds`` from now: the burst is the last minute before it."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from casacomuni.procurement.procedures.models import Procedure

    deadline = timezone.now() + timedelta(seconds=seconds)
    Procedure.objects.filter(pk=procedure_id).update(bid_deadline=deadline)
    connection.close()


async def burst(args, base_url: str, scenario: Scenario) -> None:
    rng = random.Random(args.seed)
    gate = asyncio.Semaphore(args.concurrency)
    start = time.perf_counter()
    async with client(args, base_url) as http:

        async def bid(bidder: Bidder, arrival: float) -> None:
            await asyncio.sleep(max(0.0, start + arrival - time.perf_counter()))
            async with gate:
                try:
                    await submit(http, scenario, bidder)
                except Exception as error:  # noqa: BLE001 (a refused connection is a lost bid: reported)
                    bidder.error = f"{bidder.step}: {type(error).__name__} {error}"

        arrivals = sorted(rng.uniform(0, args.spread) for _bidder in scenario.bidders)
        await asyncio.gather(*(bid(b, at) for b, at in zip(scenario.bidders, arrivals, strict=True)))


async def submit(http, scenario: Scenario, bidder: Bidder) -> None:
    """The operator's clicks: (upload the PDF, back to the page,) submit, back to the page with the receipt."""
    form = {"csrfmiddlewaretoken": bidder.csrf_token}
    if scenario.upload:
        bidder.step = "upload"
        files = {"file": ("dichiarazioni.pdf", scenario.pdf, "application/pdf")}
        response, bidder.upload_ms = await timed(
            http.post(
                bidder.action("documento"),
                data=form | {"document": "A:declaration"},
                files=files,
                headers={"Cookie": bidder.cookies()},
            )
        )
        if not answered(bidder, response):
            return
        await follow(http, bidder, response)
    bidder.step = "submit"
    response, bidder.confirm_ms = await timed(
        http.post(bidder.action("conferma"), data=form, headers={"Cookie": bidder.cookies()})
    )
    bidder.redirected = answered(bidder, response)
    if not bidder.redirected:
        return
    page, bidder.follow_ms = await follow(http, bidder, response)
    alerts = " ".join(ALERT.findall(page.text))
    bidder.shown_receipts = RECEIPT.findall(alerts)


def answered(bidder: Bidder, response) -> bool:
    """Whether the step went through (a redirect); a refusal after the deadline is noted, anything else is
    an error."""
    if response.status_code == 302:
        return True
    if response.status_code == 400 and LATE in response.text:
        bidder.late = True
    else:
        bidder.error = f"{bidder.step}: HTTP {response.status_code}"
    return False


async def follow(http, bidder: Bidder, response):
    """The redirect a browser follows, with the message the response left in its cookie."""
    messages = response.cookies.get("messages")
    cookies = bidder.cookies(f"messages={messages}") if messages else bidder.cookies()
    bidder.step = f"page after the {bidder.step}"
    page, elapsed = await timed(http.get(response.headers["Location"], headers={"Cookie": cookies}))
    if page.status_code != 200:
        bidder.error = f"{bidder.step}: HTTP {page.status_code}"
    return page, elapsed


async def timed(request):
    start = time.perf_counter()
    response = await request
    return response, (time.perf_counter() - start) * 1000


# --- Where the CPU goes (Linux /proc) ------------------------------------------------------------------------


class CpuMeter:
    """CPU seconds spent from now on by the web server (gunicorn's processes), the database server (the
    PostgreSQL cluster's processes; on SQLite it is the web server) and this process (the load). On a shared
    machine the latencies depend on the others' load; the CPU per bid does not, and says what a dedicated
    server would do."""

    def __init__(self, server_pid: int):
        self.parents = {"web": server_pid, "database": postmaster_pid(), "load": os.getpid()}
        self.start = self.read()

    def read(self) -> dict[str, float]:
        return {name: tree_cpu(pid) for name, pid in self.parents.items() if pid}

    def spent(self) -> dict[str, float]:
        return {name: value - self.start[name] for name, value in self.read().items()}


def postmaster_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting FROM pg_settings WHERE name = 'data_directory'")
        (data_directory,) = cursor.fetchone()
    connection.close()
    return int(Path(data_directory, "postmaster.pid").read_text().split()[0])


def tree_cpu(pid: int) -> float:
    """CPU seconds of ``pid``, of its children that ended (which it waited for) and of those alive."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        # After the command: state, ppid, …; utime and stime are the 12th and 13th, cutime and cstime next.
        if int(stat.parent.name) == pid:
            ticks += sum(int(value) for value in fields[11:15])
        elif int(fields[1]) == pid:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


# --- The figures and the checks -----------------------------------------------------------------------------


def quantiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else ordered * 99
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "max": ordered[-1]}


def figures(values: list[float]) -> str:
    if not values:
        return "no request"
    return ", ".join(f"{name} {value:.0f} ms" for name, value in quantiles(values).items())


def report(args, scenario: Scenario, elapsed: float, cpu: dict[str, float]) -> None:
    bidders = scenario.bidders
    submitted = sum(b.redirected for b in bidders)
    late = sum(b.late for b in bidders)
    print(f"\n  {scenario.name}: {len(bidders)} operators, at most {args.concurrency} at a time, ", end="")
    print(f"arriving over {args.spread:.0f} s; the deadline {args.window:.0f} s after the first")
    print(f"    {submitted} submitted in {elapsed:.1f} s ({submitted / elapsed:.1f} bids/s)", end="")
    print(f"; {late} refused after the deadline" if late else "")
    if scenario.upload:
        print(f"    upload of the PDF: {figures([b.upload_ms for b in bidders if b.upload_ms])}")
    confirm = [b.confirm_ms for b in bidders if b.confirm_ms is not None]
    print(f"    submission:        {figures(confirm)}")
    print(f"    page after it:     {figures([b.follow_ms for b in bidders if b.follow_ms])}")
    if confirm:
        met = quantiles(confirm)["p99"] <= LIMIT_MS
        print(f"    limit p99 <= {LIMIT_MS} ms for the submission: {'met' if met else 'MISSED'}")
    if submitted:
        per_bid = ", ".join(f"{name} {seconds * 1000 / submitted:.0f} ms" for name, seconds in cpu.items())
        refused = " (the refused requests' included)" if late else ""
        print(f"    CPU per submitted bid{refused}: {per_bid}")
    print(f"    load average of the machine (1 min) after it: {os.getloadavg()[0]:.1f}")


def verify(scenario: Scenario) -> list[str]:
    """What the database holds after the burst, against what every operator was told."""
    from collections import Counter

    from casacomuni.audit.models import AuditEvent
    from casacomuni.audit.verification import verify_trail
    from casacomuni.procurement.bidding.models import OnlineBid, OnlineBidState

    bids = list(OnlineBid.objects.filter(lot_id=scenario.lot_id).prefetch_related("documents"))
    submitted = [bid for bid in bids if bid.state == OnlineBidState.CONFIRMED]
    by_operator = Counter(bid.operator_id for bid in submitted)
    codes = Counter(bid.receipt_code for bid in bids if bid.receipt_code)
    problems = [f"{b.operator_id}: {b.error}" for b in scenario.bidders if b.error]
    told = {b.operator_id: b for b in scenario.bidders if b.redirected}
    stored = {bid.operator_id: bid for bid in submitted}
    for operator_id, bidder in told.items():
        if operator_id not in stored:
            problems.append(f"lost: operator {operator_id} was redirected but has no submitted bid")
        elif bidder.shown_receipts != [stored[operator_id].receipt_code]:
            problems.append(
                f"operator {operator_id} was shown {bidder.shown_receipts}, "
                f"the stored receipt is {stored[operator_id].receipt_code}"
            )
    problems += [f"operator {o} has {n} submitted bids" for o, n in by_operator.items() if n > 1]
    problems += [f"receipt {code} given {n} times" for code, n in codes.items() if n > 1]
    problems += [f"operator {o} has a submitted bid it was not told of" for o in set(stored) - set(told)]
    if len(bids) != len(scenario.bidders):
        problems.append(f"{len(bids)} bids on the lot for {len(scenario.bidders)} operators")
    events = {
        int(event.object_id): event
        for event in AuditEvent.objects.filter(
            object_type="procurement.onlinebid", action="online_bid.confirm"
        )
    }
    problems += receipt_problems(submitted, events)
    trail = verify_trail()
    problems += [f"audit trail: {brk}" for brk in trail.breaks]
    return problems


def receipt_problems(submitted, events) -> list[str]:
    """Each submitted bid: its audit event names its receipt and its documents' hashes; its e-mail is queued."""
    from django_tasks_db.models import DBTaskResult

    queued = {
        tuple(task.args_kwargs["args"])
        for task in DBTaskResult.objects.filter(task_path__endswith="send_receipt")
    }
    problems = []
    for bid in submitted:
        event = events.get(bid.pk)
        documents = sorted(document.sha256 for document in bid.documents.all())
        if event is None or event.changes["receipt"][1] != bid.receipt_code:
            problems.append(f"bid {bid.pk}: no audit event with its receipt {bid.receipt_code}")
        elif sorted(row["sha256"] for row in event.changes["documents"][1]) != documents:
            problems.append(f"bid {bid.pk}: the audit event's hashes are not its documents'")
        if len(documents) != 3:
            problems.append(f"bid {bid.pk}: {len(documents)} documents instead of 3")
        if (bid.pk,) not in queued:
            problems.append(f"bid {bid.pk}: its receipt's e-mail was not queued")
    return problems


if __name__ == "__main__":
    sys.exit(main())
