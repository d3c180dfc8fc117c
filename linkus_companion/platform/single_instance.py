"""One running app per user: a second launch hands its arguments (e.g. a tel: URL) to the first and exits."""

from __future__ import annotations

import errno
import getpass
import hashlib
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QLockFile, QObject, QTimer, Signal

from linkus_companion import APP_ID, paths
from linkus_companion.os_cause import os_why
from linkus_companion.texts import Text

if sys.platform == "win32":
    from linkus_companion.platform import local_pipe as transport
else:
    from linkus_companion.platform import local_socket as transport

log = logging.getLogger(__name__)

CONNECT_MS = 100
"""How long a second launch waits for the running instance to accept it."""
WRITE_MS = 500
READ_TIMEOUT_MS = 2000
"""A client that has not sent its line by then is dropped."""
MAX_MESSAGE = 64 * 1024
RETRY_SECONDS = 0.5
"""Pause before handing off again when two launches raced for the server name."""
REPLY_MS = 20_000
"""How long a request (from the browser extension's host) waits for the running instance's answer."""
ATIME_REFRESH_MS = 6 * 3600 * 1000
"""Touch the Unix socket this often so tmp cleaners keep it."""
_VERSION = 1


class SingleInstanceError(RuntimeError):
    """Neither handing off to a running instance nor becoming it worked; the message says why."""


class AddressInUse(SingleInstanceError):
    """Another process holds the server name (typically one that started at the same moment)."""


def server_name() -> str:
    """This user's and profile's server name: a named pipe on Windows, a socket path elsewhere.

    The path is hashed and, on macOS, short (Unix socket paths are limited to 104 bytes there).
    """
    key = f"{getpass.getuser()}\0{paths.data_dir()}"
    digest = hashlib.sha256(key.encode()).hexdigest()
    if sys.platform == "win32":
        return f"{APP_ID}-{digest[:16]}"
    elif sys.platform == "darwin":
        return str(Path(tempfile.gettempdir()) / f"lc-{digest[:12]}")
    else:
        runtime = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
        return str(Path(runtime) / f"{APP_ID}-{digest[:16]}")


def claim(args: Sequence[str], name: str | None = None) -> InstanceServer | None:
    """Hand `args` to the running instance and return None, or become it and return its listening server.

    Call once at start-up, after creating the QApplication and before the loop runs: it may block
    for a fraction of a second. A lock file serialises two launches that start at the same moment.
    """
    name = name or server_name()
    lock = QLockFile(_lock_path(name))
    if not lock.tryLock(5000):
        raise SingleInstanceError(Text("Another Linkus Companion is starting and did not finish; try again."))
    try:
        return _send_or_listen(args, name)
    finally:
        lock.unlock()


def _send_or_listen(args: Sequence[str], name: str) -> InstanceServer | None:
    if send(name, args):
        return None
    server = InstanceServer(name)
    try:
        server.listen()
    except AddressInUse:
        server.close()
        time.sleep(RETRY_SECONDS)
        if send(name, args):
            return None
        raise
    return server


def send(name: str, args: Sequence[str]) -> bool:
    """Send `args` as one JSON line to the instance listening on `name`; False when none is there."""
    client = transport.connect(name, CONNECT_MS / 1000)
    if client is None:
        return False
    try:
        return client.write(json.dumps({"v": _VERSION, "args": list(args)}).encode() + b"\n", WRITE_MS / 1000)
    finally:
        client.close()


def request(name: str, message: dict[str, str], timeout_ms: int = REPLY_MS) -> dict[str, Any] | None:
    """Send one request to the running instance and return its answer; None when no instance listens.

    Raises SingleInstanceError when the instance does not answer in time or answers garbage.
    """
    client = transport.connect(name, CONNECT_MS / 1000)
    if client is None:
        return None
    try:
        if not client.write(
            json.dumps({"v": _VERSION, "request": message}).encode() + b"\n", WRITE_MS / 1000
        ):
            raise SingleInstanceError(Text("Linkus Companion did not take the request; try again."))
        line = client.read_line(MAX_MESSAGE + 1, timeout_ms / 1000)
        if line is None:
            raise SingleInstanceError(Text("Linkus Companion did not answer in time; try again."))
    finally:
        client.close()
    answer = _json_object(line)
    if answer is None:
        raise SingleInstanceError(Text("Linkus Companion sent an answer that cannot be read."))
    return answer


class Reply:
    """The way back to the process that sent a request: answer once, then the connection closes."""

    def __init__(self, peer: transport.Peer) -> None:
        self._peer: transport.Peer | None = peer

    def send(self, answer: dict[str, Any]) -> None:
        """Write `answer` as one JSON line (later calls do nothing)."""
        peer, self._peer = self._peer, None
        if peer is None or not shiboken6.isValid(peer) or not peer.is_open:
            return  # the asker went away (e.g. the browser closed) and its connection was deleted
        peer.write_and_close(json.dumps(answer).encode() + b"\n")


def _lock_path(name: str) -> str:
    if os.path.isabs(name):
        return f"{name}.lock"
    return str(Path(tempfile.gettempdir()) / f"{name}.lock")


class InstanceServer(QObject):
    """The running instance's end: accepts local connections and emits the arguments each one sends.

    Signals:
        got_args(list): the arguments of a later launch (a list of str; empty when it had none,
            which means "show yourself").
        got_request(dict, Reply): a request of str fields (from the browser extension's host) that
            waits for an answer through the Reply.
    """

    got_args = Signal(list)
    got_request = Signal(dict, object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._listener = transport.Listener(self)
        self._listener.accepted.connect(self._on_accepted)
        self._peers: set[transport.Peer] = set()
        self._atime_timer = QTimer(self)
        self._atime_timer.setInterval(ATIME_REFRESH_MS)
        self._atime_timer.timeout.connect(self.on_atime_timer)

    @property
    def full_name(self) -> str:
        """The socket path (Unix) or pipe name (Windows) while listening."""
        return self._listener.full_name

    def listen(self) -> None:
        """Remove a stale socket left by a crash and listen; AddressInUse or SingleInstanceError if not."""
        try:
            self._listener.listen(self._name)
        except OSError as exc:
            message = Text("Cannot listen on {name}: {why}", name=self._name, why=os_why(exc))
            if exc.errno == errno.EADDRINUSE:
                raise AddressInUse(message) from None
            raise SingleInstanceError(message) from None
        if sys.platform != "win32":
            self._atime_timer.start()
        log.debug("Single-instance server listening on %s", self.full_name)

    def close(self) -> None:
        """Stop listening and drop every client."""
        self._atime_timer.stop()
        self._listener.close()
        for peer in list(self._peers):
            peer.abort()
            self._forget(peer)

    def on_atime_timer(self) -> None:
        """Touch the socket; listen again if a tmp cleaner removed it anyway."""
        try:
            os.utime(self.full_name)
        except FileNotFoundError:
            log.warning("Single-instance socket %s vanished; listening again", self._name)
            self._listener.close()
            try:
                self.listen()
            except SingleInstanceError as error:
                log.error("Later launches will start a second app: %s", error)

    def _on_accepted(self, peer: transport.Peer) -> None:
        self._peers.add(peer)
        timer = QTimer(peer)
        timer.setSingleShot(True)
        timer.timeout.connect(self._on_read_timeout)
        timer.start(READ_TIMEOUT_MS)
        peer.readable.connect(self._on_peer_readable)
        peer.closed.connect(self._on_peer_closed)
        self._on_ready_read(peer)

    # Slots find their peer through sender(): lambdas capturing a peer crash PySide when the
    # server is garbage-collected while the peer's deleteLater() is pending.
    def _on_peer_readable(self) -> None:
        peer = self.sender()
        if isinstance(peer, transport.Peer):
            self._on_ready_read(peer)

    def _on_peer_closed(self) -> None:
        peer = self.sender()
        if isinstance(peer, transport.Peer):
            self._forget(peer)

    def _on_read_timeout(self) -> None:
        timer = self.sender()
        peer = timer.parent() if timer is not None else None
        if isinstance(peer, transport.Peer):
            log.warning("Dropped a single-instance client that sent nothing for %d ms", READ_TIMEOUT_MS)
            peer.abort()

    def _on_ready_read(self, peer: transport.Peer) -> None:
        line = peer.take_line(MAX_MESSAGE + 1)
        if line is None:
            if peer.buffered() > MAX_MESSAGE:
                log.warning("Dropped a single-instance message over %d bytes", MAX_MESSAGE)
                peer.abort()
            return
        decoded = _decode(line)
        if isinstance(decoded, dict):
            for timer in peer.findChildren(QTimer):
                timer.start(REPLY_MS)
            self.got_request.emit(decoded, Reply(peer))
            return
        peer.write_and_close(b"")
        if decoded is None:
            log.warning("Dropped a malformed single-instance message (%d bytes)", len(line))
            return
        self.got_args.emit(decoded)

    def _forget(self, peer: transport.Peer) -> None:
        if peer in self._peers:
            self._peers.discard(peer)
            peer.deleteLater()


def _json_object(line: bytes) -> dict[str, Any] | None:
    try:
        message = json.loads(line)
    except (UnicodeDecodeError, ValueError):
        return None
    return message if isinstance(message, dict) else None


def _decode(line: bytes) -> list[str] | dict[str, str] | None:
    """A launch's arguments, a request's fields, or None for anything else."""
    message = _json_object(line)
    if message is None or message.get("v") != _VERSION:
        return None
    request = message.get("request")
    if isinstance(request, dict):
        if all(isinstance(k, str) and isinstance(v, str) for k, v in request.items()):
            return request
        return None
    args = message.get("args")
    if not isinstance(args, list) or not all(isinstance(arg, str) for arg in args):
        return None
    return args
