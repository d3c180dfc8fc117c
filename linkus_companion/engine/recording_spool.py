"""PBX recordings copied to disk in chunks before an upload, so retries never download or buffer them again."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path, PurePosixPath

from linkus_companion.crm.base import RecordingFile
from linkus_companion.pbx.client import PbxClient

log = logging.getLogger(__name__)

MEDIA_TYPES = {".wav": "audio/wav", ".mp3": "audio/mpeg"}


def media_type(file: str) -> str:
    """The content type of a PBX recording file name (WAV or MP3; anything else is octet-stream)."""
    return MEDIA_TYPES.get(PurePosixPath(file).suffix.lower(), "application/octet-stream")


class RecordingSpool:
    """A private directory of complete recordings waiting to be uploaded (owner-only permissions)."""

    def __init__(self, pbx: PbxClient, directory: Path) -> None:
        self._pbx = pbx
        self._dir = directory

    async def fetch(self, key: str, file: str, name: str) -> RecordingFile:
        """The recording `file` on disk under `key`, downloaded from the PBX unless already complete.

        An interrupted download leaves only a `.part` file, which the next attempt replaces: the PBX's
        recording download has no documented range support, so it restarts from the first byte.
        """
        done = self._path(key, file)
        if not done.exists():
            self._dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            partial = done.with_suffix(done.suffix + ".part")
            try:
                with partial.open("wb") as out:
                    os.chmod(partial, 0o600)
                    async with self._pbx.stream_recording(file) as chunks:
                        async for chunk in chunks:
                            out.write(chunk)
                    out.flush()
                    os.fsync(out.fileno())
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
            partial.replace(done)
            log.info("recording for %s spooled (%d bytes)", key, done.stat().st_size)
        return RecordingFile(done, name, done.stat().st_size, media_type(file))

    def discard(self, key: str, file: str) -> None:
        """Delete the spooled copy (after the upload, or when the recording was deleted on request)."""
        self._path(key, file).unlink(missing_ok=True)

    def discard_call(self, call_id: str) -> int:
        """Delete every spooled recording of a call; how many were removed."""
        return discard_call(self._dir, call_id)

    def _path(self, key: str, file: str) -> Path:
        call_id, _, rest = key.partition(":")
        digest = hashlib.sha256(f"{rest}\0{file}".encode()).hexdigest()[:24]
        return self._dir / f"{_stem(call_id)}.{digest}{PurePosixPath(file).suffix.lower()}"


def discard_call(directory: Path, call_id: str) -> int:
    """Delete every copy of a call's recordings in `directory`; how many were removed."""
    if not directory.exists():
        return 0
    prefix = _stem(call_id) + "."
    removed = 0
    for path in directory.iterdir():
        if path.name.startswith(prefix):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _stem(call_id: str) -> str:
    """A file-name-safe form of the PBX call id."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in call_id) or "call"
