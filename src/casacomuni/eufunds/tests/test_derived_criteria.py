"""Criteria derived on import from what the records say (who may apply, where), and what they change:
verdicts, the call page, re-imports, digests and the Comune's home card (issue 18, point 1).

Records: the shipped samples (eufunds/data/samples) and incentivi.gov.it records in the Solr shape of
incentivi_sample.json (``zm_field_subject_type_value`` = Tipologia_Soggetto, ``zm_field_regions_value`` =
Regioni; DOMAIN §5).
"""

import io
import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casacomuni.accounts.actor import Actor
from casacomuni.audit.models import AuditEvent
from casacomuni.eufunds import selectors, services, tasks
from casacomuni.eufunds.cards import calls_card
from casacomuni.eufunds.digest import build_digest
from casacomuni.eufunds.models import Call, CallCriterion, DigestFrequency
from casacomuni.eufunds.rules import eligibility
from casacomuni.eufunds.testing import officer, referent, sample

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("scheduled import")


def incentivo(nid: str, title: str, subjects=None, regions=None, **extra) -> dict:
    """One incentivi.gov.it Solr document, open from ten days ago for two months."""
    today = timezone.localdate()
    doc = {
        "zs_nid": nid,
        "zs_title": title,
        "zs_field_open_date": f"{today - timedelta(days=10):%Y-%m-%d}T00:00:00",
        "zs_field_close_date": f"{today + timedelta(days=60):%Y-%m-%d}T00:00:00",
    }
    if subjects is not None:
        doc["zm_field_subject_type_value"] = subjects
    if regions is not None:
        doc["zm_field_regions_value"] = regions
    return doc | extra


def payload(*docs) -> bytes:
    return json.dumps({"docs": list(docs)}).encode()


def verdict_for(organization, call) -> eligibility.Verdict:
    profile = selectors.organization_profile(organization)
    return dict(selectors.calls_with_verdicts(profile, [call]))[call]


def national(source_id: str, source: str = "incentivi") -> Call:
    return Call.objects.owned_by(None).get(source=source, source_id=source_id)


def test_a_business_only_call_is_not_eligible_with_its_reason_in_italian(world, login_as):
    # incentivi_sample.json 1304: Tipologia_Soggetto "Impresa", "Impresa - SU/PMI innovativa"; Regioni
    # "Veneto" — the Comune's own region, so the type of applicant alone excludes it.
    services.import_calls(SYSTEM, "incentivi", sample("incentivi_sample.json"))
    call = national("1304")
    criteria = call.criteria.order_by("kind")
    assert [(c.kind, c.value, c.derived, c.province_id) for c in criteria] == [
        ("entity_type", {"types": ["enterprise"]}, True, None),
        ("regions", {"codes": ["05"]}, True, None),
    ]
    assert criteria[0].excerpt == "Tipologia soggetto: Impresa, Impresa - SU/PMI innovativa"
    verdict = verdict_for(world.home.comune, call)
    assert verdict.outcome == eligibility.NOT_ELIGIBLE

    page = login_as("referente_comune").get(reverse("eufunds:call_detail", args=[call.pk]))
    text = page.content.decode()
    assert "Il bando è aperto solo a: Imprese." in text
    assert "dal record del bando" in text
    assert "«Tipologia soggetto: Impresa, Impresa - SU/PMI innovativa»" in text


def test_a_call_of_another_region_is_not_eligible(world):
    # regional_emilia_romagna.json, "Bando per la cooperazione internazionale 2026": destinatari "Enti del
    # Terzo settore", "Enti pubblici", published by the Regione Emilia-Romagna: open to a Comune's type of
    # body, not to a Comune of the Veneto.
    services.import_calls(SYSTEM, "regional", sample("regional_emilia_romagna.json"))
    call = Call.objects.get(title="Bando per la cooperazione internazionale 2026")
    assert sorted(call.criteria.values_list("excerpt", flat=True)) == [
        "Destinatari: Enti del Terzo settore, Enti pubblici",
        "Portale: Regione Emilia-Romagna (politicheterritoriali.regione.emilia-romagna.it)",
    ]
    verdict = verdict_for(world.home.comune, call)
    assert verdict.outcome == eligibility.NOT_ELIGIBLE
    by_kind = {reason.kind: reason for reason in verdict.reasons}
    assert by_kind["entity_type"].outcome == eligibility.ELIGIBLE
    assert by_kind["regions"].outcome == eligibility.NOT_ELIGIBLE
    assert by_kind["regions"].message == "Not in the regions of the call."


def test_a_call_for_public_bodies_of_the_comunes_region_is_eligible_or_decided_by_the_other_criteria(world):
    # Tipologia_Soggetto "Ente Pubblico" (DOMAIN §5), Regioni "Veneto".
    services.import_calls(
        SYSTEM,
        "incentivi",
        payload(
            incentivo("9001", "Efficienza energetica degli edifici pubblici", ["Ente Pubblico"], ["Veneto"])
        ),
    )
    call = national("9001")
    assert verdict_for(world.home.comune, call).outcome == eligibility.ELIGIBLE
    assert verdict_for(world.elsewhere.comune, call).outcome == eligibility.ELIGIBLE
    # Treviso's office adds what the record does not say (a population ceiling): it decides for its comuni.
    services.save_criterion(
        officer(world.home), call, "population_max", {"limit": 5000}, "Comuni sotto i 5.000 abitanti"
    )
    assert verdict_for(world.home.comune, call).outcome == eligibility.NOT_ELIGIBLE  # 80,000
    assert verdict_for(world.home.sibling_comune, call).outcome == eligibility.ELIGIBLE  # 3,200
    assert verdict_for(world.elsewhere.comune, call).outcome == eligibility.ELIGIBLE  # not Padova's


def test_a_record_that_says_nothing_stays_unknown(world):
    # sedia_search_page.json: SEDIA topics name no applicant type and no region (territorial scope "EU");
    # an incentivi record without Tipologia_Soggetto nor Regioni neither.
    services.import_calls(SYSTEM, "sedia", sample("sedia_search_page.json"))
    services.import_calls(SYSTEM, "incentivi", payload(incentivo("9002", "Bando senza destinatari")))
    for call in (national("HORIZON-CL5-2027-03-D5-05", "sedia"), national("9002")):
        assert not call.criteria.exists()
        assert verdict_for(world.home.comune, call).outcome == eligibility.UNKNOWN


def test_a_provinces_import_derives_criteria_of_its_own(world):
    services.import_calls(officer(world.home), "incentivi", sample("incentivi_sample.json"))
    call = Call.objects.get(source="incentivi", source_id="3400")
    assert call.province == world.home.province
    assert set(call.criteria.values_list("province_id", flat=True)) == {world.home.province.pk}
    # They judge Treviso's comuni, never Padova's.
    assert verdict_for(world.home.comune, call).outcome == eligibility.NOT_ELIGIBLE
    assert not CallCriterion.objects.applying_to("PD").filter(call=call).exists()


def test_reimport_rederives_the_records_criteria_and_leaves_a_persons(world):
    record = incentivo("9003", "Contributi ai comuni", ["Ente Pubblico"], ["Veneto"])
    services.import_calls(SYSTEM, "incentivi", payload(record))
    call = national("9003")
    mine = services.save_criterion(
        officer(world.home), call, "population_max", {"limit": 5000}, "sotto i 5.000"
    )
    # The record changes: now for enterprises, in Veneto and Lombardia (Regioni, Tipologia_Soggetto).
    changed = record | {
        "zm_field_subject_type_value": ["Impresa"],
        "zm_field_regions_value": ["Veneto", "Lombardia"],
    }
    run = services.import_calls(SYSTEM, "incentivi", payload(changed))
    assert run.updated == 1
    derived = {c.kind: c for c in call.criteria.filter(derived=True)}
    assert derived["entity_type"].value == {"types": ["enterprise"]}
    assert derived["regions"].value == {"codes": ["03", "05"]}
    assert derived["regions"].excerpt == "Regioni: Veneto, Lombardia"
    mine.refresh_from_db()
    assert (mine.value, mine.derived) == ({"limit": 5000}, False)
    event = AuditEvent.objects.filter(action="eufunds.calls_imported").latest("pk")
    assert event.changes["criteria_rederived"] == [None, 1]
    # The record no longer names the subjects: its entity-type criterion goes, the person's stays.
    services.import_calls(
        SYSTEM,
        "incentivi",
        payload(record | {"zm_field_regions_value": ["Veneto"], "zm_field_subject_type_value": []}),
    )
    assert set(call.criteria.values_list("kind", "derived")) == {("regions", True), ("population_max", False)}


def test_an_unchanged_reimport_writes_no_criterion(world):
    services.import_calls(SYSTEM, "incentivi", sample("incentivi_sample.json"))
    before = list(CallCriterion.objects.order_by("pk").values_list("pk", flat=True))
    run = services.import_calls(SYSTEM, "incentivi", sample("incentivi_sample.json"))
    assert run.unchanged == 13
    assert list(CallCriterion.objects.order_by("pk").values_list("pk", flat=True)) == before


def test_a_derived_criterion_changed_by_its_catalogue_becomes_a_persons(world):
    upi = Actor(user=world.acting("dirigente_upi"), membership=world.memberships["dirigente_upi"])
    services.import_calls(SYSTEM, "incentivi", payload(incentivo("9004", "Bando", ["Impresa"], ["Veneto"])))
    call = national("9004")
    derived = call.criteria.get(kind="entity_type")
    # Another catalogue (a Province) may not change it: it is the national catalogue's.
    with pytest.raises(PermissionDenied):
        services.save_criterion(
            officer(world.home), call, "entity_type", {"types": ["municipality"]}, "x", derived
        )
    services.save_criterion(
        upi, call, "entity_type", {"types": ["enterprise", "public_body"]}, "rettifica", derived
    )
    derived.refresh_from_db()
    assert derived.derived is False
    # The next import keeps UPI's reading and derives no other of that kind.
    services.import_calls(
        SYSTEM, "incentivi", payload(incentivo("9004", "Bando (rettificato)", ["Impresa"], ["Veneto"]))
    )
    assert list(call.criteria.filter(kind="entity_type").values_list("value", "derived")) == [
        ({"types": ["enterprise", "public_body"]}, False)
    ]


@pytest.fixture
def mixed_catalogue(world):
    """An eligible call, a not-eligible one and an unknown one for Treviso's capoluogo, all open."""
    services.import_calls(
        SYSTEM,
        "incentivi",
        payload(
            incentivo("9101", "Scuole sicure del Veneto", ["Ente Pubblico"], ["Veneto"]),
            incentivo("9102", "Voucher digitali per le imprese", ["Impresa"], ["Veneto"]),
            incentivo("9103", "Bando da leggere"),
        ),
    )
    return {nid: national(nid) for nid in ("9101", "9102", "9103")}


def test_digest_sends_eligible_calls_first_unknown_apart_and_never_not_eligible(
    world, mixed_catalogue, settings
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    preference = services.save_digest_preference(
        referent(world.home.comune),
        world.home.comune,
        services.DigestPreferenceData(frequency=DigestFrequency.MONTHLY),
    )
    items = build_digest(preference)
    assert [(item.call.source_id, item.verdict.outcome) for item in items] == [
        ("9101", eligibility.ELIGIBLE),
        ("9103", eligibility.UNKNOWN),
    ]
    subject, text, html = tasks.render_digest(preference, items)
    assert text.index("Bandi a cui il tuo Comune può partecipare") < text.index("Scuole sicure del Veneto")
    assert (
        text.index("Scuole sicure del Veneto")
        < text.index("Bandi da verificare")
        < text.index("Bando da leggere")
    )
    assert "Voucher digitali" not in text and "Voucher digitali" not in html
    assert html.count("<h2>") == 2


def test_the_comunes_home_card_counts_eligible_and_unknown_calls(world, mixed_catalogue, login_as):
    page = login_as("referente_comune").get(reverse("web:dashboard"))
    card = next(c for c in page.context["cards"] if c.get("template") == "eufunds/_dashboard_card.html")
    assert (card["open"], card["eligible"], card["to_review"]) == (3, 1, 1)
    membership = world.memberships["referente_comune"]
    assert calls_card(world.acting("referente_comune"), membership)["eligible"] == 1


def test_the_home_cards_queries_do_not_grow_with_the_calls(world, login_as):
    user, membership = world.acting("referente_comune"), world.memberships["referente_comune"]
    services.import_calls(SYSTEM, "incentivi", payload(incentivo("9201", "Uno", ["Impresa"], ["Veneto"])))
    with CaptureQueriesContext(connection) as one:
        calls_card(user, membership)
    services.import_calls(SYSTEM, "incentivi", sample("incentivi_sample.json"))
    services.import_calls(SYSTEM, "regional", sample("regional_emilia_romagna.json"))
    with CaptureQueriesContext(connection) as many:
        calls_card(user, membership)
    assert len(many) == len(one)


def test_import_queries_for_the_criteria_do_not_grow_with_the_records(world):
    docs = [incentivo(f"93{i:02d}", f"Bando {i}", ["Impresa"], ["Veneto"]) for i in range(30)]
    with CaptureQueriesContext(connection) as few:
        services.import_calls(SYSTEM, "incentivi", payload(*docs[:2]))
    Call.objects.all().delete()
    with CaptureQueriesContext(connection) as many:
        services.import_calls(SYSTEM, "incentivi", payload(*docs))
    criteria_queries = [q for q in many.captured_queries if "eufunds_callcriterion" in q["sql"]]
    assert len(criteria_queries) == len(
        [q for q in few.captured_queries if "eufunds_callcriterion" in q["sql"]]
    )


def test_the_eligibility_report_gives_the_share_of_unknown_verdicts(world, mixed_catalogue):
    out = io.StringIO()
    call_command("eligibility_report", world.home.municipalities[0].istat_code, stdout=out)
    assert out.getvalue().strip() == (
        "026001 Treviso Capoluogo (TV): 3 calls · eligible 1 · not eligible 1 · unknown 1 (33.3%)"
    )
    with pytest.raises(CommandError):
        call_command("eligibility_report", "999999", stdout=out)


def test_the_call_page_shows_the_applicants_the_platform_cannot_classify(world, login_as):
    # regional_emilia_romagna.json, "Bando per la promozione di una cultura della pace 2026": destinatari
    # "Enti del Terzo settore", "Enti pubblici", "Scuole", "Università", "Enti di formazione".
    services.import_calls(SYSTEM, "regional", sample("regional_emilia_romagna.json"))
    call = Call.objects.get(title="Bando per la promozione di una cultura della pace 2026")
    page = login_as("referente_comune").get(reverse("eufunds:call_detail", args=[call.pk]))
    assert "Scuole, Enti di formazione</td>" in page.content.decode()
