"""An uploaded PDF is checked whole, not by its first bytes: the probe passed a ``%PDF-`` header glued in
front of an executable through every upload form (requests' attachments, applications' documents, the
albo's DURC, the agreements' acts)."""

import io
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from weasyprint import HTML

from casacomuni.agreements.forms import check_act_file
from casacomuni.lib.pdf import act_pdf, is_readable_pdf
from casacomuni.procurement.requests.services import Upload, check_upload
from casacomuni.projects.applications.services import check_document

EXECUTABLE = Path(sys.executable).read_bytes()[:200_000]
DISGUISED = {
    "header before an executable": b"%PDF-1.7\n" + EXECUTABLE,
    "header and trailer around an executable": b"%PDF-1.7\n" + EXECUTABLE + b"\nstartxref\n9\n%%EOF\n",
    "header only": b"%PDF-1.4\n%%EOF\n",
    "objects without a page tree": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
}


@pytest.mark.parametrize("data", DISGUISED.values(), ids=DISGUISED.keys())
def test_a_pdf_header_in_front_of_something_else_is_not_a_pdf(data):
    assert not is_readable_pdf(io.BytesIO(data))


@pytest.mark.parametrize(
    "data",
    [act_pdf(["Deliberazione n. 18"]), HTML(string="<h1>Verbale di gara</h1>").write_pdf()],
    ids=["hand-made PDF 1.4", "WeasyPrint PDF"],
)
def test_real_pdfs_are_accepted_and_left_rewound(data):
    stream = io.BytesIO(data)
    assert is_readable_pdf(stream)
    assert stream.tell() == 0


@pytest.mark.parametrize("data", DISGUISED.values(), ids=DISGUISED.keys())
def test_every_upload_check_refuses_the_disguised_file(data):
    with pytest.raises(ValidationError, match="non è un file PDF"):
        check_upload(Upload("project", SimpleUploadedFile("progetto.pdf", data)))
    with pytest.raises(ValidationError, match="non è un file PDF"):
        check_document(SimpleUploadedFile("allegato.pdf", data))
    with pytest.raises(ValidationError, match="PDF"):
        check_act_file(SimpleUploadedFile("delibera.pdf", data), allow_p7m=False)
