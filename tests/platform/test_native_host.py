"""The native messaging host as a browser runs it: a subprocess speaking length-prefixed JSON on stdin/stdout,
relaying to a running instance's single-instance channel (here a plain listener that records what arrives)."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
from typing import Any

import pytest

from linkus_companion.platform import native_host
from linkus_companion.platform.native_messaging import (
    CHROME_ORIGIN,
    FIREFOX_EXTENSION_ID,
    MAX_REQUEST,
    ProtocolError,
    caller_origin,
    parse_request,
)

FIREFOX_ARGS = ["/home/u/.mozilla/native-messaging-hosts/com.linkuscompanion.dial.json", FIREFOX_EXTENSION_ID]


def frame(message: object) -> bytes:
    body = json.dumps(message).encode()
    return struct.pack("<I", len(body)) + body


def replies(data: bytes) -> list[dict[str, Any]]:
    out, pos = [], 0
    while pos < len(data):
        (length,) = struct.unpack_from("<I", data, pos)
        out.append(json.loads(data[pos + 4 : pos + 4 + length]))
        pos += 4 + length
    return out


class App:
    """Stands in for the running app's channel: records each relayed request and answers it."""

    def __init__(self, answer: dict[str, Any] | None = None) -> None:
        self.requests: list[dict[str, str]] = []
        self.answer = answer

    def __call__(self, fields: dict[str, str]) -> dict[str, Any] | None:
        self.requests.append(fields)
        return self.answer


def run(stdin: bytes, argv: list[str], app: App) -> tuple[int, list[dict[str, Any]]]:
    out = io.BytesIO()
    code = native_host.serve(io.BytesIO(stdin), out, argv, app)
    return code, replies(out.getvalue())


DIALLING = {"ok": True, "state": "dialling", "number": "+14155550102", "message": ""}


def test_a_dial_is_relayed_and_answered_for_chrome_and_firefox() -> None:
    for argv in ([CHROME_ORIGIN], [CHROME_ORIGIN, "--parent-window=0"], FIREFOX_ARGS):
        app = App(DIALLING)
        code, out = run(frame({"type": "dial", "number": "(415) 555-0102", "source": "hubspot"}), argv, app)
        assert code == 0
        assert app.requests == [{"type": "dial", "number": "(415) 555-0102", "source": "hubspot"}]
        assert out == [{**DIALLING, "type": "dial"}]


def test_several_messages_on_one_port() -> None:
    app = App(DIALLING)
    code, out = run(
        frame({"type": "status"}) + frame({"type": "dial", "number": "1002"}), [CHROME_ORIGIN], app
    )
    assert code == 0 and len(out) == 2 and [r["type"] for r in app.requests] == ["status", "dial"]


def test_unknown_origins_are_refused_without_reading_or_dialling() -> None:
    for argv in (
        ["chrome-extension://aaaabbbbccccddddeeeeffffgggghhhh/"],
        ["x.json", "evil@example.com"],
        [],
    ):
        app = App(DIALLING)
        code, out = run(frame({"type": "dial", "number": "+14155550102"}), argv, app)
        assert code == 1 and app.requests == []
        assert out[0]["state"] == "refused"


def test_oversized_frames_are_refused_before_their_body_is_read() -> None:
    app = App(DIALLING)
    huge = struct.pack("<I", MAX_REQUEST + 1) + b"{" * 10
    code, out = run(huge + frame({"type": "dial", "number": "+14155550102"}), [CHROME_ORIGIN], app)
    assert code == 1 and app.requests == []
    assert out == [{"type": "error", "ok": False, "state": "refused", "message": out[0]["message"]}]
    assert str(MAX_REQUEST) in out[0]["message"]
    code, out = run(struct.pack("<I", 4000), [CHROME_ORIGIN], app)
    assert code == 1 and app.requests == [] and "cut short" in out[0]["message"]


@pytest.mark.parametrize(
    "message",
    [
        b"not json",
        b"\xff\xfe",
        b"[1, 2]",
        json.dumps({"type": "hangup"}).encode(),
        json.dumps({"type": "dial"}).encode(),
        json.dumps({"type": "dial", "number": 15550100}).encode(),
        json.dumps({"type": "dial", "number": "+15550100", "token": "x"}).encode(),
        json.dumps({"type": "dial", "number": "1" * 300}).encode(),
        json.dumps({"type": "dial", "number": "   "}).encode(),
    ],
)
def test_malformed_messages_are_refused_without_dialling_and_the_port_stays_usable(message: bytes) -> None:
    app = App(DIALLING)
    data = struct.pack("<I", len(message)) + message + frame({"type": "status"})
    code, out = run(data, [CHROME_ORIGIN], app)
    assert code == 0
    assert out[0]["ok"] is False and out[0]["state"] == "refused"
    assert app.requests == [{"type": "status"}]


def test_text_that_is_not_a_number_is_refused_before_the_app_is_asked() -> None:
    app = App(DIALLING)
    for text in ("javascript:alert(1)", "call me", "<b>5550100</b>", "+1\x00555"):
        _code, out = run(frame({"type": "dial", "number": text}), [CHROME_ORIGIN], app)
        assert out[0]["state"] == "invalid" and out[0]["message"]
    assert app.requests == []


def test_no_running_app_is_said_plainly() -> None:
    _code, out = run(frame({"type": "dial", "number": "+14155550102"}), [CHROME_ORIGIN], App(None))
    assert out[0]["state"] == "not_running" and "not running" in out[0]["message"]


def test_caller_origin_and_parse() -> None:
    assert caller_origin(["--parent-window=12", CHROME_ORIGIN]) == CHROME_ORIGIN
    assert caller_origin(FIREFOX_ARGS) == FIREFOX_EXTENSION_ID
    assert parse_request(b'{"type":"status"}').type == "status"
    with pytest.raises(ProtocolError):
        parse_request(b'{"type":"status","number":"1"}')


def test_the_host_command_speaks_the_protocol_on_stdio_with_no_app_running() -> None:
    """`linkus-companion native-host ORIGIN` as Chrome starts it (this test's profile has no running app)."""
    data = frame({"type": "dial", "number": "+14155550102"}) + frame({"type": "status"})
    done = subprocess.run(
        [sys.executable, "-m", "linkus_companion", "native-host", CHROME_ORIGIN],
        input=data,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert [r["state"] for r in replies(done.stdout)] == ["not_running", "not_running"]
