"""The site's one PBX token pair in the shared store, sealed: a new leader takes over the pair of one that died."""

from __future__ import annotations

import json
import logging
from typing import Any

from linkus_companion.gateway.sealed import SealError
from linkus_companion.gateway.sealed_row import SealedRow
from linkus_companion.store import Store

log = logging.getLogger(__name__)

KEY = "pbx_token"
CONTEXT = "PBX token"


class StoreTokenVault:
    """A `TokenVault` in the store's `meta` table, sealed under the site's sealing secret."""

    def __init__(self, store: Store, secret: str) -> None:
        self._row = SealedRow(store, secret, KEY, CONTEXT)

    def load(self) -> dict[str, Any] | None:
        """The pair last saved by any replica, or None (also when it does not open: a new login follows)."""
        try:
            kept = self._row.read()
            pair = json.loads(kept) if kept is not None else None
        except (SealError, ValueError) as exc:
            log.warning("the site's PBX token cannot be read (%s); logging in again", exc)
            return None
        return dict(pair) if isinstance(pair, dict) else None

    def save(self, pair: dict[str, Any]) -> None:
        """Keep `pair` (sealed) for the next replica that leads."""
        self._row.write(json.dumps(pair))
