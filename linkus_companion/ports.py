"""Listening sockets for the server commands, and the one-line error when their port is taken."""

from __future__ import annotations

import errno
import socket

from linkus_companion.os_cause import os_why
from linkus_companion.texts import Text


class PortBusy(OSError):
    """The port a server command listens on is taken (or not ours to take)."""


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port; PortBusy with a sentence to act on when that fails."""
    if not 0 <= port <= 65535:
        raise PortBusy(
            Text(
                "{port} is not a port number: choose one from 1 to 65535, or 0 for any free port",
                port=port,
            )
        )
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # accepted sockets inherit it: no 40 ms stalls
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortBusy(
                Text(
                    "port {port} on {host} is already in use: stop the program using it or choose another port",
                    port=port,
                    host=host,
                )
            ) from None
        if exc.errno == errno.EACCES:
            raise PortBusy(
                Text(
                    "port {port} on {host} needs more privileges: pick a port above 1023",
                    port=port,
                    host=host,
                )
            ) from None
        raise PortBusy(
            Text(
                "cannot listen on {host}:{port} ({why}): check the address",
                host=host,
                port=port,
                why=os_why(exc),
            )
        ) from None
    return sock
