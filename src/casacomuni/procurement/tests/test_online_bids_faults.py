"""A server killed in the middle of an upload or a submission leaves either a complete bid with its receipt or
no bid, never half of one (issue 13, "Load and faults").

The production WSGI server (gunicorn) runs in another process on the test database. Each test sends it one
operator's request and kills the worker process handling it with SIGKILL while the request is at a chosen
point; the master, which only supervises, forks a new worker for the next test (the platform is loaded once,
``--preload``). The platform has no hook for this: the test puts a trigger on a table, which holds the
server's transaction at that point. On PostgreSQL the trigger waits for an advisory lock the test holds, and
once the worker is dead the test ends its database session, as the death of the server's host would; on
SQLite, which has no lock to wait for, the trigger calls a function that the gunicorn configuration written
here registers in the worker's connections (it marks that the point was reached, then sleeps). On SQLite the
server works on a file copy of the in-memory test database, copied back after the kill.

Then the database must hold, whatever the point: a submitted bid with its receipt code and its audit event,
or a bid still in preparation with neither; every sealed document's row with its whole file, and nothing of
an upload that did not finish; an audit trail that verifies.
"""

import io
import os
import signal
import socket
import sqlite3
import string
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils.crypto import get_random_string
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader, PdfWriter

from casacomuni.accounts.testing import session_key_for
from casacomuni.audit.models import AuditEvent
from casacomuni.audit.verification import verify_trail
from casacomuni.lib import sealing
from casacomuni.lib.pdf import act_pdf
from casacomuni.procurement.bidding import services as bidding
from casacomuni.procurement.bidding.models import OnlineBid, OnlineBidState, SealedDocument
from casacomuni.procurement.bidding.testing import (
    open_procedure_with_invitations,
    operator_actor,
    submit_bid,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.server]

# The sealing keys of the server and of the test, which reads what the server sealed.
KEK = sealing.generate_kek_setting("kill")
# The advisory lock the PostgreSQL trigger waits for (a number no other code uses).
KILL_LOCK = 1_302_013
# Larger than FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): Django spools the upload to a temporary file.
UPLOAD_BYTES = 3 * 1024 * 1024


@dataclass(frozen=True)
class KillPoint:
    """Where the worker is killed: in the statement ``event`` on ``model``'s table, when ``condition``."""

    model: type
    event: str
    condition: str = ""

    @property
    def table(self) -> str:
        return self.model._meta.db_table


BEFORE_MARKED_SUBMITTED = KillPoint(OnlineBid, "UPDATE", "NEW.state = 'confirmed'")
BEFORE_AUDIT_EVENT = KillPoint(AuditEvent, "INSERT", "NEW.action = 'online_bid.confirm'")
RECEIPT_QUEUED = KillPoint(
    DBTaskResult, "INSERT"
)  # the receipt's e-mail, queued in the submission's transaction
SEALED_FILE_WRITTEN = KillPoint(SealedDocument, "UPDATE")  # the file is on disk, its row not yet committed

# gunicorn's configuration for the test's server: each worker writes its process id where the test reads it
# and, on SQLite, gives each connection the function the trigger calls.
GUNICORN_CONFIG = """
def post_worker_init(worker):
    import os, pathlib, time
    from django.db.backends.signals import connection_created

    def pause():
        pathlib.Path({marker!r}).touch()
        time.sleep(600)

    def register(sender, connection, **kwargs):
        if connection.vendor == "sqlite":
            connection.connection.create_function("cdc_kill_point", 0, pause)

    connection_created.connect(register, weak=False)
    pathlib.Path({pid_file!r}).write_text(str(os.getpid()))
"""


class Database:
    """The test database as the server reaches it from its process, and the kill points on it."""

    def __init__(self, folder: Path):
        self.marker = folder / "kill-point-reached"
        self.file = folder / "server.sqlite3"
        self.sqlite = connection.vendor == "sqlite"

    def url(self) -> str:
        if self.sqlite:
            return f"sqlite:///{self.file}"
        db = connection.settings_dict
        return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"

    def hand_over(self, point: KillPoint | None) -> None:
        """Everything the test wrote, for the server; with the trigger of ``point``."""
        self.marker.unlink(missing_ok=True)
        if self.sqlite:
            for path in self.file.parent.glob(f"{self.file.name}*"):
                path.unlink()
            connection.ensure_connection()
            with sqlite3.connect(self.file) as target:
                connection.connection.backup(target)
                if point:
                    when = f"WHEN {point.condition}" if point.condition else ""
                    target.execute(
                        f"CREATE TRIGGER cdc_kill_point BEFORE {point.event} ON {point.table} {when} "
                        "BEGIN SELECT cdc_kill_point(); END"
                    )
            return
        if point:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [KILL_LOCK])
                cursor.execute(
                    "CREATE FUNCTION cdc_kill_point() RETURNS trigger LANGUAGE plpgsql AS "
                    f"$$ BEGIN PERFORM pg_advisory_xact_lock({KILL_LOCK}); RETURN NEW; END $$"
                )
                when = f"WHEN ({point.condition})" if point.condition else ""
                cursor.execute(
                    f"CREATE TRIGGER cdc_kill_point BEFORE {point.event} ON {point.table} FOR EACH ROW "
                    f"{when} EXECUTE FUNCTION cdc_kill_point()"
                )

    def wait_for_kill_point(self, server: "Server") -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert server.running(), "the server stopped before the kill point"
            if self.marker.exists() if self.sqlite else self._waiting_for_the_lock():
                return
            time.sleep(0.05)
        pytest.fail("the server never reached the kill point")

    def _waiting_for_the_lock(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = %s",
                [KILL_LOCK],
            )
            return cursor.fetchone()[0] > 0

    def take_back(self, point: KillPoint | None) -> None:
        """After the kill: the dead worker's transaction is gone, the trigger dropped, and what the server
        committed is what the test reads."""
        if self.sqlite:
            with sqlite3.connect(self.file) as source:
                source.execute("DROP TRIGGER IF EXISTS cdc_kill_point")
                source.commit()
                source.backup(connection.connection)
            return
        with connection.cursor() as cursor:
            # The dead worker's session, still waiting in the trigger, ends as the worker's death ends it.
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            wait_until_alone(cursor)
            if point:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [KILL_LOCK])
                cursor.execute(f"DROP TRIGGER cdc_kill_point ON {point.table}")
                cursor.execute("DROP FUNCTION cdc_kill_point()")


def wait_until_alone(cursor) -> None:
    for _attempt in range(200):
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        if cursor.fetchone()[0] == 0:
            return
        time.sleep(0.05)
    pytest.fail("the killed worker's database session did not end")


class Server:
    """gunicorn serving the platform from another process, on a free port, on ``database``: one worker,
    which the test kills; the master forks the next one."""

    def __init__(self, database: Database, folder: Path):
        self.database = database
        self.media, self.temporary = folder / "media", folder / "tmp"
        self.pid_file = folder / "worker.pid"
        self.config, self.log_path = folder / "gunicorn.conf.py", folder / "gunicorn.log"
        self.port = free_port()

    def start(self) -> None:
        self.temporary.mkdir()
        self.config.write_text(
            GUNICORN_CONFIG.format(marker=str(self.database.marker), pid_file=str(self.pid_file))
        )
        environment = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"} | {
            "DJANGO_SETTINGS_MODULE": "casacomuni.settings",
            "DATABASE_URL": self.database.url(),
            "CASACOMUNI_DATA_DIR": str(self.media.parent / "data"),
            "MEDIA_ROOT": str(self.media),
            "SECRET_KEY": settings.SECRET_KEY,
            "CASACOMUNI_SEALING_KEYS": KEK,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            # Where Django spools an upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE while it arrives.
            "TMPDIR": str(self.temporary),
        }
        command = [sys.executable, "-m", "gunicorn", "casacomuni.wsgi", "--config", str(self.config)]
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "2"]
        command += ["--preload", "--no-control-socket"]
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command, env=environment, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def running(self) -> bool:
        return self.process.poll() is None

    def wait_for_a_worker(self) -> int:
        """The id of the worker ready to serve (after a kill, the master's new one)."""
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.running(), self.log_path.read_text()
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as probe:
                    probe.sendall(b"GET /account/login/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                    if probe.recv(16).split(b" ")[1:2] == [b"200"]:
                        return int(self.pid_file.read_text())
            except OSError:
                pass
            time.sleep(0.1)
        pytest.fail(f"gunicorn did not serve:\n{self.log_path.read_text()}")

    def send(self, request: bytes) -> socket.socket:
        """Send ``request`` (or its beginning) and leave the connection open, its answer unread."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        sock.sendall(request)
        return sock

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.log.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory):
    """One server for the module, on the test database (its name is known once the database is set up)."""
    folder = tmp_path_factory.mktemp("killed-server")
    running = Server(Database(folder), folder)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def media(settings, server):
    """The test reads and writes the files where the server does, with the server's sealing keys."""
    settings.MEDIA_ROOT = server.media
    settings.CASACOMUNI_SEALING_KEYS = [KEK]
    for leftover in server.temporary.iterdir():
        leftover.unlink()
    return server.media


@dataclass
class Operator:
    """An operator's representative as a client of the real server: its session, and its bid on ``lot``."""

    session: str
    csrf: str
    bid: OnlineBid

    def post(self, server: Server, action: str, body: bytes = b"", content_type: str = "") -> bytes:
        lot = self.bid.lot
        path = reverse("procurement:online_bid_action", args=[lot.procedure_id, lot.pk, action])
        head = [
            f"POST {path} HTTP/1.1",
            f"Host: 127.0.0.1:{server.port}",
            f"Cookie: sessionid={self.session}; csrftoken={self.csrf}",
            f"X-CSRFToken: {self.csrf}",
            f"Content-Type: {content_type or 'application/x-www-form-urlencoded'}",
            f"Content-Length: {len(body)}",
            "Connection: close",
        ]
        return ("\r\n".join(head) + "\r\n\r\n").encode() + body


@pytest.fixture
def operator(world, media) -> Operator:
    """The world's operator with a complete bid in preparation (ESPD, declarations, economic offer)."""
    _procedure, lot = open_procedure_with_invitations(world.home, world, world.operator)
    bid = submit_bid(world.operator, lot, confirm=False)
    membership = operator_actor(world.operator).membership
    csrf = get_random_string(32, string.ascii_letters + string.digits)
    return Operator(session_key_for(membership), csrf, bid)


def kill_during(server: Server, point: KillPoint | None, request: bytes, partial: bool = False) -> None:
    """Send ``request`` (only its first half if ``partial``) and kill the worker once the request has reached
    ``point`` (with no point: half a second after sending); then take the database back."""
    server.database.hand_over(point)
    try:
        worker = server.wait_for_a_worker()
        with server.send(request[: len(request) // 2] if partial else request):
            if point:
                server.database.wait_for_kill_point(server)
            else:
                time.sleep(0.5)
            os.kill(worker, signal.SIGKILL)
    finally:
        server.database.take_back(point)


def upload_request(operator: Operator, server: Server) -> bytes:
    """The guarantee, a PDF of about 3 MB (a scan: it does not compress), uploaded into envelope A."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(act_pdf(["Garanzia provvisoria"]))))
    writer.add_attachment("scansione.bin", os.urandom(UPLOAD_BYTES))
    pdf = io.BytesIO()
    writer.write(pdf)
    boundary = uuid.uuid4().hex
    fields = {"csrfmiddlewaretoken": operator.csrf, "document": "A:guarantee"}
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="garanzia.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + pdf.getvalue()
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return operator.post(server, "documento", body, f"multipart/form-data; boundary={boundary}")


# --- What must hold after any kill --------------------------------------------------------------------------


def assert_never_half_a_bid(media: Path) -> None:
    """Every bid submitted with its receipt and audit event, or in preparation with neither; every sealed
    document whole; no partial file anywhere; the audit trail intact."""
    for bid in OnlineBid.objects.all():
        events = AuditEvent.objects.filter(
            object_type="procurement.onlinebid", object_id=str(bid.pk), action="online_bid.confirm"
        )
        if bid.state == OnlineBidState.CONFIRMED:
            assert bid.receipt_code and bid.confirmed_at
            assert [event.changes["receipt"][1] for event in events] == [bid.receipt_code]
        else:
            assert bid.state == OnlineBidState.DRAFT
            assert bid.receipt_code is None and bid.confirmed_at is None and not events.exists()
    for document in SealedDocument.objects.select_related("bid__lot"):
        assert document.sealed_file.storage.exists(document.sealed_file.name)
        bidding._unseal(document)  # the whole file, matching the SHA-256 the receipt prints
    for path in media.rglob("*"):
        assert not path.name.startswith(".upload-"), f"a partial file was left: {path}"
    for path in (media / "sealed").rglob("*.sealed"):
        sealing.SealedEnvelope.from_bytes(path.read_bytes())  # complete, or this raises
    assert not verify_trail().breaks


# --- The submission -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "point",
    [BEFORE_MARKED_SUBMITTED, BEFORE_AUDIT_EVENT],
    ids=["before-the-bid-is-marked-submitted", "before-its-audit-event"],
)
def test_a_server_killed_while_a_bid_is_submitted_leaves_it_in_preparation_without_a_receipt(
    server, operator, media, point
):
    kill_during(server, point, operator.post(server, "conferma"))
    bid = operator.bid
    bid.refresh_from_db()
    assert bid.state == OnlineBidState.DRAFT and bid.receipt_code is None
    assert sorted(bid.documents.values_list("kind", flat=True)) == ["declaration", "economic_offer", "espd"]
    assert_never_half_a_bid(media)


def test_a_server_killed_while_the_receipt_is_queued_leaves_no_bid_and_no_receipt(server, operator, media):
    """The receipt's e-mail is queued in the submission's own transaction (the tasks' database backend): a
    worker killed there leaves neither a submitted bid without its e-mail nor an e-mail for no bid."""
    kill_during(server, RECEIPT_QUEUED, operator.post(server, "conferma"))
    bid = operator.bid
    bid.refresh_from_db()
    assert bid.state == OnlineBidState.DRAFT and bid.receipt_code is None
    assert not DBTaskResult.objects.filter(task_path__endswith="send_receipt").exists()
    assert_never_half_a_bid(media)


def test_a_submission_has_its_receipt_queued_in_its_own_transaction(operator):
    """Without a kill: the bid is submitted with its receipt code and its e-mail queued, in one commit."""
    bid = bidding.confirm_bid(operator_actor(operator.bid.operator), operator.bid)
    assert bid.state == OnlineBidState.CONFIRMED and bid.receipt_code.startswith("CDC-")
    assert DBTaskResult.objects.filter(
        task_path__endswith="send_receipt", args_kwargs__args=[bid.pk]
    ).exists()


# --- The upload ---------------------------------------------------------------------------------------------


def test_a_server_killed_while_a_file_is_arriving_seals_nothing(server, operator, media):
    before = set(operator.bid.documents.values_list("pk", flat=True))
    events = AuditEvent.objects.filter(action="online_bid.document").count()
    kill_during(server, None, upload_request(operator, server), partial=True)
    assert set(operator.bid.documents.values_list("pk", flat=True)) == before
    assert AuditEvent.objects.filter(action="online_bid.document").count() == events
    assert_never_half_a_bid(media)


def test_a_server_killed_after_the_sealed_file_is_written_leaves_no_row_for_it(server, operator, media):
    before = set(operator.bid.documents.values_list("pk", flat=True))
    kill_during(server, SEALED_FILE_WRITTEN, upload_request(operator, server))
    assert set(operator.bid.documents.values_list("pk", flat=True)) == before
    assert not SealedDocument.objects.filter(kind="guarantee").exists()
    assert_never_half_a_bid(media)


def test_a_server_killed_while_a_file_is_arriving_leaves_no_copy_of_it_in_clear(server, operator, media):
    kill_during(server, None, upload_request(operator, server), partial=True)
    assert list(server.temporary.iterdir()) == []
