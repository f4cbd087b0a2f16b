"""An upload larger than ``SKA_MAX_UPLOAD_BYTES`` is not kept.

The first of Django's upload handlers: it counts each file's bytes as they arrive and, once a file
passes the limit, passes none of the rest on to the handlers that store it (in memory or in a
temporary file) — the rest of the request is read and thrown away, so that the browser still gets
an answer. The form then receives a stand-in with the size seen so far and no content, and every
place that takes an upload refuses it with its own message beside the field, as for any file that
is too large (``ska.excel.upload.read_upload``, the report images and logo). The other fields of
the form are kept.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class OversizedUpload(UploadedFile):
    """What is left of a file that was too large: its name and a size above the limit."""

    def __init__(self, name, content_type, size, charset=None, content_type_extra=None):
        super().__init__(io.BytesIO(b""), name, content_type, size, charset, content_type_extra)

    def open(self, mode=None):
        self.file.seek(0)
        return self


class SizeLimitUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.oversized = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.SKA_MAX_UPLOAD_BYTES:
            self.oversized = True
        return None if self.oversized else raw_data

    def file_complete(self, file_size):
        if not self.oversized:
            return None  # the next handler delivers the file
        return OversizedUpload(self.file_name, self.content_type, self.received, self.charset, self.content_type_extra)
