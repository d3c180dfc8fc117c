"""Local sockets of the single instance on Unix: the stdlib's AF_UNIX sockets, watched by Qt's event loop.

QtNetwork's QLocalServer would do the same and costs 2.6 MB of memory for as long as the app runs.
`local_pipe` has the same interface on Windows, where the stdlib serves no named pipes.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import socket
import time

from PySide6.QtCore import QObject, QSocketNotifier, Signal

log = logging.getLogger(__name__)

_CHUNK = 64 * 1024


class Peer(QObject):
    """One accepted connection: `readable` when bytes arrived, `closed` once it ended (either side).

    Signals:
        readable(): `take_line` may have a line now.
        closed(): the connection is over; nothing is read or written any more.
    """

    readable = Signal()
    closed = Signal()

    def __init__(self, sock: socket.socket, parent: QObject | None = None) -> None:
        super().__init__(parent)
        sock.setblocking(False)
        self._sock: socket.socket | None = sock
        self._in = bytearray()
        self._out = bytearray()
        self._closing = False
        self._reader = QSocketNotifier(sock.fileno(), QSocketNotifier.Type.Read, self)
        self._reader.activated.connect(self._on_readable)
        self._writer = QSocketNotifier(sock.fileno(), QSocketNotifier.Type.Write, self)
        self._writer.setEnabled(False)
        self._writer.activated.connect(self._flush)

    @property
    def is_open(self) -> bool:
        """Still connected and not closing."""
        return self._sock is not None and not self._closing

    def buffered(self) -> int:
        """Bytes received and not taken yet."""
        return len(self._in)

    def take_line(self, limit: int) -> bytes | None:
        """The next line (with its newline) when one has arrived within `limit` bytes, else None."""
        end = self._in.find(b"\n", 0, limit)
        if end < 0:
            return None
        line = bytes(self._in[: end + 1])
        del self._in[: end + 1]
        return line

    def write_and_close(self, data: bytes) -> None:
        """Send `data`, then close (the peer reads it to the end)."""
        if not self.is_open:
            return
        self._out += data
        self._closing = True
        self._flush()

    def abort(self) -> None:
        """Close now, dropping what was not sent."""
        sock, self._sock = self._sock, None
        if sock is None:
            return
        self._reader.setEnabled(False)
        self._writer.setEnabled(False)
        sock.close()
        self.closed.emit()

    def _on_readable(self) -> None:
        if self._sock is None:
            return
        try:
            data = self._sock.recv(_CHUNK)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.abort()
            return
        self._in += data
        self.readable.emit()

    def _flush(self) -> None:
        if self._sock is None:
            return
        try:
            sent = self._sock.send(self._out) if self._out else 0
        except BlockingIOError:
            sent = 0
        except OSError:
            self.abort()
            return
        del self._out[:sent]
        self._writer.setEnabled(bool(self._out))
        if self._closing and not self._out:
            self.abort()


class Listener(QObject):
    """Listens on a socket path; emits `accepted(Peer)` for each connection (the Peer is its child)."""

    accepted = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sock: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None
        self._inode = 0
        self.full_name = ""

    def listen(self, name: str) -> None:
        """Replace a stale socket file left by a crash, listen, owner-only; OSError (EADDRINUSE) if not."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(name)
            os.chmod(name, 0o700)
            sock.listen(16)
            self._inode = os.stat(name).st_ino
        except OSError:
            sock.close()
            raise
        sock.setblocking(False)
        self._sock, self.full_name = sock, name
        self._notifier = QSocketNotifier(sock.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_ready)

    def close(self) -> None:
        """Stop listening and remove the socket file (accepted peers stay until aborted)."""
        sock, self._sock = self._sock, None
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if sock is not None:
            sock.close()
            with contextlib.suppress(OSError):
                if os.stat(self.full_name).st_ino == self._inode:  # not a successor's socket
                    os.unlink(self.full_name)

    def _on_ready(self) -> None:
        while self._sock is not None:
            try:
                conn, _ = self._sock.accept()
            except BlockingIOError:
                return
            except OSError as exc:
                log.warning("Single-instance socket could not accept a connection: %s", exc)
                return
            self.accepted.emit(Peer(conn, self))


class Client:
    """A blocking connection to a running instance (a second launch, the browser's host)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._in = bytearray()

    def write(self, data: bytes, timeout: float) -> bool:
        """Send all of `data` within `timeout` seconds."""
        self._sock.settimeout(timeout)
        try:
            self._sock.sendall(data)
        except OSError:
            return False
        return True

    def read_line(self, limit: int, timeout: float) -> bytes | None:
        """The answer line within `timeout` seconds and `limit` bytes; None if not (or the peer closed)."""
        deadline = time.monotonic() + timeout
        while (end := self._in.find(b"\n", 0, limit)) < 0:
            left = deadline - time.monotonic()
            if len(self._in) > limit or left <= 0:
                return None
            self._sock.settimeout(left)
            try:
                data = self._sock.recv(_CHUNK)
            except OSError:
                return None
            if not data:
                return None
            self._in += data
        return bytes(self._in[: end + 1])

    def close(self) -> None:
        self._sock.close()


def connect(name: str, timeout: float) -> Client | None:
    """Connect to the instance listening on `name`; None when none accepts within `timeout` seconds."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(name)
    except OSError as exc:
        sock.close()
        if exc.errno not in (errno.ENOENT, errno.ECONNREFUSED, None):
            log.debug("No single-instance server on %s: %s", name, exc)
        return None
    return Client(sock)
