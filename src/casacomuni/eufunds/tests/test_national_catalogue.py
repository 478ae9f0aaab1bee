"""The national catalogue is read by all and changed only by its owners (UPI, the scheduled imports).

Reproduces the probe of the issue "Security" (mend first): ``europa.pg`` re-imported a national call with a
changed URL and edited or deleted the criteria Treviso relies on, and the events went only into Perugia's
audit chain. A Province now annotates through criteria of its own, which judge its comuni only.
"""

import json

import pytest
from django.core.exceptions import PermissionDenied

from casacomuni.accounts.actor import Actor
from casacomuni.audit.models import AuditEvent
from casacomuni.eufunds import selectors, services
from casacomuni.eufunds.models import Call, CallChange
from casacomuni.eufunds.rules import eligibility
from casacomuni.eufunds.testing import officer, sample, under_5000

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("scheduled import")
TOPIC = "HORIZON-CL3-2026-02-CS-ECCC-01"


@pytest.fixture
def national(world):
    services.import_calls(SYSTEM, "sedia", sample("sedia_search_page.json"))
    call = Call.objects.get(source_id=TOPIC)
    return call, under_5000(SYSTEM, call)


def upi(world) -> Actor:
    user = world.acting("dirigente_upi")
    return Actor(user, user.acting_as)


def test_a_provinces_import_leaves_the_national_record_as_it_is(world, national):
    call, _criterion = national
    data = json.loads(sample("sedia_search_page.json"))
    data["results"][5]["metadata"]["url"] = ["https://phishing.example.test/bando"]
    run = services.import_calls(officer(world.elsewhere), "sedia", json.dumps(data).encode())
    assert (run.created, run.updated, run.national) == (0, 0, 8)
    call.refresh_from_db()
    assert "phishing" not in call.url and not CallChange.objects.exists()
    assert Call.objects.filter(source_id=TOPIC).count() == 1


def test_a_province_cannot_change_or_delete_a_national_criterion(world, national):
    call, criterion = national
    elsewhere = officer(world.elsewhere)
    with pytest.raises(PermissionDenied):
        services.save_criterion(elsewhere, call, "population_max", {"limit": 1}, "ridotto", criterion)
    with pytest.raises(PermissionDenied):
        services.delete_criterion(elsewhere, criterion)
    criterion.refresh_from_db()
    assert criterion.value == {"limit": 5000, "inclusive": False}


def test_a_province_cannot_touch_another_provinces_criterion(world, national):
    call, _criterion = national
    home_own = services.save_criterion(
        officer(world.home), call, "regions", {"codes": ["05"]}, "Regione del Veneto"
    )
    with pytest.raises(PermissionDenied):
        services.delete_criterion(officer(world.elsewhere), home_own)
    with pytest.raises(PermissionDenied):
        services.delete_criterion(upi(world), home_own)


def test_a_provinces_own_criterion_judges_its_comuni_only(world, national):
    call, _criterion = national
    services.save_criterion(
        officer(world.elsewhere), call, "population_min", {"limit": 4000}, "almeno 4.000 abitanti"
    )
    home_rows = selectors.province_eligibility(call, world.home.province)
    elsewhere_rows = selectors.province_eligibility(call, world.elsewhere.province)
    small_home = [r for r in home_rows if r.profile.population < 4000]
    small_elsewhere = [r for r in elsewhere_rows if r.profile.population < 4000]
    assert small_home and small_elsewhere
    assert all(r.verdict.outcome == eligibility.ELIGIBLE for r in small_home)
    assert all(r.verdict.outcome == eligibility.NOT_ELIGIBLE for r in small_elsewhere)


def test_upi_changes_a_national_criterion_in_its_own_chain(world, national):
    call, criterion = national
    services.save_criterion(upi(world), call, "population_max", {"limit": 3000}, "meno di 3.000", criterion)
    event = AuditEvent.objects.filter(action="eufunds.criterion_saved").latest("pk")
    assert event.organization == world.upi
    criterion.refresh_from_db()
    assert criterion.province is None and criterion.value["limit"] == 3000
