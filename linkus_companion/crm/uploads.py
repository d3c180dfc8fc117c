"""Streamed multipart/form-data bodies for file uploads read from disk in chunks, and upload limits."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from linkus_companion.crm.base import RecordingFile, ValidationFailed
from linkus_companion.texts import Text

CHUNK = 256 * 1024
PLAYABLE = frozenset({"audio/wav", "audio/mpeg"})


@dataclass(frozen=True)
class Part:
    """One form field: inline `value`, or the file at `path` (streamed)."""

    name: str
    value: bytes = b""
    content_type: str = ""
    filename: str = ""
    path: Path | None = None
    size: int = 0


@dataclass(frozen=True)
class Multipart:
    """A form whose body is made afresh for every attempt, never held whole in memory."""

    content_type: str
    length: int
    body: Callable[[], AsyncIterator[bytes]]

    @property
    def headers(self) -> dict[str, str]:
        """`Content-Type` with the boundary and the exact `Content-Length`."""
        return {"Content-Type": self.content_type, "Content-Length": str(self.length)}


def file_part(name: str, recording: RecordingFile) -> Part:
    """The recording as a file field."""
    return Part(
        name,
        content_type=recording.content_type,
        filename=recording.name,
        path=recording.path,
        size=recording.size,
    )


def multipart(parts: Sequence[Part]) -> Multipart:
    """The form of `parts`, with a random boundary."""
    boundary = "----linkus" + secrets.token_hex(16)
    pieces: list[tuple[bytes, Part | None]] = []
    for part in parts:
        disposition = f'form-data; name="{_quoted(part.name)}"'
        if part.filename or part.path is not None:
            disposition += f'; filename="{_quoted(part.filename)}"'
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
        if part.content_type:
            head += f"Content-Type: {part.content_type}\r\n"
        pieces.append(((head + "\r\n").encode(), None))
        pieces.append((part.value, part if part.path is not None else None))
        pieces.append((b"\r\n", None))
    pieces.append((f"--{boundary}--\r\n".encode(), None))
    length = sum(len(raw) + (piece.size if piece else 0) for raw, piece in pieces)

    async def body() -> AsyncIterator[bytes]:
        for raw, piece in pieces:
            if piece is None:
                yield raw
                continue
            assert piece.path is not None
            with piece.path.open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    yield chunk

    return Multipart(f"multipart/form-data; boundary={boundary}", length, body)


def check_limits(crm: str, recording: RecordingFile, max_bytes: int) -> None:
    """Refuse, with a sentence the admin can act on, a file the CRM would not take or play."""
    if recording.content_type not in PLAYABLE:
        raise ValidationFailed(
            Text(
                "The recording {name} is {kind}; {crm} plays only WAV and MP3 recordings. "
                "Set the PBX to record in WAV or MP3.",
                name=recording.name,
                kind=recording.content_type,
                crm=crm,
            )
        )
    if recording.size > max_bytes:
        raise ValidationFailed(
            Text(
                "The recording {name} is {size} MB; {crm} takes files up to {limit} MB, so it was not "
                "uploaded. Deliver recordings as links (setting: Recording delivery) for calls this long.",
                name=recording.name,
                size=f"{recording.size / 2**20:.1f}",
                crm=crm,
                limit=f"{max_bytes / 2**20:.0f}",
            )
        )


def _quoted(text: str) -> str:
    """A header parameter value: quotes and line breaks cannot break out of it."""
    return text.replace("\\", "\\\\").replace('"', "%22").replace("\r", "").replace("\n", "")
