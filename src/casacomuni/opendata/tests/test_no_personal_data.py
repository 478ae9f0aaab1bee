"""Acceptance: with every pillar's data in the database — users with e-mail addresses and codici fiscali,
RUPs' and legal representatives' codes, PEC addresses, campaign answers — every dataset of every generator
is published, and no published file (nor the catalogue) holds an e-mail address or a personal codice
fiscale (rules/privacy.py)."""

from django.core.files.storage import default_storage
from django.urls import reverse
from stdnum.it import codicefiscale

from casacomuni.accounts.models import Organization, User
from casacomuni.opendata.generators import available_generators
from casacomuni.opendata.models import Dataset, Distribution
from casacomuni.opendata.rules.privacy import find_personal_data
from casacomuni.opendata.testing import make_catalog, make_dataset
from casacomuni.procurement.requests.models import ProcurementRequest
from casacomuni.procurement.testing import REPRESENTATIVE_FISCAL_CODE, make_procedure, sua_adhesion


def fiscal_code(index: int) -> str:
    """A valid personal codice fiscale, different for each index."""
    first = f"RSSMRA8{index % 10}T10A56{index % 10}"
    return first + codicefiscale.calc_check_digit(first)


def fill_the_platform(world) -> None:
    from casacomuni.eufunds.testing import add_eufunds
    from casacomuni.indicators.testing import add_indicators
    from casacomuni.insights.testing import add_insights
    from casacomuni.projects.testing import add_projects

    for index, user in enumerate(User.objects.order_by("pk")):
        user.fiscal_code = fiscal_code(index)
        user.save(update_fields=["fiscal_code"])
    for organization in Organization.objects.all():
        organization.pec = f"protocollo.{organization.pk}@pec.example.it"
        organization.save(update_fields=["pec"])
    sua_adhesion(world.home, world.home.union)
    make_procedure(
        world.home, world, state="contract_signed", rup_fiscal_code=fiscal_code(3), rup_name="Maria Rossi"
    )
    add_eufunds(world.home, world)
    add_projects(world.home, world)
    add_insights(world.home, world)
    add_indicators(world.home, world)


def test_no_published_file_holds_an_email_or_a_personal_fiscal_code(client, world):
    fill_the_platform(world)
    # The personal data the generators must leave behind are really there.
    assert User.objects.exclude(fiscal_code="").exclude(email="").count() >= 10
    assert ProcurementRequest.objects.exclude(rup_fiscal_code="").exists()
    assert REPRESENTATIVE_FISCAL_CODE
    make_catalog(world.home.province_org)
    for generator in available_generators():
        make_dataset(world.home.province_org, generator.code, publish=True)
    assert Dataset.objects.published().count() == len(available_generators()) == 8
    assert Distribution.objects.count() == 16
    assert all(d.row_count > 0 for d in Distribution.objects.all())
    for distribution in Distribution.objects.select_related("dataset"):
        with default_storage.open(distribution.file.name, "rb") as handle:
            stored = handle.read().decode("utf-8")
        assert find_personal_data(stored) == [], distribution.file.name
        response = client.get(
            reverse("opendata:download", args=["tv", distribution.dataset.slug, distribution.extension])
        )
        assert b"".join(response.streaming_content).decode("utf-8") == stored
    for name in ("opendata:catalog_ttl", "opendata:catalog_jsonld"):
        assert find_personal_data(client.get(reverse(name, args=["tv"])).content.decode("utf-8")) == []
