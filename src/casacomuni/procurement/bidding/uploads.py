"""A bid's files stay in memory until they are sealed (``services.add_document``), on the page and in the API.

Django spools an uploaded file over FILE_UPLOAD_MAX_MEMORY_SIZE to the temporary folder, in clear, where a
crashed worker would leave it outside the sealing. The handler is set before the request's body is read.
"""

from functools import wraps

from django.core.files.uploadhandler import MemoryFileUploadHandler

from casacomuni.procurement.bidding.services import MAX_DOCUMENT_BYTES


class InMemoryUploadHandler(MemoryFileUploadHandler):
    """Keeps the files in memory up to the largest request accepted; a larger request brings no file, and the
    form or the API says to choose one."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = content_length <= MAX_DOCUMENT_BYTES + 1024 * 1024


def in_memory_uploads(view):
    """For a view, or a ninja operation's ``run`` (``ninja.decorators.decorate_view``): it runs before the body
    is parsed."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.upload_handlers = [InMemoryUploadHandler(request)]
        return view(request, *args, **kwargs)

    return wrapper
