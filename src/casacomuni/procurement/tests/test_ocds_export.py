"""OCDS 1.1 publication of the SUA procedures: packages valid against the schema with the lots and bids
extensions (merged as JSON Merge Patch, RFC 7386, resolved locally), stable ids, no personal data, constant
query count, parameters checked."""

import copy
import json
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from casacomuni.procurement.ocds import export as ocds_export
from casacomuni.procurement.procedures.models import BidStatus, Evaluation, EvaluationMethod, ProcedureState
from casacomuni.procurement.procedures.testing import VALID_VAT_NUMBERS, write_procedure

pytestmark = pytest.mark.django_db

SCHEMA_DIR = Path(ocds_export.__file__).resolve().parents[1] / "data" / "ocds"
RELEASE_ID = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
# RFC 3339 date-time (jsonschema's own check needs a package the project does not install).
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PERSONAL_FISCAL_CODE = re.compile(r"[A-Z]{6}\d{2}[A-EHLMPRST]\d{2}[A-Z]\d{3}[A-Z]", re.IGNORECASE)


def load(name: str) -> dict:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def merge_patch(target, patch):
    """RFC 7386 JSON Merge Patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def extended_release_schema() -> dict:
    schema = load("release-schema.json")
    for extension in ("lots", "bids"):
        schema = merge_patch(schema, load(f"extensions/{extension}/release-schema.json"))
    return schema


FORMATS = FormatChecker()


@FORMATS.checks("date-time")
def is_date_time(value) -> bool:
    return not isinstance(value, str) or bool(DATE_TIME.match(value))


@FORMATS.checks("uri")
def is_uri(value) -> bool:
    return not isinstance(value, str) or bool(urlsplit(value).scheme)


def validator(package_schema: str) -> Draft4Validator:
    release = Resource.from_contents(extended_release_schema(), default_specification=DRAFT4)
    registry = Registry().with_resource(RELEASE_ID, release)
    return Draft4Validator(load(package_schema), registry=registry, format_checker=FORMATS)


def assert_valid(package: dict, package_schema: str) -> None:
    errors = sorted(validator(package_schema).iter_errors(package), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:10]]


def assert_no_personal_data(package: dict) -> None:
    text = json.dumps(package, ensure_ascii=False)
    assert not EMAIL.search(text), EMAIL.search(text).group()
    assert not PERSONAL_FISCAL_CODE.search(text), PERSONAL_FISCAL_CODE.search(text).group()
    assert "Mario Rossi" not in text  # the RUP
    assert "Documentazione incompleta" not in text  # reasons of exclusion


@pytest.fixture
def operators(world):
    world.operator.fiscal_code = VALID_VAT_NUMBERS[0]
    world.operator.pec = "alfa@pec.example.test"
    world.operator.save()
    # A sole trader: a person's codice fiscale, never published.
    world.other_operator.fiscal_code = "RSSMRA80A01H501U"
    world.other_operator.save()
    world.home.province_org.fiscal_code = VALID_VAT_NUMBERS[1]
    world.home.province_org.save()
    return world


def get_json(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_schema_merge_adds_lots_and_bids():
    schema = extended_release_schema()
    assert "bids" in schema["properties"]
    assert "lots" in schema["definitions"]["Tender"]["properties"]
    assert "relatedLot" in schema["definitions"]["Item"]["properties"]
    # The core stays: the merge patched, it did not replace.
    assert "procuringEntity" in schema["definitions"]["Tender"]["properties"]


def test_invalid_package_is_refused_by_the_validator():
    """The validation can fail: a release without its required fields, a wrong code, a bad date."""
    bad = {
        "uri": "http://x.test/p.json",
        "version": "1.1",
        "publishedDate": "yesterday",
        "publisher": {"name": "X"},
        "releases": [{"ocid": "ocds-x-1", "tender": {"procurementMethod": "negoziata"}}],
    }
    messages = [error.message for error in validator("release-package-schema.json").iter_errors(bad)]
    assert any("'id' is a required property" in message for message in messages)
    assert any("negoziata" in message for message in messages)
    assert any("yesterday" in message for message in messages)


def test_release_package_of_every_outcome_validates(client, operators):
    world = operators
    signed = write_procedure(
        world.home,
        world,
        ProcedureState.CONTRACT_SIGNED,
        parties=[world.home.comune, world.home.sibling_comune],
    )
    lot = signed.lots.order_by("number").first()
    Evaluation.objects.filter(lot=lot).update(
        method=EvaluationMethod.ANOMALY_A,
        result={"winner": str(world.operator.pk), "excluded": [{"operator": str(world.other_operator.pk)}]},
    )
    lot.bids.filter(operator=world.other_operator).update(status=BidStatus.ANOMALOUS)
    for state in (
        ProcedureState.PUBLISHED,
        ProcedureState.EVALUATION,
        ProcedureState.AWARDED,
        ProcedureState.CANCELLED,
        ProcedureState.DESERTED,
    ):
        write_procedure(world.home, world, state)
    write_procedure(world.home, world, ProcedureState.DRAFT)  # never published
    write_procedure(world.elsewhere, world, ProcedureState.CONTRACT_SIGNED)  # open data: every Province

    package = get_json(client, reverse("ocds:releases"))
    assert_valid(package, "release-package-schema.json")
    assert_no_personal_data(package)
    assert package["license"] == ocds_export.LICENSE_URL
    assert package["publicationPolicy"].endswith(reverse("ocds:policy"))
    ids = [release["id"] for release in package["releases"]]
    assert len(ids) == len(set(ids))
    # 7 published procedures: 7 tenders; awards for 3 (2 signed, 1 awarded); contracts for 2; 1 each closed.
    tags = [release["tag"][0] for release in package["releases"]]
    assert tags.count("tender") == 7
    assert tags.count("award") == 3
    assert tags.count("contract") == 2
    assert tags.count("tenderCancellation") == 1
    assert tags.count("tenderUpdate") == 1
    dates = [release["date"] for release in package["releases"]]
    assert dates == sorted(dates)

    award = next(r for r in package["releases"] if r["id"] == f"{signed.ocid}-award")
    cigs = [lot.cig for lot in signed.lots.order_by("number")]
    assert [entry["id"] for entry in award["tender"]["lots"]] == cigs
    assert award["tender"]["procuringEntity"]["id"] == f"IT-CF-{VALID_VAT_NUMBERS[1]}"
    assert award["tender"]["procurementMethod"] == "limited"
    assert award["tender"]["mainProcurementCategory"] == "works"
    assert award["tender"]["awardCriteria"] == "priceOnly"
    assert award["tender"]["numberOfTenderers"] == 2
    assert award["buyer"]["name"] == world.home.comune.name
    roles = {p["name"]: set(p["roles"]) for p in award["parties"]}
    assert roles[world.home.comune.name] == {"buyer"}
    assert roles[world.home.sibling_comune.name] == {"buyer"}
    assert roles[world.home.province_org.name] == {"procuringEntity"}
    assert roles[world.operator.name] == {"tenderer", "supplier"}
    assert roles[world.other_operator.name] == {"tenderer"}
    sole_trader = next(p for p in award["parties"] if p["name"] == world.other_operator.name)
    assert "identifier" not in sole_trader
    assert [a["relatedLots"] for a in award["awards"]] == [[cig] for cig in cigs]
    assert award["awards"][0]["value"] == {"amount": 175000.0, "currency": "EUR"}  # 200,000 less 12.5%
    statistics = {(s["relatedLot"], s["measure"]): s["value"] for s in award["bids"]["statistics"]}
    assert statistics[(cigs[0], "bids")] == 2
    assert statistics[(cigs[0], "validBids")] == 1  # the anomalous bid is not valid (art. 54 c.1)
    assert statistics[(cigs[0], "tendersAbnormallyLow")] == 1
    assert statistics[(cigs[1], "validBids")] == 2
    assert (cigs[1], "tendersAbnormallyLow") not in statistics  # evaluated without the threshold
    assert statistics[(cigs[0], "lowestValidBidValue")] == 175000.0
    assert "awards" not in next(r for r in package["releases"] if r["id"] == f"{signed.ocid}-tender")
    assert "bids" not in next(r for r in package["releases"] if r["id"] == f"{signed.ocid}-tender")


def test_cancelled_and_deserted_statuses(client, operators):
    world = operators
    cancelled = write_procedure(world.home, world, ProcedureState.CANCELLED)
    deserted = write_procedure(world.home, world, ProcedureState.DESERTED)
    releases = {r["id"]: r for r in get_json(client, reverse("ocds:releases"))["releases"]}
    assert releases[f"{cancelled.ocid}-cancellation"]["tender"]["status"] == "cancelled"
    assert releases[f"{cancelled.ocid}-cancellation"]["tag"] == ["tenderCancellation"]
    assert releases[f"{deserted.ocid}-unsuccessful"]["tender"]["status"] == "unsuccessful"
    assert releases[f"{deserted.ocid}-unsuccessful"]["tender"]["lots"][0]["status"] == "unsuccessful"
    assert releases[f"{cancelled.ocid}-tender"]["tender"]["status"] == "active"


def test_record_package_validates_and_compiles(client, operators):
    world = operators
    procedure = write_procedure(world.home, world, ProcedureState.CONTRACT_SIGNED)
    url = reverse("ocds:record", kwargs={"ocid": procedure.ocid})
    package = get_json(client, url)
    assert_valid(package, "record-package-schema.json")
    assert_no_personal_data(package)
    record = package["records"][0]
    assert record["ocid"] == procedure.ocid
    assert [r["tag"] for r in record["releases"]] == [["tender"], ["award"], ["contract"]]
    compiled = record["compiledRelease"]
    assert compiled["tag"] == ["compiled"]
    assert compiled["tender"]["status"] == "complete"
    assert len(compiled["contracts"]) == 1 and len(compiled["awards"]) == 1
    assert compiled["contracts"][0]["awardID"] == compiled["awards"][0]["id"]
    # Parties merged by id: the operators of the award joined the Province and the Comune of the tender.
    assert len(compiled["parties"]) == 4
    # Stable: the same ocid and release ids on the next read.
    assert get_json(client, url)["records"][0]["releases"] == record["releases"]


def test_record_of_draft_or_unknown_is_a_json_404(client, world, settings):
    """An API answers in JSON even when nothing is found: problem+json (RFC 9457), never an HTML page."""
    draft = write_procedure(world.home, world, ProcedureState.DRAFT)
    assert draft.ocid is None
    for ocid in (f"{settings.CASACOMUNI_OCDS_PREFIX}-{draft.pk}", "ocds-nothing-1"):
        response = client.get(reverse("ocds:record", kwargs={"ocid": ocid}))
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 404 and ocid in response.json()["detail"]


def test_ocid_is_stable_and_prefixed(world, settings):
    procedure = write_procedure(world.home, world, ProcedureState.PUBLISHED)
    assert procedure.ocid == f"{settings.CASACOMUNI_OCDS_PREFIX}-{procedure.pk}"
    procedure.refresh_from_db()
    release = ocds_export.build_release(
        ocds_export.procedures_for_export(type(procedure).objects.filter(pk=procedure.pk)).get(),
        ocds_export.KIND_BY_CODE["tender"],
    )
    assert release["ocid"] == procedure.ocid and release["id"] == f"{procedure.ocid}-tender"


def test_since_until_filter_on_release_date(client, operators):
    world = operators
    now = timezone.now()
    old = write_procedure(world.home, world, ProcedureState.PUBLISHED, published_at=now - timedelta(days=400))
    recent = write_procedure(
        world.home, world, ProcedureState.PUBLISHED, published_at=now - timedelta(days=3)
    )
    # Dates are the platform's (Europe/Rome): in UTC, between 23:00 and midnight, they would name the day before.
    since = timezone.localdate(now - timedelta(days=10)).isoformat()
    ids = [r["id"] for r in get_json(client, reverse("ocds:releases"), since=since)["releases"]]
    assert ids == [f"{recent.ocid}-tender"]
    until = timezone.localdate(now - timedelta(days=400)).isoformat()  # a date: the whole day included
    ids = [r["id"] for r in get_json(client, reverse("ocds:releases"), until=until)["releases"]]
    assert ids == [f"{old.ocid}-tender"]


@pytest.mark.parametrize(
    "params",
    [
        {"page": "0"},
        {"page": "due"},
        {"since": "ieri"},
        {"until": "2026-13-01"},
        {"since": "2026-02-01", "until": "2026-01-01"},
    ],
)
def test_bad_parameters_are_400_problems(client, params):
    response = client.get(reverse("ocds:releases"), params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 400


def test_pagination_links_next(client, operators, monkeypatch):
    world = operators
    monkeypatch.setattr(ocds_export, "PAGE_SIZE", 2)
    for _ in range(3):
        write_procedure(world.home, world, ProcedureState.PUBLISHED)
    first = get_json(client, reverse("ocds:releases"), since="2000-01-01")
    assert len(first["releases"]) == 2
    assert "page=2" in first["links"]["next"] and "since=2000-01-01" in first["links"]["next"]
    second = client.get(first["links"]["next"]).json()
    assert len(second["releases"]) == 1 and "links" not in second
    assert {r["id"] for r in first["releases"]}.isdisjoint({r["id"] for r in second["releases"]})


def test_empty_page_is_an_empty_package(client):
    package = get_json(client, reverse("ocds:releases"), page="5")
    assert package["releases"] == []


def test_constant_query_count(client, operators):
    world = operators
    write_procedure(world.home, world, ProcedureState.CONTRACT_SIGNED)
    with CaptureQueriesContext(connection) as few:
        get_json(client, reverse("ocds:releases"))
    for _ in range(4):
        write_procedure(
            world.home,
            world,
            ProcedureState.CONTRACT_SIGNED,
            parties=[world.home.comune, world.home.sibling_comune],
        )
    with CaptureQueriesContext(connection) as many:
        assert len(get_json(client, reverse("ocds:releases"))["releases"]) == 15
    assert len(many) == len(few)
    procedure = write_procedure(world.home, world, ProcedureState.CONTRACT_SIGNED)
    with CaptureQueriesContext(connection) as record:
        get_json(client, reverse("ocds:record", kwargs={"ocid": procedure.ocid}))
    assert len(record) <= len(few)


def test_policy_page_is_public(client):
    response = client.get(reverse("ocds:policy"))
    assert response.status_code == 200
    assert b'id="ocds-releases-link"' in response.content


def test_procurement_method_mapping_covers_every_procedure_type():
    from casacomuni.procurement.procedures.models import ProcedureType

    methods = {"open", "selective", "limited", "direct"}
    assert set(ocds_export.PROCUREMENT_METHODS) == set(ProcedureType.values)
    assert {method for method, _details in ocds_export.PROCUREMENT_METHODS.values()} <= methods


def test_demo_history_is_rerunnable_and_publishes_valid_ocds(client, operators):
    from casacomuni.demo.procurement_history import PLANS, DemoProcurementHistory
    from casacomuni.procurement.procedures.models import Procedure

    DemoProcurementHistory().build(["TV", "PD"])
    assert Procedure.objects.filter(province=operators.home.province_org).count() == len(PLANS)
    assert Procedure.objects.filter(province=operators.elsewhere.province_org).count() == len(PLANS)
    DemoProcurementHistory().build(["TV", "PD"])
    assert Procedure.objects.count() == 2 * len(PLANS)
    package = get_json(client, reverse("ocds:releases"))
    assert_valid(package, "release-package-schema.json")
    assert_no_personal_data(package)
    # 16 tenders, awards of 12 (10 signed + 2 awarded), 10 contract releases, 2 cancellations, 2 deserted.
    assert len(package["releases"]) == 16 + 12 + 10 + 2 + 2


def test_procedure_run_through_the_services_publishes_valid_ocds(client, world):
    """The whole workflow (procedures.services: publish, 5 bids, anomaly evaluation, award, contract)."""
    from casacomuni.procurement.testing import make_procedure as run_procedure

    procedure = run_procedure(world.home, world, state="contract_signed")
    package = get_json(client, reverse("ocds:record", kwargs={"ocid": procedure.ocid}))
    assert_valid(package, "record-package-schema.json")
    assert_no_personal_data(package)
    record = package["records"][0]
    assert [r["tag"] for r in record["releases"]] == [["tender"], ["award"], ["contract"]]
    compiled = record["compiledRelease"]
    lot = procedure.lots.get()
    assert compiled["tender"]["lots"][0]["id"] == lot.cig
    statistics = {s["measure"]: s["value"] for s in compiled["bids"]["statistics"]}
    # 5 admitted bids, lowest price, works below threshold: method A excludes 27,90 % (T = 16,140, worked in
    # test_procedures); art. 54 c.1 excludes it, so it is not a valid bid and its value (150,000 less 27,9 %
    # = 108,150) is not the lowest valid one: 127,500 is (150,000 less 15 %).
    assert lot.evaluation.method == "anomaly_A"
    assert statistics["bids"] == 5 and statistics["validBids"] == 4
    assert statistics["tendersAbnormallyLow"] == 1
    assert statistics["lowestValidBidValue"] == 127500.0
    anomalous = lot.bids.get(status=BidStatus.ANOMALOUS)
    detail = next(d for d in compiled["bids"]["details"] if d["id"].endswith(f"-OFFERTA-{anomalous.pk}"))
    assert detail["status"] == "disqualified" and "value" not in detail
    assert compiled["awards"][0]["suppliers"][0]["name"] == lot.awarded_operator.name
    assert compiled["contracts"][0]["value"]["amount"] == float(lot.contract_amount)


def test_published_text_does_not_depend_on_the_language(client, world):
    procedure = write_procedure(world.home, world, ProcedureState.CANCELLED)
    url = reverse("ocds:record", kwargs={"ocid": procedure.ocid})
    italian = client.get(url, headers={"accept-language": "it"}).json()
    english = client.get(url, headers={"accept-language": "en"}).json()
    assert italian["records"] == english["records"]
    assert italian["records"][0]["compiledRelease"]["tender"]["status"] == "cancelled"


def undeclared_fields(value, schema: dict, root: dict, path: str = "") -> list[str]:
    """The paths of the object fields of ``value`` that ``schema`` (resolved in ``root``) does not declare."""
    if "$ref" in schema:
        schema = root["definitions"][schema["$ref"].rsplit("/", 1)[-1]]
    if isinstance(value, dict):
        declared = schema.get("properties", {})
        found = []
        for key, item in value.items():
            if key not in declared:
                found.append(f"{path}/{key}")
            else:
                found += undeclared_fields(item, declared[key], root, f"{path}/{key}")
        return found
    if isinstance(value, list) and "items" in schema:
        return [
            field for item in value for field in undeclared_fields(item, schema["items"], root, f"{path}[]")
        ]
    return []


def test_every_published_field_is_declared_in_ocds_1_1_or_its_extensions(client, operators):
    """OCDS 1.1 allows extra fields, so the schema's validation cannot catch one: a field outside OCDS 1.1 and
    the declared lots and bids extensions is still not the standard (tender.statusDetails is OCDS 1.2)."""
    world = operators
    for state in (ProcedureState.CONTRACT_SIGNED, ProcedureState.CANCELLED, ProcedureState.DESERTED):
        write_procedure(world.home, world, state)
    schema = extended_release_schema()
    releases = get_json(client, reverse("ocds:releases"))["releases"]
    assert {release["tag"][0] for release in releases} >= {"tenderCancellation", "tenderUpdate", "contract"}
    for release in releases:
        assert undeclared_fields(release, schema, schema) == [], release["id"]


def test_the_compiled_release_id_is_the_ocid_and_the_newest_release_date(client, operators):
    """OCDS merging specification: a compiled release has tag ["compiled"], the date of the most recent
    release and the id "<ocid>-<date>", as the reference implementation (ocdsmerge, in ocdskit) sets it."""
    world = operators
    procedure = write_procedure(world.home, world, ProcedureState.CONTRACT_SIGNED)
    record = get_json(client, reverse("ocds:record", kwargs={"ocid": procedure.ocid}))["records"][0]
    newest = max(release["date"] for release in record["releases"])
    compiled = record["compiledRelease"]
    assert (compiled["id"], compiled["date"], compiled["tag"]) == (
        f"{procedure.ocid}-{newest}",
        newest,
        ["compiled"],
    )


@pytest.mark.parametrize("prefix", ["ocds-casacom", "ocds-abc", "OCDS-abc123", "ocds-ab_123", "abcdef", ""])
def test_an_ocid_prefix_of_the_wrong_shape_is_refused_at_start_up(settings, prefix):
    """An OCID prefix is "ocds-" and six characters, assigned on registration (OCDS identifiers guidance):
    the system check stops runserver, migrate and check with a message naming the setting."""
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.CASACOMUNI_OCDS_PREFIX = prefix
    with pytest.raises(SystemCheckError, match="CASACOMUNI_OCDS_PREFIX"):
        call_command("check")


def test_the_default_ocid_prefix_has_the_registered_shape(settings):
    from casacomuni.procurement.checks import check_ocds_prefix

    assert check_ocds_prefix(None) == []
    assert re.fullmatch(r"ocds-[a-z0-9]{6}", settings.CASACOMUNI_OCDS_PREFIX)
