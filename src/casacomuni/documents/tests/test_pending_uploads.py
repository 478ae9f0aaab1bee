"""A file chosen in a form refused for another reason is kept: shown again with its name and size, sent
with the next try, removable, found only by its owner, deleted a day after the form was abandoned.

The procurement request's form is the example; the other forms with files are tested in their apps.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone, translation

from casacomuni.documents import services
from casacomuni.documents.models import PendingUpload
from casacomuni.procurement.requests.models import ProcurementRequest
from casacomuni.procurement.testing import PDF, request_data, sua_adhesion

pytestmark = pytest.mark.django_db

URL = reverse("procurement:request_create")


@pytest.fixture(autouse=True)
def joined(world):
    return sua_adhesion(world.home, world.home.comune)


def stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()]


def form_data(**extra) -> dict:
    data = request_data(**extra)
    return {key: "" if value is None else value for key, value in data.items() if value is not False}


def refused_with_a_file(client, name="progetto.pdf", content=PDF):
    """A request refused for its CPV code (a wrong check digit), sent with a project file."""
    response = client.post(
        URL, form_data(cpv_code="45214211") | {"project": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400
    return response


def kept_token(response) -> str:
    return str(response.context["form"].kept_uploads["project"].pk)


def test_a_refused_forms_file_is_shown_again_and_sent_with_the_next_try(login_as, world, media):
    client = login_as("referente_comune")
    page = refused_with_a_file(client).content.decode()
    with translation.override("it"):
        size = filesizeformat(len(PDF))
    assert f"Già caricato: <strong>progetto.pdf</strong> ({size})" in page
    assert 'name="project-kept-remove"' in page
    pending = PendingUpload.objects.get()
    assert pending.owner == world.personas["referente_comune"]

    response = client.post(URL, form_data() | {"project-kept": str(pending.pk)})

    assert response.status_code == 302
    attachment = ProcurementRequest.objects.get().attachments.get()
    assert (attachment.original_name, attachment.file.read()) == ("progetto.pdf", PDF)
    assert not PendingUpload.objects.exists()
    assert stored_files(media) == [media / attachment.file.name]


def test_a_kept_file_is_kept_again_when_the_form_is_refused_once_more(login_as):
    client = login_as("referente_comune")
    token = kept_token(refused_with_a_file(client))
    response = client.post(URL, form_data(title="") | {"project-kept": token})
    assert response.status_code == 400
    assert kept_token(response) == token
    assert PendingUpload.objects.count() == 1


def test_the_user_removes_a_kept_file(login_as, media):
    client = login_as("referente_comune")
    token = kept_token(refused_with_a_file(client))
    response = client.post(URL, form_data() | {"project-kept": token, "project-kept-remove": "1"})
    assert response.status_code == 302
    assert not ProcurementRequest.objects.get().attachments.exists()
    assert not PendingUpload.objects.exists()
    assert stored_files(media) == []


def test_a_new_file_replaces_the_kept_one(login_as):
    client = login_as("referente_comune")
    token = kept_token(refused_with_a_file(client))
    new = SimpleUploadedFile("progetto-v2.pdf", PDF + b"%v2\n")
    response = client.post(URL, form_data() | {"project-kept": token, "project": new})
    assert response.status_code == 302
    assert ProcurementRequest.objects.get().attachments.get().original_name == "progetto-v2.pdf"
    assert not PendingUpload.objects.exists()


def test_a_file_refused_itself_is_not_kept(login_as):
    response = refused_with_a_file(login_as("referente_comune"), name="progetto.exe", content=b"MZ")
    assert "progetto.exe" in " ".join(response.context["form"].errors["project"])
    assert not PendingUpload.objects.exists()


def test_a_kept_file_is_found_only_by_its_owner(login_as):
    token = kept_token(refused_with_a_file(login_as("referente_comune")))
    # A colleague of the same Comune sends the form with the token: the file is not theirs to send.
    response = login_as("personale_comune").post(URL, form_data() | {"project-kept": token})
    assert response.status_code == 302
    assert not ProcurementRequest.objects.get().attachments.exists()
    assert PendingUpload.objects.filter(pk=token).exists()


def test_a_malformed_token_is_ignored(login_as):
    response = login_as("referente_comune").post(URL, form_data() | {"project-kept": "../../etc/passwd"})
    assert response.status_code == 302
    assert not ProcurementRequest.objects.get().attachments.exists()


# The worker takes its tasks in transactions of its own, as in production: the rows must be committed.
@pytest.mark.django_db(transaction=True)
def test_the_daily_task_deletes_the_files_of_forms_abandoned_for_a_day(world, media):
    owner = world.personas["referente_comune"]
    stale = services.keep_upload(owner, "procurement.request", SimpleUploadedFile("vecchio.pdf", PDF))
    fresh = services.keep_upload(owner, "procurement.request", SimpleUploadedFile("nuovo.pdf", PDF))
    PendingUpload.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=25))

    call_command("purge_pending_uploads")
    assert PendingUpload.objects.count() == 2  # enqueued, not run: the worker deletes
    call_command("db_worker", batch=True, verbosity=0)

    assert list(PendingUpload.objects.all()) == [fresh]
    assert stored_files(media) == [media / fresh.file.name]
