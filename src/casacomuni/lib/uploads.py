"""What an uploaded file is, read from its content: the checks every upload form and service shares.

A file is accepted for what its bytes are, not for its name: a renamed file of another kind is refused. Each
check reads from the start of the file and leaves it at the start, so that it can be saved afterwards.
"""

import zipfile

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException

from casacomuni.lib.pdf import is_readable_pdf

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
# A CAdES envelope (.p7m) as signing software writes it is DER-encoded CMS: a SEQUENCE, tag byte 0x30.
DER_SEQUENCE = 0x30
# OpenDocument: the first member is an uncompressed "mimetype" file, its content at offset 30 (ODF 1.2, 3.3).
ODT_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.text"

# The types downloads are served with, by extension (anything else: application/octet-stream).
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".p7m": "application/pkcs7-mime",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".xml": "application/xml",
}


def head_of(upload, length: int) -> bytes:
    """The first ``length`` bytes of ``upload``, which is left at its start."""
    upload.seek(0)
    head = upload.read(length)
    upload.seek(0)
    return head


def is_pdf(upload) -> bool:
    """A PDF: the header, then the whole structure (a PDF header in front of another file is refused)."""
    return head_of(upload, len(PDF_MAGIC)) == PDF_MAGIC and is_readable_pdf(upload)


def is_p7m(upload) -> bool:
    """A signed envelope (.p7m, CAdES) in DER."""
    head = head_of(upload, 1)
    return bool(head) and head[0] == DER_SEQUENCE


def is_odt(upload) -> bool:
    head = head_of(upload, 30 + len(ODT_MIMETYPE))
    return head.startswith(ZIP_MAGIC) and head[30:] == ODT_MIMETYPE


def is_docx(upload) -> bool:
    """A Word document: a ZIP package with the parts every .docx has."""
    if head_of(upload, len(ZIP_MAGIC)) != ZIP_MAGIC:
        return False
    try:
        with zipfile.ZipFile(upload) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and "word/document.xml" in names


# The root elements of an ESPD response as the EU's services write it: ESPD-EDM 2.x (UBL-based) and 1.0.
ESPD_ROOTS = ("QualificationApplicationResponse", "ESPDResponse")


def is_espd_xml(upload) -> bool:
    """An ESPD (DGUE) response in the EU's XML: it parses with no DTD nor entities (defusedxml), and its root is
    an ESPD response."""
    try:
        root = SafeElementTree.parse(upload, forbid_dtd=True).getroot()
    except (SafeElementTree.ParseError, DefusedXmlException, ValueError):
        return False
    finally:
        upload.seek(0)
    return root.tag.rsplit("}", 1)[-1] in ESPD_ROOTS


# extension -> the check of the content a file with that extension must pass
CONTENT_CHECKS = {".pdf": is_pdf, ".docx": is_docx, ".odt": is_odt, ".p7m": is_p7m}
