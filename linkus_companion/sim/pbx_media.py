"""Recording audio (a generated WAV tone) and the short-lived download URLs of recording/download."""

from __future__ import annotations

import datetime as dt
import io
import math
import struct
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from linkus_companion.sim.pbx_auth import random_token

SAMPLE_RATE = 8000
MAX_AUDIO_SECONDS = 30
DOWNLOAD_URL_TTL = dt.timedelta(minutes=30)


def _frames(seconds: int) -> int:
    return SAMPLE_RATE * min(seconds, MAX_AUDIO_SECONDS)


def wav_size(seconds: int) -> int:
    """Byte size of the WAV served for a recording of `seconds` (44-byte header + 16-bit mono)."""
    return 44 + 2 * _frames(seconds)


def wav_bytes(seconds: int) -> bytes:
    """A 16-bit mono 8 kHz WAV: a quiet 440 Hz tone, capped at MAX_AUDIO_SECONDS."""
    count = _frames(seconds)
    samples = (int(3000 * math.sin(2 * math.pi * 440 * i / SAMPLE_RATE)) for i in range(count))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(struct.pack(f"<{count}h", *samples))
    return buffer.getvalue()


def long_wav(total: int, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """A WAV of exactly `total` bytes (44-byte header, then a repeating tone), in chunks, never whole."""
    data = max(0, total - 44)
    header = (
        b"RIFF"
        + struct.pack("<I", 36 + data)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, SAMPLE_RATE, SAMPLE_RATE * 2, 2, 16)
        + b"data"
        + struct.pack("<I", data)
    )
    period = wav_bytes(1)[44 : 44 + 2 * SAMPLE_RATE // 440 * 440]
    block = (period * (chunk // len(period) + 1))[:chunk]
    yield header
    while data > 0:
        yield block[: min(chunk, data)]
        data -= min(chunk, data)


@dataclass(frozen=True)
class Ticket:
    """A download URL handed out by recording/download."""

    file: str
    seconds: int
    expires: dt.datetime


class DownloadTickets:
    """Issues `/api/download/...` paths valid for 30 minutes and resolves them back to recordings."""

    def __init__(self, now: Callable[[], dt.datetime], firmware: str) -> None:
        self._now = now
        self._firmware = firmware
        self._tickets: dict[str, Ticket] = {}

    def issue(self, file: str, seconds: int) -> str:
        """A new `download_resource_url` for `file`."""
        now = self._now()
        name = f"Recording-{self._firmware}-download-{now:%Y%m%d%H%M%S}-{random_token(16)}.wav"
        self._tickets[name] = Ticket(file, seconds, now + DOWNLOAD_URL_TTL)
        return f"/api/download/{name}"

    def resolve(self, name: str) -> Ticket | None:
        """The ticket behind a download name, if it exists and has not expired."""
        ticket = self._tickets.get(name)
        return ticket if ticket and ticket.expires > self._now() else None

    def expire_all(self) -> None:
        """Every download URL expires now (test hook)."""
        self._tickets.clear()
