"""Tenancy of the EU-funds objects, with the factory the cross-tenant matrix uses (testing.add_eufunds)."""

import pytest
from django.urls import reverse

from casacomuni.eufunds.testing import add_eufunds

pytestmark = pytest.mark.django_db

OFFICE = ("funzionario_europa", "amministratore_provincia")
COMUNE = ("referente_comune", "personale_comune", "referente_unione")
OTHERS = ("funzionario_sua", "funzionario_dati", "funzionario_formazione", "operatore_economico")


@pytest.fixture
def objects(world):
    return add_eufunds(world.home, world), add_eufunds(world.elsewhere, world)


def test_another_provinces_objects_are_404_and_own_are_readable(world, login_as, objects):
    home, elsewhere = objects
    pages = [
        ("eufunds:call_detail", "call"),
        ("eufunds:call_edit", "call"),
        ("eufunds:criterion_create", "call"),
        ("eufunds:criterion_edit", "criterion"),
        ("eufunds:import_run", "import_run"),
    ]
    for persona in OFFICE:
        client = login_as(persona)
        for name, key in pages:
            assert client.get(reverse(name, args=[elsewhere[key].pk])).status_code == 404, (persona, name)
            assert client.get(reverse(name, args=[home[key].pk])).status_code == 200, (persona, name)
        assert (
            client.post(reverse("eufunds:criterion_delete", args=[elsewhere["criterion"].pk])).status_code
            == 404
        )
    for persona in COMUNE:
        client = login_as(persona)
        assert client.get(reverse("eufunds:call_detail", args=[elsewhere["call"].pk])).status_code == 404
        assert client.get(reverse("eufunds:call_detail", args=[home["call"].pk])).status_code == 200
        for name, key in pages[1:]:
            assert client.get(reverse(name, args=[home[key].pk])).status_code == 403, (persona, name)
    for persona in OTHERS:
        client = login_as(persona)
        for name, key in pages:
            assert client.get(reverse(name, args=[home[key].pk])).status_code == 403, (persona, name)
    upi = login_as("dirigente_upi")
    assert upi.get(reverse("eufunds:call_detail", args=[elsewhere["call"].pk])).status_code == 200
    # UPI, owner of the national catalogue, reads every import's report, but not a Province's criteria.
    assert upi.get(reverse("eufunds:import_run", args=[elsewhere["import_run"].pk])).status_code == 200
    assert upi.get(reverse("eufunds:criterion_edit", args=[elsewhere["criterion"].pk])).status_code == 404
    assert upi.get(reverse("eufunds:criterion_create", args=[elsewhere["call"].pk])).status_code == 404


def test_lists_show_no_other_provinces_call(world, login_as, objects):
    home, elsewhere = objects
    for persona in (*OFFICE, *COMUNE):
        page = (
            login_as(persona)
            .get(reverse("eufunds:call_list"), {"q": "Avviso della Provincia"})
            .context["page"]
        )
        assert [c.pk for c in page] == [home["call"].pk], persona


def test_digest_preview_of_another_provinces_comune_is_404(world, login_as, objects):
    _home, elsewhere = objects
    url = reverse("eufunds:digest_preview")
    comune = elsewhere["digest_preference"].organization
    assert login_as("funzionario_europa").get(url, {"comune": comune.pk}).status_code == 404
    own = login_as("referente_comune").get(url, {"comune": comune.pk})
    assert own.context["organization"] == world.home.comune  # a Comune always sees its own
