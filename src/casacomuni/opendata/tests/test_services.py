"""Datasets through the services: generation of CSV and JSON, ``modified`` only on a content change, the
privacy guard's refusals, publication and its IPA code, who may act, the scheduled regeneration."""

import csv
import dataclasses
import hashlib
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.management import call_command

from casacomuni.accounts.actor import Actor
from casacomuni.agreements.models import Agreement
from casacomuni.audit.models import AuditEvent
from casacomuni.opendata import services
from casacomuni.opendata.generators import AGREEMENT_COLUMNS
from casacomuni.opendata.models import Catalog, Dataset, Distribution
from casacomuni.opendata.tasks import regenerate_opendata
from casacomuni.opendata.testing import make_catalog, make_dataset
from casacomuni.procurement.testing import sua_adhesion


def actor(world, name="funzionario_dati") -> Actor:
    user = world.acting(name)
    return Actor(user=user, membership=user.acting_as)


@pytest.fixture
def joined(world):
    """The home comune and union joined the home Province's SUA (agreements made through their services)."""
    return [sua_adhesion(world.home, world.home.comune), sua_adhesion(world.home, world.home.union)]


def stored_bytes(distribution) -> bytes:
    with default_storage.open(distribution.file.name, "rb") as handle:
        return handle.read()


def test_a_new_dataset_gets_csv_and_json_files_with_their_size_and_digest(world, joined):
    make_catalog(world.home.province_org)
    dataset = services.create_dataset(actor(world), services.NewDatasetData(generator="convenzioni"))
    assert dataset.slug == "convenzioni"
    assert dataset.title  # from the generator
    assert dataset.published is False
    assert dataset.modified is not None
    by_format = {d.format: d for d in dataset.distributions.all()}
    assert set(by_format) == {"CSV", "JSON"}
    for distribution in by_format.values():
        content = stored_bytes(distribution)
        assert distribution.file.name.startswith("opendata/tv/convenzioni-")
        assert distribution.byte_size == len(content)
        assert distribution.sha256 == hashlib.sha256(content).hexdigest()
        assert distribution.row_count == 2
    text = stored_bytes(by_format["CSV"]).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == AGREEMENT_COLUMNS
    assert "\r\n" in text
    assert {row[1] for row in rows[1:]} == {world.home.comune.name, world.home.union.name}
    records = json.loads(stored_bytes(by_format["JSON"]))
    assert [sorted(record) for record in records] == [sorted(AGREEMENT_COLUMNS)] * 2
    assert AuditEvent.objects.filter(action="opendata_dataset.create", object_id=str(dataset.pk)).exists()


def test_regenerating_unchanged_data_keeps_modified_and_files(world, joined):
    dataset = make_dataset(world.home.province_org, "adesioni", publish=False)
    before = {d.format: (d.file.name, d.sha256) for d in dataset.distributions.all()}
    events = AuditEvent.objects.filter(action="opendata_dataset.regenerate").count()
    assert services.regenerate_dataset(actor(world), dataset) is False
    refreshed = Dataset.objects.get(pk=dataset.pk)
    after = {d.format: (d.file.name, d.sha256) for d in refreshed.distributions.all()}
    assert after == before
    assert refreshed.modified == dataset.modified
    assert refreshed.last_generated_at > dataset.last_generated_at
    assert AuditEvent.objects.filter(action="opendata_dataset.regenerate").count() == events


def test_regenerating_changed_data_moves_modified_and_replaces_the_files(
    world, django_capture_on_commit_callbacks
):
    sua_adhesion(world.home, world.home.comune)
    dataset = make_dataset(world.home.province_org, "convenzioni", publish=True)
    modified = dataset.modified
    old_names = [d.file.name for d in dataset.distributions.all()]
    sua_adhesion(world.home, world.home.union)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.regenerate_dataset(actor(world), dataset) is True
    dataset.refresh_from_db()
    assert dataset.modified > modified
    assert {d.row_count for d in dataset.distributions.all()} == {2}
    for name in old_names:
        assert not default_storage.exists(name)  # deleted once the switch committed
    for distribution in dataset.distributions.all():
        assert default_storage.exists(distribution.file.name)
    assert AuditEvent.objects.filter(action="opendata_dataset.regenerate", object_id=str(dataset.pk)).exists()


@pytest.mark.usefixtures("media")  # an empty folder of its own: it looks at what was written
def test_a_file_with_personal_data_is_refused_and_nothing_is_written(world, joined):
    Agreement.objects.filter(municipality=world.home.comune).update(
        title="Convenzione — referente mario.rossi@example.it"
    )
    make_catalog(world.home.province_org)
    with pytest.raises(ValidationError) as refused:
        services.create_dataset(actor(world), services.NewDatasetData(generator="convenzioni", publish=True))
    assert refused.value.code == "personal_data"
    assert not Dataset.objects.exists()
    assert not Distribution.objects.exists()
    assert not default_storage.exists("opendata/tv") or default_storage.listdir("opendata/tv") == ([], [])


def test_a_refused_regeneration_keeps_the_published_files_and_says_why(world, joined):
    dataset = make_dataset(world.home.province_org, "convenzioni", publish=True)
    before = {d.format: d.sha256 for d in dataset.distributions.all()}
    Agreement.objects.filter(municipality=world.home.union).update(title="Convenzione RSSMRA85T10A562S")
    with pytest.raises(ValidationError):
        services.regenerate_dataset(actor(world), dataset)
    dataset.refresh_from_db()
    assert dataset.published
    assert "CSV" in dataset.last_error
    assert {d.format: d.sha256 for d in dataset.distributions.all()} == before
    assert AuditEvent.objects.filter(action="opendata_dataset.refuse", object_id=str(dataset.pk)).exists()
    # Fixed at the source, the next regeneration clears the error.
    Agreement.objects.filter(municipality=world.home.union).update(title="Convenzione SUA")
    services.regenerate_dataset(actor(world), dataset)
    dataset.refresh_from_db()
    assert dataset.last_error == ""


def test_publishing_needs_the_provinces_ipa_code(world, joined):
    dataset = services.create_dataset(actor(world), services.NewDatasetData(generator="convenzioni"))
    with pytest.raises(ValidationError) as refused:
        services.publish_dataset(actor(world), dataset)
    assert refused.value.code == "no_catalog"
    assert not Dataset.objects.get(pk=dataset.pk).published
    world.home.province_org.ipa_code = "p_tv"
    world.home.province_org.save()
    published = services.publish_dataset(actor(world), dataset)
    assert published.published and published.issued is not None
    assert Catalog.objects.get(province=world.home.province_org).ipa_code == "p_tv"
    assert published.identifier("p_tv") == "p_tv:convenzioni"


def test_unpublish_keeps_the_files_and_first_publication_date(world, joined):
    dataset = make_dataset(world.home.province_org, "convenzioni", publish=True)
    issued = dataset.issued
    services.unpublish_dataset(actor(world), dataset)
    dataset = services.publish_dataset(actor(world), Dataset.objects.get(pk=dataset.pk))
    assert dataset.issued == issued
    assert dataset.distributions.count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"generator": "nothing"}, "generator"),
        ({"generator": "convenzioni", "slug": "Not A Slug"}, "slug"),
        ({"generator": "convenzioni", "theme": "XXXX"}, "theme"),
        ({"generator": "convenzioni", "accrual_periodicity": "YEARLY"}, "accrual_periodicity"),
        ({"generator": "convenzioni", "license": "https://example.org/licence"}, "license"),
        ({"generator": "convenzioni", "title": "  "}, "title"),
        ({"generator": "convenzioni", "keywords": ["x" * 51]}, "keywords"),
        ({"generator": "convenzioni", "description": "Scrivere a dati@provincia.example.it"}, "description"),
        ({"generator": "convenzioni", "keywords": ["RSSMRA85T10A562S"]}, "keywords"),
    ],
)
def test_invalid_metadata_is_refused_field_by_field(world, data, field):
    with pytest.raises(ValidationError) as refused:
        services.create_dataset(actor(world), services.NewDatasetData(**data))
    assert field in refused.value.error_dict
    assert not Dataset.objects.exists()


def test_the_identifier_is_unique_in_a_catalogue(world):
    make_dataset(world.home.province_org, "convenzioni", publish=False)
    with pytest.raises(ValidationError) as refused:
        services.create_dataset(
            actor(world), services.NewDatasetData(generator="adesioni", slug="convenzioni")
        )
    assert "slug" in refused.value.error_dict
    # Another Province may use the same identifier.
    make_dataset(world.elsewhere.province_org, "convenzioni", publish=False)


@pytest.mark.parametrize(
    "persona", ["funzionario_sua", "referente_comune", "dirigente_upi", "operatore_economico"]
)
def test_other_roles_may_not_manage_open_data(world, persona):
    with pytest.raises(PermissionDenied):
        services.create_dataset(actor(world, persona), services.NewDatasetData(generator="convenzioni"))


def test_an_officer_cannot_touch_another_provinces_dataset(world):
    theirs = make_dataset(world.elsewhere.province_org, "convenzioni", publish=True)
    for operation in (services.regenerate_dataset, services.unpublish_dataset, services.publish_dataset):
        with pytest.raises(PermissionDenied):
            operation(actor(world), theirs)
    with pytest.raises(PermissionDenied):
        services.update_dataset(
            actor(world),
            theirs,
            services.DatasetData(
                title="x", description="y", theme="GOVE", accrual_periodicity="ANNUAL", license=theirs.license
            ),
        )
    assert Dataset.objects.get(pk=theirs.pk).published


def test_the_scheduled_run_regenerates_each_dataset_and_reports_refusals(world, joined):
    good = make_dataset(world.home.province_org, "adesioni", publish=True)
    bad = make_dataset(world.home.province_org, "convenzioni", publish=True)
    Agreement.objects.filter(municipality=world.home.comune).update(title="scrivere a ufficio@example.it")
    summary = regenerate_opendata.call(world.home.province_org.pk)
    assert summary["TV"]["unchanged"] == [good.slug]
    assert list(summary["TV"]["refused"]) == [bad.slug]
    assert Dataset.objects.get(pk=bad.pk).last_error


def test_the_command_enqueues_the_regeneration(world, capsys):
    make_dataset(world.home.province_org, "adesioni", publish=False)
    call_command("regenerate_opendata", "--province", "tv")
    assert "regenerate_opendata" not in capsys.readouterr().err
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(task_path__endswith="regenerate_opendata").count() == 1


def test_the_catalogue_settings_refuse_personal_data_and_bad_codes(world):
    data = {"ipa_code": "p_tv", "title": "Dati aperti", "description": "Referente: mario.rossi@example.it"}
    with pytest.raises(ValidationError) as refused:
        services.save_catalog(
            actor(world), services.CatalogData(**(data | {"ipa_code": "p tv", "homepage": "ftp://x"}))
        )
    assert set(refused.value.error_dict) == {"ipa_code", "description", "homepage"}
    assert not Catalog.objects.exists()
    catalog = services.save_catalog(
        actor(world), services.CatalogData(**(data | {"description": "Il catalogo"}))
    )
    assert catalog.ipa_code == "p_tv"
    assert AuditEvent.objects.filter(action="opendata_catalog.save", object_id=str(catalog.pk)).exists()


def test_a_failing_generator_does_not_stop_the_others(world, joined, monkeypatch):
    from casacomuni.opendata.generators import REGISTRY

    good = make_dataset(world.home.province_org, "adesioni", publish=True)
    broken = make_dataset(world.home.province_org, "convenzioni", publish=True)

    def explode(province):
        raise RuntimeError("source unreachable")

    monkeypatch.setitem(REGISTRY, "convenzioni", dataclasses.replace(REGISTRY["convenzioni"], build=explode))
    result = services.regenerate_datasets(world.home.province_org)
    assert result.unchanged == [good.slug]
    assert result.refused == {broken.slug: "error"}
