"""The verified TLS context the app's HTTPS clients share, built once: loading the CA roots costs ~25 ms."""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def verified_context() -> ssl.SSLContext:
    """httpx's default verification (certifi's roots, or SSL_CERT_FILE / SSL_CERT_DIR), for every client."""
    return httpx.create_ssl_context()
