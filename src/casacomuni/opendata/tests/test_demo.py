"""The demo open data (casacomuni.demo.opendata): a catalogue and published datasets, re-runnable."""

from casacomuni.demo.opendata import DemoOpendata
from casacomuni.opendata.models import Catalog, Dataset
from casacomuni.procurement.testing import sua_adhesion


def test_the_demo_publishes_the_datasets_with_rows_and_can_run_again(world):
    sua_adhesion(world.home, world.home.comune)
    published = DemoOpendata().build(["TV"])
    assert set(published["TV"]) >= {"convenzioni", "adesioni", "copertura-servizi"}
    assert "gare-sua" not in published["TV"]  # no procedure in this Province: left unpublished
    assert Catalog.objects.get().ipa_code == "p_tv"
    assert set(Dataset.objects.published().values_list("slug", flat=True)) == set(published["TV"])
    modified = dict(Dataset.objects.values_list("slug", "modified"))
    count = Dataset.objects.count()
    assert DemoOpendata().build(["TV"]) == published
    assert Dataset.objects.count() == count
    assert dict(Dataset.objects.values_list("slug", "modified")) == modified
