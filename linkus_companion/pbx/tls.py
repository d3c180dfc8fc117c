"""TLS contexts for the PBX: system trust, a CA file, or a pinned SHA-256 certificate fingerprint."""

from __future__ import annotations

import hashlib
import hmac
import ssl
from pathlib import Path

from linkus_companion.net_cause import PinMismatch
from linkus_companion.os_cause import os_why
from linkus_companion.texts import Text

_HEX = frozenset("0123456789abcdef")


def parse_fingerprint(text: str) -> bytes:
    """`AB:CD:...` or plain hex (64 digits) -> 32 bytes; ValueError with a usable message otherwise."""
    cleaned = "".join(ch for ch in text.lower() if ch not in ": ")
    if len(cleaned) != 64 or not set(cleaned) <= _HEX:
        raise ValueError(
            Text("a SHA-256 certificate fingerprint has 64 hexadecimal digits (colons optional)")
        )
    return bytes.fromhex(cleaned)


class _PinnedSSLObject(ssl.SSLObject):
    """Completes the handshake only when the server's leaf certificate matches the pin."""

    def do_handshake(self) -> None:
        """Run the handshake, then compare the peer certificate's SHA-256 with the pin."""
        super().do_handshake()
        context = self.context
        assert isinstance(context, PinnedContext)
        der = self.getpeercert(binary_form=True)
        if der is None or not hmac.compare_digest(hashlib.sha256(der).digest(), context.pin):
            raise PinMismatch("the PBX certificate does not match the pinned SHA-256 fingerprint")


class PinnedContext(ssl.SSLContext):
    """A client context that trusts exactly one certificate, identified by its SHA-256.

    For PBXs with a self-signed certificate no CA vouches for: the chain cannot verify there, so
    the leaf certificate itself is checked instead. The check runs inside the TLS handshake (our
    `SSLObject.do_handshake`), before any HTTP or WebSocket byte is sent, so a wrong certificate
    never sees a token or the client secret. httpx (anyio) and websockets (asyncio) both drive TLS
    through `SSLContext.wrap_bio`, so this one context serves both. Nothing else turns
    verification off: without a pin the default, fully verifying context is used.
    """

    sslobject_class = _PinnedSSLObject
    pin: bytes


def pinned_context(fingerprint: str) -> PinnedContext:
    """A TLS 1.2+ client context accepting only the certificate with this SHA-256 fingerprint."""
    context = PinnedContext(ssl.PROTOCOL_TLS_CLIENT)
    context.pin = parse_fingerprint(fingerprint)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    # The chain of a self-signed certificate cannot verify; the pin check above replaces it.
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def client_context(ca_file: Path | None = None, fingerprint: str | None = None) -> ssl.SSLContext:
    """The context for the PBX: pinned when a fingerprint is given, else verified against `ca_file`
    (or the system's trust store); ValueError saying why when `ca_file` cannot be used."""
    if fingerprint:
        return pinned_context(fingerprint)
    try:
        return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    except OSError as exc:  # ssl.SSLError too (no certificate in it)
        why = Text("it holds no certificate in PEM format") if isinstance(exc, ssl.SSLError) else os_why(exc)
        raise ValueError(
            Text(
                "The PBX's CA file {path} cannot be used ({why}); choose the CA certificate (PEM) in the"
                " connection settings.",
                path=str(ca_file),
                why=why,
            )
        ) from None
