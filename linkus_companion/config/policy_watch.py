"""Keep admin policies current while the app runs: re-read every source, refresh the config-URL bundle."""

from __future__ import annotations

import asyncio
import logging
import ssl
import time

from linkus_companion.config.policies import AdminPolicies
from linkus_companion.config.policy_url import refresh
from linkus_companion.config.provisioning import BundleRefused
from linkus_companion.config.settings import Settings

log = logging.getLogger(__name__)


async def watch_policies(
    settings: Settings,
    policies: AdminPolicies,
    *,
    reread_every: float = 300.0,
    download_every: float = 3600.0,
    trust_store: ssl.SSLContext | None = None,
) -> None:
    """Run until cancelled: download the config-URL bundle at start and every `download_every`
    seconds, and reload the settings every `reread_every` seconds (listeners hear what changed)."""
    next_download = 0.0
    while True:
        trust = policies.trust.read()
        if trust.url and time.monotonic() >= next_download:
            try:
                await refresh(trust, policies.url_cache, trust_store=trust_store)
            except BundleRefused as exc:
                log.warning("configuration from %s not updated: %s", trust.url, exc)
            except OSError as exc:
                log.warning("cannot cache the configuration bundle (%s)", exc)
            next_download = time.monotonic() + download_every
        settings.reload()
        await asyncio.sleep(reread_every)
