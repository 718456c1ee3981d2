"""Upload handling with a hard cap, for views that take files from anyone.

Django's default handlers accept a body of any size (spilled to a temporary file). A public
form must stop reading once the file passes its limit: `CappedUploadHandler` counts the bytes of
the files as they stream in and stops the parser (without reading the rest of the body) past
the cap; the view then sees `request.upload_too_big` and answers with a message.
"""

import tempfile

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

# Room for the other fields and the multipart framing when judging a declared Content-Length.
FORM_OVERHEAD_BYTES = 64 * 1024


class CappedUploadHandler(FileUploadHandler):
    """Keeps a file in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE, then on disk, and gives up
    past `cap` bytes of file data in the whole request."""

    def __init__(self, request, *, cap: int):
        super().__init__(request)
        self.cap = cap
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file = tempfile.SpooledTemporaryFile(
            max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE,
            dir=settings.FILE_UPLOAD_TEMP_DIR,
        )

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.cap:
            self.file.close()
            self.request.upload_too_big = True
            # connection_reset: do not read (and so do not receive) the rest of the body.
            raise StopUpload(connection_reset=True)
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.file.seek(0)
        return UploadedFile(
            file=self.file,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def declared_too_big(request, *, cap: int) -> bool:
    """A body whose Content-Length alone is over the cap is refused before it is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > cap + FORM_OVERHEAD_BYTES


def cap_uploads(request, *, cap: int) -> None:
    """Call before anything reads request.POST or request.FILES (so: in a csrf_exempt view
    that then runs its csrf_protect'ed body)."""
    request.upload_too_big = False
    request.upload_handlers = [CappedUploadHandler(request, cap=cap)]
