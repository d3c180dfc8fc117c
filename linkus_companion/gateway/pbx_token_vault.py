"""The site's one PBX token pair in the shared store, sealed: a new leader takes over the pair of one that died."""

from __future__ import annotations

import json
import logging
from typing import Any

from linkus_companion.gateway.sealed import SealError, seal, unseal
from linkus_companion.store import Store

log = logging.getLogger(__name__)

KEY = "pbx_token"
CONTEXT = "PBX token"


class StoreTokenVault:
    """A `TokenVault` in the store's `meta` table, sealed under the site's sealing secret."""

    def __init__(self, store: Store, secret: str) -> None:
        self._store = store
        self._secret = secret

    def load(self) -> dict[str, Any] | None:
        """The pair last saved by any replica, or None (also when it does not open: a new login follows)."""
        with self._store.transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (KEY,)).fetchone()
        if row is None:
            return None
        try:
            pair = json.loads(unseal(str(row[0]), self._secret, CONTEXT))
        except (SealError, ValueError) as exc:
            log.warning("the site's PBX token cannot be read (%s); logging in again", exc)
            return None
        return dict(pair) if isinstance(pair, dict) else None

    def save(self, pair: dict[str, Any]) -> None:
        """Keep `pair` (sealed) for the next replica that leads."""
        sealed = seal(json.dumps(pair).encode(), self._secret, CONTEXT)
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (KEY, sealed),
            )
