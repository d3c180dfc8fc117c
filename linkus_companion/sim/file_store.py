"""Files uploaded to an emulated CRM, kept on disk (never whole in memory) and served with range requests."""

from __future__ import annotations

import hashlib
import itertools
import shutil
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.responses import FileResponse, Response

CHUNK = 256 * 1024
FORM_LIMITS = {"max_files": 4, "max_fields": 16, "max_part_size": 1024 * 1024}
"""What the emulators' multipart parser accepts: a few parts, non-file fields up to 1 MB each."""


@dataclass(frozen=True)
class StoredFile:
    """One uploaded file."""

    id: str
    name: str
    content_type: str
    size: int
    sha256: str
    path: Path
    parent: str
    """The record the file was attached to ("" when none)."""


class FileStore:
    """Uploaded files in a private temporary directory, removed with the store."""

    def __init__(self) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="linkus-sim-files-"))
        weakref.finalize(self, shutil.rmtree, self._dir, True)
        self._serial = itertools.count(1)
        self.files: dict[str, StoredFile] = {}

    async def save(self, file_id: str, upload: UploadFile, *, name: str = "", parent: str = "") -> StoredFile:
        """Copy an uploaded part to disk in chunks."""
        path = self._dir / f"{next(self._serial)}.bin"
        digest = hashlib.sha256()
        size = 0
        await upload.seek(0)
        with path.open("wb") as out:
            while chunk := await upload.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
        content_type = upload.content_type or "application/octet-stream"
        stored = StoredFile(
            file_id, name or upload.filename or "", content_type, size, digest.hexdigest(), path, parent
        )
        self.files[file_id] = stored
        return stored

    def remove(self, file_id: str) -> None:
        """Forget a file and delete its bytes."""
        stored = self.files.pop(file_id, None)
        if stored is not None:
            stored.path.unlink(missing_ok=True)

    def read(self, file_id: str) -> bytes:
        """A file's bytes (test helper)."""
        return self.files[file_id].path.read_bytes()


def serve(stored: StoredFile, *, attachment: bool = False) -> Response:
    """The file with its type and length, honouring `Range` as the CRMs' file servers do."""
    disposition = "attachment" if attachment else "inline"
    return FileResponse(
        stored.path,
        media_type=stored.content_type,
        filename=stored.name or None,
        content_disposition_type=disposition,
        headers={"Accept-Ranges": "bytes"},
    )
