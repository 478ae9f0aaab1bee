"""The pages: catalogue, call with eligibility, import, criteria, manual calls; roles and query counts."""

from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casacomuni.accounts.testing import make_municipality
from casacomuni.audit.models import AuditEvent
from casacomuni.eufunds import selectors, services
from casacomuni.eufunds.models import Call, CallCriterion, CallSource, ImportRun
from casacomuni.eufunds.rules import eligibility
from casacomuni.eufunds.testing import aware, manual_call_data, officer, sample, under_5000
from casacomuni.territory.models import Municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(world):
    services.import_calls(
        officer(world.home), "sedia", sample("sedia_search_page.json"), now=aware(2026, 6, 1)
    )
    return Call.objects.order_by("pk")


def make_calls(n, start=0, **fields):
    for i in range(start, start + n):
        Call.objects.create(source=CallSource.INCENTIVI, source_id=f"x{i}", title=f"Bando {i}", **fields)


def test_list_shows_the_catalogue_to_office_and_comuni(world, login_as, catalogue):
    for persona in (
        "funzionario_europa",
        "amministratore_provincia",
        "referente_comune",
        "personale_comune",
        "referente_unione",
        "dirigente_upi",
    ):
        response = login_as(persona).get(reverse("eufunds:call_list"))
        assert response.status_code == 200, persona
        assert response.context["page"].paginator.count == 8


def test_list_is_refused_to_other_roles_and_anonymous(client, world, login_as):
    assert client.get(reverse("eufunds:call_list")).status_code == 302
    for persona in ("funzionario_sua", "funzionario_dati", "operatore_economico"):
        assert login_as(persona).get(reverse("eufunds:call_list")).status_code == 403


def test_list_filters(world, login_as, catalogue):
    client = login_as("funzionario_europa")
    page = client.get(reverse("eufunds:call_list"), {"q": "living labs"}).context["page"]
    assert [c.source_id for c in page] == ["HORIZON-MISS-2027-05-SOIL-01-two-stage"]
    closed = client.get(reverse("eufunds:call_list"), {"status": "closed"}).context["page"]
    assert {c.source_id for c in closed} == {
        "HORIZON-CL2-2024-TRANSFORMATIONS-01-08",
        "HORIZON-INFRA-2024-EOSC-01-03",
    }
    programme = client.get(reverse("eufunds:call_list"), {"programme": "Horizon Europe"}).context["page"]
    assert programme.paginator.count == 8
    # With htmx the filters get the results only; the page the whole list otherwise.
    results = client.get(reverse("eufunds:call_list"), {"q": "living labs"}, headers={"HX-Request": "true"})
    content = results.content.decode()
    assert content.lstrip().startswith('<div id="call-results">') and "<html" not in content
    assert "1 bando" in content and "HX-Request" in results["Vary"]
    page = client.get(reverse("eufunds:call_list"), {"q": "living labs"})
    assert 'id="call-filters"' in page.content.decode() and "1 bando" in page.content.decode()
    assert "HX-Request" in page["Vary"]


def test_list_eligible_for_a_comune(world, login_as, catalogue):
    actor = officer(world.home)
    soil = catalogue.get(source_id="HORIZON-MISS-2027-05-SOIL-01-two-stage")
    under_5000(actor, soil)
    capoluogo, borgo = world.home.municipalities[:2]
    client = login_as("funzionario_europa")
    excluded = client.get(reverse("eufunds:call_list"), {"eligible_for": capoluogo.istat_code}).context[
        "page"
    ]
    assert soil.pk not in {c.pk for c in excluded}  # 80,000 inhabitants
    included = client.get(reverse("eufunds:call_list"), {"eligible_for": borgo.istat_code}).context["page"]
    verdicts = {c.pk: c.verdict for c in included}
    assert verdicts[soil.pk] == eligibility.ELIGIBLE
    assert set(verdicts.values()) == {eligibility.ELIGIBLE, eligibility.UNKNOWN}
    # A Comune of another Province is not among the choices: the filter is ignored as invalid.
    other = client.get(
        reverse("eufunds:call_list"), {"eligible_for": world.elsewhere.municipalities[1].istat_code}
    )
    assert not other.context["form"].is_valid()


def test_list_queries_do_not_grow_with_the_calls(world, login_as):
    client = login_as("funzionario_europa")
    make_calls(1, programme="P1")
    client.get(reverse("eufunds:call_list"))  # the session's first save is not the list's
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("eufunds:call_list"))
    make_calls(60, start=1, programme="P2")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("eufunds:call_list"))
    assert len(many) == len(one)


def test_a_provinces_own_call_is_invisible_to_other_provinces(world, login_as):
    call = services.save_manual_call(officer(world.elsewhere), manual_call_data())
    for persona in ("funzionario_europa", "referente_comune"):
        assert login_as(persona).get(reverse("eufunds:call_detail", args=[call.pk])).status_code == 404
    assert login_as("dirigente_upi").get(reverse("eufunds:call_detail", args=[call.pk])).status_code == 200


def test_eligible_list_is_exactly_the_comuni_under_5000(world, login_as):
    """The acceptance example: "Comuni con popolazione inferiore a 5.000 abitanti" (strictly less)."""
    province = world.home.province
    make_municipality(province, "026010", "Soglia", 5000)
    make_municipality(province, "026011", "Quasi", 4999)
    make_municipality(province, "026012", "Senza dati", None)
    actor = officer(world.home)
    call = services.save_manual_call(actor, manual_call_data())
    under_5000(actor, call)
    rows = selectors.province_eligibility(call, province)
    eligible = {r.profile.istat_code for r in rows if r.verdict.outcome == eligibility.ELIGIBLE}
    expected = set(
        Municipality.objects.current()
        .filter(province=province, population__lt=5000)
        .values_list("istat_code", flat=True)
    )
    assert eligible == expected == {"026002", "026003", "026004", "026011"}
    unknown = {r.profile.istat_code for r in rows if r.verdict.outcome == eligibility.UNKNOWN}
    assert unknown == {"026012"}

    page = login_as("funzionario_europa").get(reverse("eufunds:call_detail", args=[call.pk]))
    assert page.status_code == 200
    assert page.context["counts"] == {"eligible": 4, "unknown": 1, "not_eligible": 2}
    assert b'data-istat="026011" data-outcome="eligible"' in page.content


def test_a_comune_sees_only_its_own_row(world, login_as):
    actor = officer(world.home)
    call = services.save_manual_call(actor, manual_call_data())
    under_5000(actor, call)
    rows = login_as("referente_comune").get(reverse("eufunds:call_detail", args=[call.pk])).context["rows"]
    assert [(r.profile.istat_code, r.verdict.outcome) for r in rows] == [("026001", "not_eligible")]


def test_upi_chooses_the_province(world, login_as):
    call = services.save_manual_call(officer(world.home), manual_call_data())
    client = login_as("dirigente_upi")
    assert client.get(reverse("eufunds:call_detail", args=[call.pk])).context["rows"] == []
    rows = client.get(reverse("eufunds:call_detail", args=[call.pk]), {"province": "PD"}).context["rows"]
    assert {r.profile.istat_code for r in rows} == {m.istat_code for m in world.elsewhere.municipalities}


def test_import_page_uploads_and_shows_the_report(world, login_as):
    client = login_as("funzionario_europa")
    upload = SimpleUploadedFile(
        "sedia.json", sample("sedia_search_page.json"), content_type="application/json"
    )
    response = client.post(reverse("eufunds:import_calls"), {"source": "sedia", "file": upload})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("eufunds:import_run", args=[run.pk])
    report = client.get(response.url)
    assert report.status_code == 200 and report.context["run"].created == 8
    assert client.get(reverse("eufunds:import_calls")).context["runs"][0] == run


def test_an_import_reads_in_rome_time_with_no_separator_for_a_missing_origin(world, login_as):
    # 10 December 2026, 11:00 UTC: 12:00 in Rome (CET). A scheduled import has no file name.
    at = datetime(2026, 12, 10, 11, 0, tzinfo=UTC)
    run = services.import_calls(officer(world.home), "sedia", sample("sedia_search_page.json"), now=at)
    page = login_as("funzionario_europa").get(reverse("eufunds:import_run", args=[run.pk])).content.decode()
    assert '<p class="lead">Portale Funding &amp; Tenders dell&#x27;UE · 10/12/2026 12:00</p>' in page
    event = AuditEvent.objects.get(action="eufunds.calls_imported")
    assert event.object_repr.endswith(" 10/12/2026 12:00")  # was "2026-12-10 11:00", in UTC


def test_import_page_refuses_a_bad_file_and_writes_nothing(world, login_as):
    client = login_as("funzionario_europa")
    upload = SimpleUploadedFile("x.json", b"<html>", content_type="application/json")
    response = client.post(reverse("eufunds:import_calls"), {"source": "sedia", "file": upload})
    assert response.status_code == 400 and "file" in response.context["form"].errors
    assert not ImportRun.objects.exists()


def test_import_page_is_the_catalogues_owners_only(world, login_as):
    for persona in ("referente_comune", "funzionario_sua"):
        assert login_as(persona).get(reverse("eufunds:import_calls")).status_code == 403
    # UPI imports into the national catalogue.
    assert login_as("dirigente_upi").get(reverse("eufunds:import_calls")).status_code == 200
    run = services.import_calls(officer(world.elsewhere), "sedia", sample("sedia_search_page.json"))
    assert login_as("funzionario_europa").get(reverse("eufunds:import_run", args=[run.pk])).status_code == 404


def test_officer_annotates_a_population_criterion(world, login_as, catalogue):
    call = catalogue.first()
    client = login_as("funzionario_europa")
    url = reverse("eufunds:criterion_create", args=[call.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"kind": "population_max", "limit": "5000", "excerpt": "Comuni < 5.000 abitanti"}
    )
    assert response.status_code == 302
    criterion = CallCriterion.objects.get()
    assert criterion.value == {"limit": 5000, "inclusive": False}
    assert criterion.annotated_by == world.home.province_org
    edit = client.post(
        reverse("eufunds:criterion_edit", args=[criterion.pk]),
        {"kind": "population_max", "limit": "5000", "inclusive": "on", "excerpt": "fino a 5.000 abitanti"},
    )
    assert edit.status_code == 302
    criterion.refresh_from_db()
    assert criterion.value == {"limit": 5000, "inclusive": True}
    assert client.post(reverse("eufunds:criterion_delete", args=[criterion.pk])).status_code == 302
    assert not CallCriterion.objects.exists()


def test_criterion_form_errors(world, login_as, catalogue):
    call = catalogue.first()
    client = login_as("funzionario_europa")
    url = reverse("eufunds:criterion_create", args=[call.pk])
    cases = [
        ({"kind": "population_max", "excerpt": "x"}, "limit"),
        ({"kind": "provinces", "codes": "TV ZZ", "excerpt": "x"}, "codes"),
        ({"kind": "named_comuni", "codes": "999999", "excerpt": "x"}, "codes"),
        ({"kind": "regions", "codes": "Atlantide", "excerpt": "x"}, "codes"),
        ({"kind": "entity_type", "excerpt": "x"}, "types"),
        ({"kind": "population_max", "limit": "5000", "excerpt": ""}, "excerpt"),
    ]
    for data, field in cases:
        response = client.post(url, data)
        assert response.status_code == 400 and field in response.context["form"].errors, data
    assert not CallCriterion.objects.exists()
    ok = client.post(url, {"kind": "regions", "codes": "Veneto, 05", "excerpt": "Regione del Veneto"})
    assert ok.status_code == 302
    assert CallCriterion.objects.get().value == {"codes": ["05"]}


def test_comuni_may_not_annotate_and_others_criteria_are_404(world, login_as, catalogue):
    call = catalogue.first()
    assert (
        login_as("referente_comune").get(reverse("eufunds:criterion_create", args=[call.pk])).status_code
        == 403
    )
    foreign_call = services.save_manual_call(officer(world.elsewhere), manual_call_data())
    foreign = under_5000(officer(world.elsewhere), foreign_call)
    client = login_as("funzionario_europa")
    assert client.get(reverse("eufunds:criterion_edit", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("eufunds:criterion_delete", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("eufunds:criterion_create", args=[foreign_call.pk])).status_code == 404


def test_manual_call_form(world, login_as):
    client = login_as("funzionario_europa")
    data = {
        "title": "Bando PNRR asili nido",
        "programme": "PNRR M4C1",
        "opens_on": "2026-01-10",
        "deadline": "2026-12-31T12:00",
        "max_contribution": "250000",
    }
    response = client.post(reverse("eufunds:call_create"), data)
    call = Call.objects.get()
    assert response.status_code == 302 and call.source == CallSource.MANUAL
    assert call.province == world.home.province
    bad = client.post(reverse("eufunds:call_edit", args=[call.pk]), data | {"opens_on": "2027-01-10"})
    assert bad.status_code == 400
    moved = client.post(reverse("eufunds:call_edit", args=[call.pk]), data | {"deadline": "2027-01-31T12:00"})
    assert moved.status_code == 302
    assert call.changes.get().field == "deadline"
    page = client.get(reverse("eufunds:call_detail", args=[call.pk]))
    assert b'data-field="deadline"' in page.content
    neither = client.post(reverse("eufunds:call_create"), {"title": "Senza date"})
    assert neither.status_code == 400
    assert login_as("referente_comune").get(reverse("eufunds:call_create")).status_code == 403


def test_imported_calls_are_not_editable_as_manual(world, login_as, catalogue):
    assert (
        login_as("funzionario_europa")
        .get(reverse("eufunds:call_edit", args=[catalogue.first().pk]))
        .status_code
        == 404
    )
