"""Importing calls: the real samples, idempotence, changes detected, bad records and bad files."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone

from casacomuni.accounts.actor import Actor
from casacomuni.audit.models import AuditEvent
from casacomuni.eufunds import services
from casacomuni.eufunds.models import Call, CallChange, CallStatus, ImportRun
from casacomuni.eufunds.testing import SAMPLES, aware, officer, sample

pytestmark = pytest.mark.django_db

SAMPLE_FILES = [
    ("sedia", "sedia_search_page.json", 8, 1, 0),
    ("incentivi", "incentivi_sample.json", 13, 0, 0),
    ("regional", "regional_basilicata.json", 6, 0, 4),
    ("regional", "regional_calabria.json", 6, 0, 4),
    ("regional", "regional_emilia_romagna.json", 18, 0, 0),
    ("regional", "regional_lazio.json", 14, 0, 1),
    ("regional", "regional_sicilia.json", 10, 0, 5),
    ("regional", "regional_trentino.json", 41, 0, 0),
]


@pytest.mark.parametrize(("source", "name", "created", "duplicates", "bad"), SAMPLE_FILES)
def test_each_real_sample_imports_and_again_changes_nothing(world, source, name, created, duplicates, bad):
    actor = officer(world.home)
    first = services.import_calls(actor, source, sample(name), origin=name)
    assert (first.created, first.updated, first.duplicates, first.bad) == (created, 0, duplicates, bad)
    assert len(first.bad_records) == bad and all(r["reason"] for r in first.bad_records)
    hashes = dict(Call.objects.values_list("source_id", "content_hash"))
    again = services.import_calls(actor, source, sample(name), origin=name)
    assert (again.created, again.updated, again.unchanged, again.duplicates) == (0, 0, created, duplicates)
    assert dict(Call.objects.values_list("source_id", "content_hash")) == hashes
    assert not CallChange.objects.exists()
    assert AuditEvent.objects.filter(action="eufunds.calls_imported").count() == 2


def test_status_is_derived_not_taken_from_the_portal(world):
    services.import_calls(
        officer(world.home), "sedia", sample("sedia_search_page.json"), now=aware(2026, 6, 1)
    )
    status = dict(Call.objects.values_list("source_id", "status"))
    # Portal: 31094501 (forthcoming) for a topic closed in 2024.
    assert status["HORIZON-CL2-2024-TRANSFORMATIONS-01-08"] == CallStatus.CLOSED
    # Portal: 31094502 (open); opened 2026-03-03, deadline 2026-09-15.
    assert status["HORIZON-CL3-2026-02-CS-ECCC-01"] == CallStatus.OPEN
    assert status["HORIZON-MISS-2027-05-SOIL-01-two-stage"] == CallStatus.FORTHCOMING


def test_a_moved_deadline_is_detected_and_kept_in_the_history(world):
    actor = officer(world.home)
    data = json.loads(sample("sedia_search_page.json"))
    services.import_calls(actor, "sedia", json.dumps(data).encode())
    call = Call.objects.get(source_id="HORIZON-CL3-2026-02-CS-ECCC-01")
    first_seen = call.first_seen_at
    data["results"][5]["metadata"]["deadlineDate"] = ["2026-10-15T17:00:00.000+0000"]
    later = timezone.now() + timedelta(days=7)
    run = services.import_calls(actor, "sedia", json.dumps(data).encode(), now=later)
    assert (run.created, run.updated, run.unchanged) == (0, 1, 7)
    call.refresh_from_db()
    assert call.deadline.isoformat() == "2026-10-15T17:00:00+00:00"
    assert (call.first_seen_at, call.last_seen_at, call.changed_at) == (first_seen, later, later)
    (change,) = CallChange.objects.filter(call=call)
    assert (change.field, change.old, change.new, change.import_run) == (
        "deadline",
        "15/09/2026 23:59",
        "15/10/2026 19:00",
        run,
    )


def test_a_broken_record_is_skipped_with_its_reason_and_the_rest_imported(world):
    data = json.loads(sample("sedia_search_page.json"))
    data["results"][2]["metadata"]["title"] = []
    del data["results"][2]["summary"]
    data["results"][3]["metadata"] = "garbage"
    run = services.import_calls(officer(world.home), "sedia", json.dumps(data).encode())
    assert (run.created, run.bad) == (6, 2)
    assert run.bad_records[0] == {
        "ref": "HORIZON-CL4-2027-04-DIGITAL-EMERGING-10",
        "reason": "manca il titolo",
    }
    assert run.bad_records[1] == {"ref": "risultato 4", "reason": "mancano i metadati"}


def test_another_identifier_with_the_same_content_is_a_duplicate(world):
    row = {"ID_Incentivo": "1", "Titolo": "Bando", "Data_apertura": "2026-01-01"}
    run = services.import_calls(
        officer(world.home), "incentivi", json.dumps([row, row | {"ID_Incentivo": "2"}]).encode()
    )
    assert (run.created, run.duplicates) == (1, 1)


def test_an_unreadable_file_writes_nothing(world):
    with pytest.raises(services.ImportFileError):
        services.import_calls(officer(world.home), "regional", b"\x00\x01 not json, not csv")
    with pytest.raises(services.ImportFileError):
        services.import_calls(officer(world.home), "sedia", sample("incentivi_sample.json"))
    with pytest.raises(services.ImportFileError):
        services.import_calls(officer(world.home), "incentivi", b"\xef\xbb\xbfID_Incentivo;Titolo\n")
    assert not Call.objects.exists() and not ImportRun.objects.exists()


def test_only_the_catalogues_owners_import(world):
    for persona in ("funzionario_sua", "referente_comune"):
        user = world.acting(persona)
        with pytest.raises(PermissionDenied):
            services.import_calls(Actor(user, user.acting_as), "sedia", sample("sedia_search_page.json"))
    system = Actor.system("scheduled import")
    assert services.import_calls(system, "sedia", sample("sedia_search_page.json")).created == 8
    assert not Call.objects.filter(province__isnull=False).exists()


def test_refresh_status_follows_the_clock(world):
    services.import_calls(
        officer(world.home), "sedia", sample("sedia_search_page.json"), now=aware(2026, 6, 1)
    )
    call = Call.objects.get(source_id="HORIZON-CL3-2026-02-CS-ECCC-01")
    assert call.status == CallStatus.OPEN
    assert services.refresh_status(now=aware(2026, 9, 16)) >= 1
    call.refresh_from_db()
    assert call.status == CallStatus.CLOSED


def test_open_on_uses_the_first_deadline(world):
    services.import_calls(officer(world.home), "sedia", sample("sedia_search_page.json"))
    ids = set(Call.objects.open_on(aware(2027, 5, 1).date()).values_list("source_id", flat=True))
    # The two-stage topic closed its first stage on 2027-04-08: no new applicants after it.
    assert "HORIZON-MISS-2027-05-SOIL-01-two-stage" not in ids
    ids = set(Call.objects.open_on(aware(2027, 4, 8).date()).values_list("source_id", flat=True))
    assert "HORIZON-MISS-2027-05-SOIL-01-two-stage" in ids


def test_import_command_runs_a_file_now(world):
    call_command("import_calls", str(SAMPLES / "regional_trentino.json"), "--source", "regional", "--now")
    assert Call.objects.filter(source="regional").count() == 41
    run = ImportRun.objects.get()
    assert run.organization is None and run.origin.endswith("regional_trentino.json")


def test_live_sedia_needs_a_configured_https_address(settings):
    settings.CASACOMUNI_SEDIA_URL = ""
    with pytest.raises(services.ImportFileError):
        services.fetch_sedia()
    with pytest.raises(services.ImportFileError):
        services.fetch_sedia("http://example.invalid/search")


def test_scheduled_live_import_reads_the_configured_address(world, settings, monkeypatch):
    """The live SEDIA fetch, with urllib replaced: the tests never touch the network."""
    settings.CASACOMUNI_SEDIA_URL = "https://api.tech.ec.europa.eu/search-api/prod/rest/search?apiKey=SEDIA"
    seen = {}

    class Answer:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self, size):
            return sample("sedia_search_page.json")

    def fake_urlopen(request, timeout):
        seen.update(url=request.full_url, method=request.get_method(), timeout=timeout)
        return Answer()

    monkeypatch.setattr(services.urllib.request, "urlopen", fake_urlopen)
    call_command("import_calls", "--source", "sedia", "--url", "--now")
    assert seen == {
        "url": settings.CASACOMUNI_SEDIA_URL,
        "method": "POST",
        "timeout": services.FETCH_TIMEOUT_SECONDS,
    }
    run = ImportRun.objects.get()
    assert (run.created, run.origin) == (8, settings.CASACOMUNI_SEDIA_URL)

    def failing(request, timeout):
        raise TimeoutError("timed out")

    monkeypatch.setattr(services.urllib.request, "urlopen", failing)
    with pytest.raises(CommandError):
        call_command("import_calls", "--source", "sedia", "--url", "--now")
