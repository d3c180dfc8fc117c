"""Every admin policy source of this computer, in priority order: OS policies, JSON files, signed bundles."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from linkus_companion import paths
from linkus_companion.config.bundle_source import BundleSource, file_loader
from linkus_companion.config.bundle_trust import PinnedTrust, TrustProblems, WithoutTrust
from linkus_companion.config.policy_url import cache_file
from linkus_companion.config.sources import Layer, PolicySource, default_policy_sources

BUNDLE_FILE = "provisioning.jwt"
"""A signed bundle an admin may drop into the policy dir instead of serving it from a config URL."""


@dataclass(frozen=True)
class AdminPolicies:
    """The sources Settings reads, and the trust (pinned keys, config URL) the bundles are checked with."""

    sources: list[PolicySource]
    trust: PinnedTrust
    url_cache: Path


def native_sources() -> list[PolicySource]:
    """The OS's own policy store: the registry on Windows, managed preferences on macOS, none elsewhere."""
    sources: list[PolicySource] = []
    if sys.platform == "win32":
        from linkus_companion.config.policy_windows import WinRegReader, registry_sources

        sources = registry_sources(WinRegReader())
    elif sys.platform == "darwin":
        from linkus_companion.config.policy_macos import CoreFoundationPreferences, mac_sources

        sources = mac_sources(CoreFoundationPreferences())
    return sources


def admin_policies(
    native: Sequence[PolicySource] | None = None, url_cache: Path | None = None
) -> AdminPolicies:
    """All admin sources, highest priority first within each layer.

    Locked: OS policy (HKLM, HKCU / forced managed preferences), `managed/*.json`, the bundle file in
    the policy dir, the config-URL bundle. Recommended: the same order. The trust settings
    (pinned keys, config URL) are taken out of the sources and read from the locked ones only.
    """
    raw = [*(native_sources() if native is None else native), *default_policy_sources()]
    trust = PinnedTrust(raw)
    base: list[PolicySource] = [WithoutTrust(source) for source in raw]
    cache = url_cache or cache_file()
    bundle_file = paths.policy_dir() / BUNDLE_FILE
    bundles: list[PolicySource] = [
        BundleSource(load, str(origin), trust, layer)
        for load, origin in (
            (file_loader(bundle_file), bundle_file),
            (file_loader(cache), "config URL bundle"),
        )
        for layer in (Layer.LOCKED, Layer.RECOMMENDED)
    ]
    return AdminPolicies([*base, TrustProblems(trust), *bundles], trust, cache)


def policy_sources() -> list[PolicySource]:
    """The sources `Settings.open()` should read."""
    return admin_policies().sources
