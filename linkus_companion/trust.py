"""The verified TLS context the app's HTTPS clients share, built once: loading the CA roots costs ~25 ms."""

from __future__ import annotations

import ssl
import threading

import httpx

_lock = threading.Lock()
_context: ssl.SSLContext | None = None


def verified_context() -> ssl.SSLContext:
    """httpx's default verification (certifi's roots, or SSL_CERT_FILE / SSL_CERT_DIR), for every client."""
    global _context
    with _lock:
        if _context is None:
            _context = httpx.create_ssl_context()
        return _context


def load_in_background() -> None:
    """Load the CA roots on a thread now (OpenSSL lets go of the GIL while it parses them): the start's
    first HTTPS client then finds them loaded instead of waiting for them on the way to ready."""
    threading.Thread(target=verified_context, name="tls-roots", daemon=True).start()
