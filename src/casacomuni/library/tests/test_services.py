"""The library's write operations: versions and their publication, adoption, updates of a copy, refusals that
write nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from casacomuni.audit.models import AuditEvent
from casacomuni.library import services
from casacomuni.library.models import LibraryModel, ModelVersion, VersionFile, VersionStatus
from casacomuni.library.testing import docx_upload, make_model, new_version, upi_admin
from casacomuni.training.testing import persona_actor

pytestmark = pytest.mark.django_db


def test_publishing_version_2_supersedes_version_1(world):
    upi = upi_admin(world)
    model = make_model(upi, "Determina a contrarre tipo")
    second = new_version(upi, model, "Aggiornata al correttivo.", legal_basis="D.Lgs. 36/2023, art. 17")
    statuses = dict(model.versions.values_list("number", "status"))
    assert statuses == {1: VersionStatus.SUPERSEDED, 2: VersionStatus.PUBLISHED}
    assert model.current_version == second
    assert model.legal_basis == "D.Lgs. 36/2023, art. 17"
    assert second.published_at is not None


def test_a_second_draft_waits_for_the_first_and_writes_nothing(world):
    upi = upi_admin(world)
    model = make_model(upi, "Disciplinare tipo")
    new_version(upi, model, "Bozza 2", publish=False)
    before = (ModelVersion.objects.count(), VersionFile.objects.count())
    with pytest.raises(ValidationError, match="versione in bozza"):
        new_version(upi, model, "Bozza 3", publish=False, uploads=[docx_upload("altro.docx")])
    assert (ModelVersion.objects.count(), VersionFile.objects.count()) == before


def test_a_renamed_file_and_an_oversized_one_are_refused(world, settings):
    upi = upi_admin(world)
    fake = SimpleUploadedFile("capitolato.pdf", b"PK\x03\x04 not a pdf")
    with pytest.raises(ValidationError) as refused:
        make_model(upi, "Capitolato", files=[fake])
    assert "capitolato.pdf non è un file DOCX, ODT o PDF." in refused.value.message_dict["uploads"][0]
    big = docx_upload("grande.docx")
    big.size = services.MAX_FILE_BYTES + 1
    with pytest.raises(ValidationError, match="supera 20 MB"):
        make_model(upi, "Capitolato", files=[big])
    assert not LibraryModel.objects.exists()


def test_only_upi_writes_upi_library_and_a_comune_writes_none(world):
    model = make_model(upi_admin(world), "Lettera d'invito tipo")
    with pytest.raises(PermissionDenied):
        new_version(persona_actor(world, "amministratore_provincia"), model, "Modifica")
    with pytest.raises(PermissionDenied):
        make_model(persona_actor(world, "referente_comune"), "Del Comune")


def test_a_province_adopts_a_published_version_with_copies_of_its_files(world):
    model = make_model(upi_admin(world), "Schema di convenzione SUA")
    officer = persona_actor(world, "funzionario_sua")
    copy = services.adopt_version(officer, model.current_version)
    assert copy.owner == world.home.province_org
    assert copy.origin_version == model.current_version
    assert copy.current_version.number == 1
    original, copied = model.current_version.files.get(), copy.current_version.files.get()
    assert copied.original_name == original.original_name and copied.digest == original.digest
    assert copied.file.name != original.file.name
    assert AuditEvent.objects.filter(
        action="library.model.adopt", organization=world.home.province_org
    ).exists()


def test_adopting_a_superseded_or_draft_version_is_refused_and_writes_nothing(world):
    upi = upi_admin(world)
    model = make_model(upi, "Capitolato tipo")
    first = model.current_version
    new_version(upi, model, "v2")
    draft = new_version(upi, model, "v3", publish=False)
    officer = persona_actor(world, "amministratore_provincia")
    count = LibraryModel.objects.count()
    first.refresh_from_db()
    with pytest.raises(ValidationError, match="solo la versione pubblicata"):
        services.adopt_version(officer, first)
    with pytest.raises(PermissionDenied):  # UPI's draft: not even readable by the Province
        services.adopt_version(officer, draft)
    assert LibraryModel.objects.count() == count


def test_adopting_twice_is_refused(world):
    model = make_model(upi_admin(world), "Capitolato tipo")
    officer = persona_actor(world, "amministratore_provincia")
    services.adopt_version(officer, model.current_version)
    with pytest.raises(ValidationError, match="ha già una copia"):
        services.adopt_version(officer, model.current_version)


def test_an_update_shows_what_changed_and_accepting_keeps_the_local_notes(world):
    upi = upi_admin(world)
    model = make_model(
        upi, "Disciplinare tipo", files=[docx_upload("disciplinare.docx"), docx_upload("allegato.docx")]
    )
    admin = persona_actor(world, "amministratore_provincia")
    copy = services.adopt_version(admin, model.current_version)
    local = services.VersionData(
        title="Disciplinare di Treviso",
        changelog="Adattato",
        keep=[f.pk for f in copy.current_version.files.all()],
        local_notes="Tolto il sopralluogo obbligatorio.",
    )
    services.publish_version(admin, services.add_version(admin, copy, local))
    copy.refresh_from_db()
    assert copy.update_number is None
    kept = [model.current_version.files.get(original_name="allegato.docx").pk]
    new_version(
        upi,
        model,
        "Nuovo schema del disciplinare.",
        keep=kept,
        uploads=[docx_upload("disciplinare.docx", "Testo 2")],
    )
    new_version(upi, model, "Base giuridica aggiornata.", legal_basis="D.Lgs. 209/2024")
    copy = LibraryModel.objects.get(pk=copy.pk)
    assert copy.update_number == 3
    update = services.pending_update(copy)
    assert [v.number for v in update.versions] == [3, 2]
    assert update.changes.fields == ("legal_basis",)
    assert update.changes.replaced == ("disciplinare.docx",)
    version = services.accept_update(admin, copy)
    copy.refresh_from_db()
    assert copy.origin_version.number == 3 and copy.update_number is None
    assert copy.current_version == version and copy.legal_basis == "D.Lgs. 209/2024"
    assert copy.local_notes == "Tolto il sopralluogo obbligatorio."


def test_a_dismissed_update_comes_back_with_the_next_version(world):
    upi = upi_admin(world)
    model = make_model(upi, "Capitolato tipo")
    admin = persona_actor(world, "amministratore_provincia")
    copy = services.adopt_version(admin, model.current_version)
    new_version(upi, model, "v2")
    services.dismiss_update(admin, LibraryModel.objects.get(pk=copy.pk))
    assert LibraryModel.objects.get(pk=copy.pk).update_number is None
    new_version(upi, model, "v3")
    assert LibraryModel.objects.get(pk=copy.pk).update_number == 3
