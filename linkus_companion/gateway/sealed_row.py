"""One secret of the site in the shared store's `meta` table, sealed, read and swapped by every replica."""

from __future__ import annotations

from linkus_companion.gateway.sealed import seal, unseal
from linkus_companion.store import Store


class SealedRow:
    """The `meta` row `key`, sealed under `secret` and bound to `context`; SealError when it does not open."""

    def __init__(self, store: Store, secret: str, key: str, context: str) -> None:
        self._store = store
        self._secret = secret
        self._key = key
        self._context = context

    def read(self) -> str | None:
        """The value last written by any replica, or None."""
        return self._opened()[1]

    def write(self, value: str) -> None:
        """Keep `value` (sealed) for every replica."""
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (self._key, self._sealed(value)),
            )

    def replace(self, expected: str | None, value: str) -> bool:
        """Write `value` only if the row still holds `expected` (compare-and-swap); False when another replica won."""
        sealed, current = self._opened()
        if current != expected:
            return False
        with self._store.transaction() as db:
            if sealed is None:
                changed = db.execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                    (self._key, self._sealed(value)),
                )
            else:
                changed = db.execute(
                    "UPDATE meta SET value = ? WHERE key = ? AND value = ?",
                    (self._sealed(value), self._key, sealed),
                )
            return changed.rowcount == 1

    def delete(self) -> None:
        """Remove the row (absent is fine)."""
        with self._store.transaction() as db:
            db.execute("DELETE FROM meta WHERE key = ?", (self._key,))

    def _opened(self) -> tuple[str | None, str | None]:
        with self._store.transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (self._key,)).fetchone()
        if row is None:
            return None, None
        return str(row[0]), unseal(str(row[0]), self._secret, self._context).decode()

    def _sealed(self, value: str) -> str:
        return seal(value.encode(), self._secret, self._context)
