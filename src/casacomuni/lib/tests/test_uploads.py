"""The content checks every upload shares (lib.uploads): a file is what its bytes are, whatever its name."""

import io
import zipfile

import pytest

from casacomuni.lib import uploads
from casacomuni.lib.pdf import act_pdf


def zipped(members: dict[str, bytes], stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in members.items():
            compression = zipfile.ZIP_STORED if stored_first and name == "mimetype" else zipfile.ZIP_DEFLATED
            package.writestr(name, data, compress_type=compression)
    return buffer.getvalue()


PDF = act_pdf(["Determina a contrarre"])
DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT = zipped(
    {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}, stored_first=True
)
# The first bytes of a CAdES envelope: SEQUENCE (0x30), long length, then the signedData OID.
P7M = bytes.fromhex("308006092a864886f70d010702a0803080") + b"\x00" * 64
FILES = {".pdf": PDF, ".docx": DOCX, ".odt": ODT, ".p7m": P7M}


@pytest.mark.parametrize("extension", FILES)
def test_each_kind_passes_its_own_check_and_no_other(extension):
    for other, check in uploads.CONTENT_CHECKS.items():
        stream = io.BytesIO(FILES[extension])
        assert check(stream) is (other == extension), (extension, other)
        assert stream.tell() == 0, "a check leaves the file at its start, ready to be saved"


def test_a_zip_that_is_not_a_word_document_is_refused():
    assert not uploads.is_docx(io.BytesIO(zipped({"readme.txt": b"hello"})))


def test_a_broken_zip_with_the_zip_header_is_refused():
    assert not uploads.is_docx(io.BytesIO(uploads.ZIP_MAGIC + b"\x00" * 40))


def test_an_empty_file_is_nothing():
    assert not any(check(io.BytesIO(b"")) for check in uploads.CONTENT_CHECKS.values())


def test_every_accepted_kind_is_served_with_its_type():
    assert set(uploads.CONTENT_CHECKS) <= set(uploads.CONTENT_TYPES)
