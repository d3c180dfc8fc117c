"""Local connections of the single instance on Windows: Qt's named pipes (the stdlib serves none).

The interface of `local_socket` (Listener, Peer, Client, connect), over QLocalServer / QLocalSocket.
"""

from __future__ import annotations

import errno
import sys
import time

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket


class Peer(QObject):
    """One accepted connection: `readable` when bytes arrived, `closed` once it ended (either side)."""

    readable = Signal()
    closed = Signal()

    def __init__(self, socket: QLocalSocket, parent: QObject | None = None) -> None:
        super().__init__(parent)
        socket.setParent(self)
        self._socket = socket
        socket.readyRead.connect(self.readable)
        socket.disconnected.connect(self.closed)

    @property
    def is_open(self) -> bool:
        """Still connected and not closing."""
        socket = self._socket
        return shiboken6.isValid(socket) and socket.state() == QLocalSocket.LocalSocketState.ConnectedState

    def buffered(self) -> int:
        """Bytes received and not taken yet."""
        return self._socket.bytesAvailable()

    def take_line(self, limit: int) -> bytes | None:
        """The next line (with its newline) when one has arrived within `limit` bytes, else None."""
        if not self._socket.canReadLine():
            return None
        line = bytes(self._socket.readLine(limit).data())
        return line if line.endswith(b"\n") else None

    def write_and_close(self, data: bytes) -> None:
        """Send `data`, then close (the peer reads it to the end)."""
        if self.is_open:
            self._socket.write(data)
            self._socket.disconnectFromServer()

    def abort(self) -> None:
        """Close now, dropping what was not sent."""
        if shiboken6.isValid(self._socket):
            self._socket.abort()


class Listener(QObject):
    """Listens on a pipe name; emits `accepted(Peer)` for each connection (the Peer is its child)."""

    accepted = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._server = QLocalServer(self)
        self._server.newConnection.connect(self._on_new_connection)
        self.full_name = ""

    def listen(self, name: str) -> None:
        """Listen, this user only; OSError (EADDRINUSE when another process holds the name) if not."""
        QLocalServer.removeServer(name)
        if sys.platform == "win32":
            self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self._server.listen(name):
            in_use = self._server.serverError() == QAbstractSocket.SocketError.AddressInUseError
            raise OSError(errno.EADDRINUSE if in_use else errno.EIO, self._server.errorString())
        self.full_name = self._server.fullServerName()

    def close(self) -> None:
        """Stop listening (accepted peers stay until aborted)."""
        self._server.close()

    def _on_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            self.accepted.emit(Peer(self._server.nextPendingConnection(), self))


class Client:
    """A blocking connection to a running instance (a second launch, the browser's host)."""

    def __init__(self, socket: QLocalSocket) -> None:
        self._socket = socket

    def write(self, data: bytes, timeout: float) -> bool:
        """Send all of `data` within `timeout` seconds."""
        self._socket.write(data)
        return self._socket.waitForBytesWritten(int(timeout * 1000))

    def read_line(self, limit: int, timeout: float) -> bytes | None:
        """The answer line within `timeout` seconds and `limit` bytes; None if not (or the peer closed)."""
        socket = self._socket
        deadline = time.monotonic() + timeout
        while not socket.canReadLine():
            left = int((deadline - time.monotonic()) * 1000)
            if socket.bytesAvailable() > limit or left <= 0 or not socket.waitForReadyRead(left):
                return None
        line = bytes(socket.readLine(limit).data())
        return line if line.endswith(b"\n") else None

    def close(self) -> None:
        socket = self._socket
        socket.disconnectFromServer()
        if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
            socket.waitForDisconnected(500)


def connect(name: str, timeout: float) -> Client | None:
    """Connect to the instance listening on `name`; None when none accepts within `timeout` seconds."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(int(timeout * 1000)):
        return None
    return Client(socket)
