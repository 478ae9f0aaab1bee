"""PDF files: a check that an uploaded file really is one, and small one-page PDFs for the demo and tests.

The upload check reads the file's whole structure with pypdf (cross-reference table or stream, trailer,
catalogue, page tree), not only its first bytes: a ``%PDF-`` header glued in front of an executable or an
archive is not a document an officer can open and file.
"""

import logging

from pypdf import PdfReader

# pypdf reports every repair of a slightly damaged file as a warning: the check only needs its verdict.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def is_readable_pdf(stream) -> bool:
    """True when ``stream`` (rewound afterwards) is a PDF with at least one page that opens without a
    password. Real-world files with small defects pypdf repairs (as viewers do) are accepted."""
    stream.seek(0)
    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return False
        return len(reader.pages) > 0
    except Exception:  # noqa: BLE001 - any failure to read an untrusted file means "not a PDF"
        return False
    finally:
        stream.seek(0)


def act_pdf(lines: list[str]) -> bytes:
    """A one-page A4 PDF 1.4 with ``lines`` in Helvetica: small, valid, and quick to make (no renderer)."""
    text = b"".join(b"(" + pdf_string(line) + b") Tj T* " for line in lines)
    content = b"BT /F1 11 Tf 16 TL 60 780 Td " + text + b"ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    body = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(body)


def pdf_string(line: str) -> bytes:
    """A PDF literal string in WinAnsi (Italian letters and the euro sign fit), with its specials escaped."""
    encoded = line.encode("cp1252", errors="replace")
    return encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
