"""This desktop's PBX token pair in the OS keyring: a restart after a crash takes it over instead of logging in."""

from __future__ import annotations

import json
import logging
from typing import Any

from linkus_companion.secrets import SecretStore

log = logging.getLogger(__name__)

ENTRY = "pbx.token"
"""Keyring entry of the saved token pair."""


class KeyringTokenVault:
    """An `OwnTokenVault` in the keyring, bound to one PBX address and API client (another never gets it)."""

    def __init__(self, secrets: SecretStore, url: str, client_id: str) -> None:
        self._secrets = secrets
        self._owner = {"url": url, "client_id": client_id}

    def __repr__(self) -> str:
        return f"KeyringTokenVault({self._owner['url']!r})"

    def load(self) -> dict[str, Any] | None:
        """The pair saved for this PBX and client, or None (also when unreadable: a new login follows)."""
        kept = self._secrets.get(ENTRY)
        if kept is None:
            return None
        try:
            saved = json.loads(kept)
        except ValueError:
            log.warning("the saved PBX token is unreadable; logging in again")
            return None
        if not isinstance(saved, dict) or saved.get("owner") != self._owner:
            return None
        pair = saved.get("pair")
        return dict(pair) if isinstance(pair, dict) else None

    def save(self, pair: dict[str, Any]) -> None:
        """Keep `pair` for the next start."""
        self._secrets.set(ENTRY, json.dumps({"owner": self._owner, "pair": pair}))

    def clear(self) -> None:
        """Forget the pair (it was revoked)."""
        self._secrets.delete(ENTRY)
