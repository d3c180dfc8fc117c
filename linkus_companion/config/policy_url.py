"""Central configuration from a config URL: download a signed bundle over verified https and cache it."""

from __future__ import annotations

import logging
import os
import ssl
import tempfile
from pathlib import Path

import httpx

from linkus_companion import USER_AGENT, paths
from linkus_companion.config.bundle_trust import Trust
from linkus_companion.config.provisioning import BundleRefused, verify
from linkus_companion.net_cause import why
from linkus_companion.texts import Text

log = logging.getLogger(__name__)

TIMEOUT = 20.0
"""Seconds allowed for the download."""
MAX_BYTES = 256 * 1024
"""A bundle is a few kilobytes; anything far larger is not one."""


def cache_file() -> Path:
    """Where the last verified bundle from the config URL is kept (verified again at every read)."""
    return paths.cache_dir() / "provisioning.jwt"


async def download(url: str, *, trust_store: ssl.SSLContext | None = None) -> str:
    """The bundle text at `url`; BundleRefused with the reason. TLS is always verified (system trust
    store, or `trust_store` for a private CA); plain http is refused."""
    if not url.lower().startswith("https://"):
        raise BundleRefused(Text("the config URL {url} must start with https://", url=url))
    verify_tls: ssl.SSLContext | bool = trust_store if trust_store is not None else True
    try:
        async with httpx.AsyncClient(
            verify=verify_tls, timeout=TIMEOUT, headers={"User-Agent": USER_AGENT}, follow_redirects=False
        ) as client:
            response = await client.get(url, headers={"Accept": "application/jwt, text/plain"})
    except httpx.HTTPError as exc:
        log.info("config download from %s failed: %s", url, type(exc).__name__)
        raise BundleRefused(
            Text("cannot download the configuration from {url}: {why}", url=url, why=why(exc))
        ) from None
    if response.status_code != 200:
        raise BundleRefused(
            Text("the config URL {url} answered HTTP {status}", url=url, status=response.status_code)
        )
    if len(response.content) > MAX_BYTES:
        raise BundleRefused(
            Text(
                "the config URL {url} sent {count} bytes, too many for a bundle",
                url=url,
                count=len(response.content),
            )
        )
    return response.text


async def refresh(
    trust: Trust, cache: Path | None = None, *, trust_store: ssl.SSLContext | None = None
) -> None:
    """Download the bundle at the config URL, verify it, and replace the cache; BundleRefused if not.

    A refused download leaves the last good bundle in place.
    """
    text = await download(trust.url, trust_store=trust_store)
    verify(text, trust.keys)
    target = cache or cache_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".provisioning.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(tmp, target)
    log.info("configuration bundle from %s verified and cached", trust.url)
