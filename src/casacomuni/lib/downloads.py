"""Stored files streamed as attachments to their readers only (never from MEDIA_URL): the views find the file
through the reader's scope first, then hand it here."""

from pathlib import PurePosixPath

from django.http import FileResponse

from casacomuni.lib.uploads import CONTENT_TYPES


def stream(stored_file, name: str) -> FileResponse:
    extension = PurePosixPath(name).suffix.lower()
    return FileResponse(
        stored_file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
