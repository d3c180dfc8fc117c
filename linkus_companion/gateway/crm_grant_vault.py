"""The gateway's CRM grant in the shared store, sealed: every replica refreshes and re-reads the same one."""

from __future__ import annotations

from linkus_companion.gateway.sealed_row import SealedRow
from linkus_companion.secrets import SecretStore
from linkus_companion.store import Store

CONTEXT = "CRM grant"


class SharedGrants(SecretStore):
    """The secret store `OAuthGrants` keeps its grant in: the grant in a sealed row, other secrets in `local`."""

    def __init__(self, store: Store, secret: str, local: SecretStore, grant_name: str) -> None:
        self._row = SealedRow(store, secret, grant_name, CONTEXT)
        self._local = local
        self._name = grant_name

    def get(self, name: str) -> str | None:
        """The shared grant, or a local secret."""
        return self._row.read() if name == self._name else self._local.get(name)

    def set(self, name: str, value: str) -> None:
        """Share the grant (sealed), or keep a local secret."""
        if name == self._name:
            self._row.write(value)
        else:
            self._local.set(name, value)

    def replace(self, name: str, expected: str | None, value: str) -> bool:
        """Swap the shared grant only if no other replica changed it since it held `expected`."""
        if name == self._name:
            return self._row.replace(expected, value)
        return super().replace(name, expected, value)

    def delete(self, name: str) -> None:
        """Drop the shared grant, or a local secret."""
        if name == self._name:
            self._row.delete()
        else:
            self._local.delete(name)
