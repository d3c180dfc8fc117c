"""A keyring that lives in memory: the demo's throwaway profile and the tests never touch the real one."""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """Secrets in a dict, gone when the process ends."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        """The stored secret, or None."""
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        """Store a secret."""
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        """Remove a secret; keyring's error when there is none."""
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError(f"no password for {username!r} in {service!r}")
