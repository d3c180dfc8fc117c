"""Why a network connection failed, from the chain of an error's causes (never shown as an exception's name)."""

from __future__ import annotations

import enum
import errno
import socket
import ssl

import httpx
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from linkus_companion.texts import Text

_DEPTH = 6
"""How far down an error's causes (httpx wraps httpcore, which wraps the socket's error) are looked at."""


class Cause(enum.Enum):
    """What went wrong on the way to a server."""

    CERTIFICATE = "certificate"
    TLS = "tls"
    ADDRESS = "address"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    DROPPED = "dropped"
    HANDSHAKE = "handshake"
    OTHER = "other"


class PinMismatch(ssl.SSLCertVerificationError):
    """The server's certificate is not the one whose SHA-256 fingerprint is pinned."""


def _causes(error: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and len(found) < _DEPTH:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def cause_of(error: BaseException) -> Cause:
    """The cause of a failed connection, looking through the errors `error` wraps."""
    causes = _causes(error)

    def seen(*kinds: type[BaseException]) -> bool:
        return any(isinstance(e, kinds) for e in causes)

    if seen(ssl.SSLCertVerificationError):
        return Cause.CERTIFICATE
    if seen(ssl.SSLEOFError):  # the server hung up in the middle of the secure handshake
        return Cause.DROPPED
    if seen(ssl.SSLError):
        return Cause.TLS
    if seen(socket.gaierror):
        return Cause.ADDRESS
    if seen(ConnectionRefusedError) or any(getattr(e, "errno", None) == errno.ECONNREFUSED for e in causes):
        return Cause.REFUSED
    if seen(TimeoutError, httpx.TimeoutException):
        return Cause.TIMEOUT
    if seen(ConnectionClosed, ConnectionResetError, ConnectionAbortedError, BrokenPipeError):
        return Cause.DROPPED
    if seen(httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
        return Cause.DROPPED
    if seen(InvalidHandshake):
        return Cause.HANDSHAKE
    return Cause.OTHER


_PHRASES = {
    Cause.CERTIFICATE: Text("its certificate is not trusted on this computer"),
    Cause.TLS: Text("the secure connection failed"),
    Cause.ADDRESS: Text("the address cannot be found"),
    Cause.REFUSED: Text("the connection was refused"),
    Cause.TIMEOUT: Text("it did not answer in time"),
    Cause.DROPPED: Text("the connection dropped"),
    Cause.HANDSHAKE: Text("the server did not accept the connection"),
    Cause.OTHER: Text("the network connection failed"),
}


def why(error: BaseException) -> Text:
    """A short phrase for why the connection failed with `error`, to put inside a sentence."""
    return _PHRASES[cause_of(error)]


_UNTRUSTED_ISSUER = Text("it is signed by an authority this computer does not trust")
_CERTIFICATE_CODES = {
    9: Text("it is not valid yet (check this computer's clock)"),
    10: Text("it has expired"),
    18: Text("it is self-signed"),
    19: _UNTRUSTED_ISSUER,
    20: _UNTRUSTED_ISSUER,
    21: _UNTRUSTED_ISSUER,
    23: Text("it has been revoked"),
    62: Text("it was issued for another name"),
    64: Text("it was issued for another address"),
}
"""OpenSSL's verification codes (X509_V_ERR_*) in words, about the server's certificate."""


def certificate_why(error: BaseException) -> Text:
    """What is wrong with the server's certificate behind `error`, in the user's words."""
    verified = next((e for e in _causes(error) if isinstance(e, ssl.SSLCertVerificationError)), None)
    if isinstance(verified, PinMismatch):
        return Text("it is not the certificate whose fingerprint is pinned")
    code = getattr(verified, "verify_code", None)
    return _CERTIFICATE_CODES.get(code or 0, Text("it is not trusted on this computer"))
