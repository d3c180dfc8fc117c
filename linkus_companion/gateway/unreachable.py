"""Why the gateway cannot be reached, as a sentence the user can act on (never a Python exception's name)."""

from __future__ import annotations

import errno
import socket
import ssl

import httpx
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from linkus_companion.texts import Text

_DEPTH = 6
"""How far down an error's causes (httpx wraps httpcore, which wraps the socket's error) are looked at."""


def _causes(error: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and len(found) < _DEPTH:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def unreachable(url: str, error: BaseException) -> Text:
    """The sentence for a connection to the gateway at `url` that failed with `error`."""
    causes = _causes(error)

    def seen(*kinds: type[BaseException]) -> bool:
        return any(isinstance(e, kinds) for e in causes)

    if seen(ssl.SSLCertVerificationError):
        return Text(
            "The gateway at {url} did not prove its identity (its certificate is not trusted on this "
            "computer); ask your administrator.",
            url=url,
        )
    if seen(ssl.SSLError):
        return Text(
            "The secure connection to the gateway at {url} failed; check the address in Settings with your "
            "administrator.",
            url=url,
        )
    if seen(socket.gaierror):
        return Text(
            "The gateway's address {url} cannot be found; check it in Settings and that this computer is on "
            "the network.",
            url=url,
        )
    if seen(ConnectionRefusedError) or any(getattr(e, "errno", None) == errno.ECONNREFUSED for e in causes):
        return Text(
            "Cannot reach the gateway at {url}: nothing answers there. Check that the gateway service runs "
            "and that the address in Settings is right.",
            url=url,
        )
    if seen(TimeoutError, httpx.TimeoutException):
        return Text(
            "The gateway at {url} does not answer in time; check the network connection (VPN, firewall) "
            "and try again.",
            url=url,
        )
    if seen(ConnectionClosed, ConnectionResetError, ConnectionAbortedError, httpx.RemoteProtocolError):
        return Text("The connection to the gateway at {url} dropped; reconnecting.", url=url)
    if seen(InvalidHandshake):
        return Text(
            "The server at {url} did not accept the desktop connection (not a gateway, or a proxy is in the "
            "way); check the address in Settings.",
            url=url,
        )
    return Text(
        "Cannot reach the gateway at {url}; check the network connection and that the gateway service runs.",
        url=url,
    )
