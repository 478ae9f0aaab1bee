"""Storage of uploaded files: private names, and writes that never leave a partial file behind.

Uploaded acts (resolutions, signed agreements) are never served as static media: views that check the
tenancy stream them. Their stored names are random, so a name reveals nothing and cannot be guessed.
"""

import os
import tempfile
import uuid
from pathlib import PurePosixPath

from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from django.utils.deconstruct import deconstructible


@deconstructible
class private_upload_to:  # noqa: N801 (used like a function in FileField(upload_to=...))
    """``prefix/YYYY/<random>.<ext>``: the user's file name is kept only in the database, if at all."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self, instance, filename: str) -> str:
        extension = PurePosixPath(filename).suffix.lower()[:10]
        return f"{self.prefix}/{timezone.now():%Y}/{uuid.uuid4().hex}{extension}"

    def __eq__(self, other):
        return isinstance(other, private_upload_to) and other.prefix == self.prefix


class AtomicFileSystemStorage(FileSystemStorage):
    """Django's FileSystemStorage writes straight to the final path, so a crash can leave half a file
    there (DOMAIN.md §8). This one writes to a temporary file in the same folder, flushes it to disk and
    renames it into place, which is atomic on POSIX file systems."""

    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        while os.path.exists(full_path):
            name = self.get_alternative_name(*os.path.splitext(name))
            full_path = self.path(name)
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".upload-")
        try:
            with os.fdopen(descriptor, "wb") as target:
                if hasattr(content, "seek"):
                    content.seek(0)
                for chunk in content.chunks():
                    target.write(chunk)
                target.flush()
                os.fsync(target.fileno())
            os.chmod(temporary, self.file_permissions_mode or 0o640)
            os.replace(temporary, full_path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
        return str(name).replace("\\", "/")
