"""A signed bundle (a file in the policy dir, or the config-URL cache) as a policy source, once verified."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from linkus_companion.config.bundle_trust import PinnedTrust
from linkus_companion.config.errors import SettingsError
from linkus_companion.config.provisioning import verify
from linkus_companion.config.sources import Layer, Problem, Reading
from linkus_companion.os_cause import os_why
from linkus_companion.texts import Text


def file_loader(path: Path) -> Callable[[], str | None]:
    """Reads a bundle file; None when there is none."""

    def load() -> str | None:
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    return load


class BundleSource:
    """One layer of a bundle, applied only when a pinned key signed it and it is current.

    A refused bundle sets nothing; the LOCKED view reports why, so it is said once, not once per layer.
    """

    def __init__(self, load: Callable[[], str | None], origin: str, trust: PinnedTrust, layer: Layer) -> None:
        self.layer = layer
        self.origin = origin
        self._load = load
        self._trust = trust

    def read(self) -> Reading:
        reading = Reading()
        try:
            text = self._load()
            if text is None:
                return reading
            bundle = verify(text, self._trust.read().keys)
        except (OSError, UnicodeDecodeError, SettingsError, ValueError) as exc:
            if self.layer is Layer.LOCKED:
                reading.problems.append(
                    Problem(self.origin, Text("configuration bundle refused: {why}", why=os_why(exc)))
                )
            return reading
        signer = f"{self.origin} (key {bundle.key_id or '?'}" + (
            f", {bundle.issuer})" if bundle.issuer else ")"
        )
        for key, value in bundle.sections.get(self.layer, {}).items():
            reading.values[key] = (value, signer)
        return reading
