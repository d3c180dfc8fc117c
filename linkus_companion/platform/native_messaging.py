"""The browser's native messaging wire format: length-prefixed JSON frames, the strict request schema, origins."""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Literal

from linkus_companion.texts import Text

HOST_NAME = "com.linkuscompanion.dial"
"""The native messaging host name the extension connects to (lowercase, dots, as browsers require)."""
CHROME_EXTENSION_ID = "pjbgleijgefboahnbhkhknhmcmojbdnm"
"""Our extension's id in Chrome, Edge and Chromium (fixed by the public `key` in its manifest.json)."""
FIREFOX_EXTENSION_ID = "dial@linkuscompanion.com"
"""Our extension's id in Firefox (`browser_specific_settings.gecko.id`)."""
CHROME_ORIGIN = f"chrome-extension://{CHROME_EXTENSION_ID}/"

MAX_REQUEST = 4096
"""Largest message we accept from the extension, in bytes; a dial request is far smaller."""
MAX_REPLY = 1024 * 1024
"""Browsers refuse host messages over 1 MB."""
MAX_NUMBER = 256
MAX_SOURCE = 32
_HEADER = struct.Struct("<I")
"""Chrome and Firefox use native byte order; every platform they support is little-endian."""

RequestType = Literal["dial", "status"]
_FIELDS: dict[str, dict[str, int]] = {
    "dial": {"type": 0, "number": MAX_NUMBER, "source": MAX_SOURCE},
    "status": {"type": 0},
}
"""Each request type's allowed fields and the longest string each may hold; `type` is required."""


class ProtocolError(ValueError):
    """A frame or message we refuse; the message says why (sent back to the extension)."""


class EndOfInput(Exception):
    """The browser closed our stdin: the port is gone, the host exits."""


@dataclass(frozen=True)
class Request:
    """One validated message from the extension."""

    type: RequestType
    number: str = ""
    source: str = ""
    """Where the number was clicked: hubspot, salesforce, zoho, selection (for the log only)."""


def read_frame(stream: BinaryIO) -> bytes:
    """One message body; EndOfInput at a clean end, ProtocolError for an oversized or cut frame.

    An oversized frame is refused before its body is read: the host then exits, since the rest of
    the stream can no longer be trusted to be aligned on frames.
    """
    header = stream.read(_HEADER.size)
    if not header:
        raise EndOfInput
    if len(header) < _HEADER.size:
        raise ProtocolError(Text("The message header was cut short."))
    (length,) = _HEADER.unpack(header)
    if length > MAX_REQUEST:
        raise ProtocolError(
            Text("The message is {size} bytes; at most {most} are accepted.", size=length, most=MAX_REQUEST)
        )
    body = stream.read(length)
    if len(body) < length:
        raise ProtocolError(Text("The message was cut short."))
    return body


def write_frame(stream: BinaryIO, message: dict[str, Any]) -> None:
    """Send one message as compact UTF-8 JSON with its length prefix."""
    body = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()
    if len(body) > MAX_REPLY:
        raise ProtocolError(Text("A reply of {size} bytes is over the browser's limit.", size=len(body)))
    stream.write(_HEADER.pack(len(body)) + body)
    stream.flush()


def parse_request(body: bytes) -> Request:
    """Decode and validate one message: a JSON object of a known type with only its own string fields."""
    try:
        message = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ProtocolError(Text("The message is not valid UTF-8 JSON.")) from None
    if not isinstance(message, dict):
        raise ProtocolError(Text("The message must be a JSON object."))
    kind = message.get("type")
    fields = _FIELDS.get(kind) if isinstance(kind, str) else None
    if fields is None:
        raise ProtocolError(Text("Unknown message type."))
    for name, value in message.items():
        if name not in fields:
            raise ProtocolError(Text('Unexpected field "{name}" in a {kind} message.', name=name, kind=kind))
        if not isinstance(value, str):
            raise ProtocolError(Text('The field "{name}" must be a string.', name=name))
        if fields[name] and len(value) > fields[name]:
            raise ProtocolError(
                Text('The field "{name}" is longer than {most} characters.', name=name, most=fields[name])
            )
    if kind == "dial" and not message.get("number", "").strip():
        raise ProtocolError(Text("A dial message needs a number."))
    return Request(kind, message.get("number", ""), message.get("source", ""))  # type: ignore[arg-type]


def caller_origin(argv: Sequence[str]) -> str:
    """Which extension started the host, from the arguments browsers pass.

    Chrome, Edge and Chromium pass the caller's origin (`chrome-extension://id/`) first (Windows adds
    `--parent-window=N`); Firefox passes our manifest's path, then the extension's id.
    """
    for arg in argv:
        if arg.startswith("chrome-extension://"):
            return arg
    if len(argv) >= 2 and argv[0].endswith(".json"):
        return argv[1]
    return ""


def origin_allowed(origin: str) -> bool:
    """Only our own extension may talk to the host (browsers check it too; this guards a copied manifest)."""
    return origin in (CHROME_ORIGIN, FIREFOX_EXTENSION_ID)
