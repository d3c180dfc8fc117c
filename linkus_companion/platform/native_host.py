"""`linkus-companion native-host`: the process a browser starts for our extension, relaying to the running app."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO

from linkus_companion.platform import single_instance
from linkus_companion.platform.dial import DialError, number_from_text
from linkus_companion.platform.native_messaging import (
    EndOfInput,
    ProtocolError,
    Request,
    caller_origin,
    origin_allowed,
    parse_request,
    read_frame,
    write_frame,
)
from linkus_companion.terminal import say
from linkus_companion.texts import Text, text_of

log = logging.getLogger(__name__)

Relay = Callable[[dict[str, str]], "dict[str, Any] | None"]
"""Sends a request to the running app and returns its answer (None: no app is running)."""

MAX_MESSAGES = 1000
"""A connection that sends more than this is not our extension's popup or page; the host exits."""
_NOT_RUNNING = Text("Linkus Companion is not running on this computer; start it and try again.")


def serve(stdin: BinaryIO, stdout: BinaryIO, argv: Sequence[str], relay: Relay) -> int:
    """Answer the extension's messages until the browser closes the port; 1 when refused or broken."""
    origin = caller_origin(argv)
    if not origin_allowed(origin):
        log.warning("Refused a native messaging connection from %r", origin[:100])
        write_frame(stdout, _refused(Text("This program only answers the Linkus Companion extension.")))
        return 1
    for _ in range(MAX_MESSAGES):
        try:
            body = read_frame(stdin)
        except EndOfInput:
            return 0
        except ProtocolError as exc:
            write_frame(stdout, _refused(text_of(exc)))
            return 1
        try:
            request = parse_request(body)
        except ProtocolError as exc:
            write_frame(stdout, _refused(text_of(exc)))
            continue
        write_frame(stdout, answer(request, relay))
    return 1


def answer(request: Request, relay: Relay) -> dict[str, Any]:
    """The reply to one valid request: the app's answer, or why there is none."""
    fields: dict[str, str] = {"type": request.type}
    if request.type == "dial":
        try:
            number_from_text(request.number)
        except DialError as exc:
            return {"type": "dial", "ok": False, "state": "invalid", "message": say(text_of(exc))}
        fields |= {"number": request.number, "source": request.source}
    try:
        reply = relay(fields)
    except single_instance.SingleInstanceError as exc:
        return {"type": request.type, "ok": False, "state": "app_error", "message": say(text_of(exc))}
    if reply is None:
        return {"type": request.type, "ok": False, "state": "not_running", "message": say(_NOT_RUNNING)}
    return {**reply, "type": request.type}


def _refused(message: str) -> dict[str, Any]:
    return {"type": "error", "ok": False, "state": "refused", "message": say(message)}


def relay_to_app(fields: dict[str, str]) -> dict[str, Any] | None:
    """The single-instance channel of this user's running app."""
    return single_instance.request(single_instance.server_name(), fields)


def main(argv: Sequence[str]) -> int:
    """Entry point: log to stderr only (stdout carries the protocol)."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="native-host: %(message)s")
    return serve(sys.stdin.buffer, sys.stdout.buffer, argv, relay_to_app)
