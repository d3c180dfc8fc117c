"""Secrets in the OS keyring, split over several entries where the OS limits an entry's size."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import keyring
from keyring.errors import KeyringError, PasswordDeleteError

from linkus_companion import APP_ID

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")

CHUNK_CHARS = 1000
"""Characters per keyring entry: Windows Credential Manager stores UTF-16 in at most 2560 bytes."""
_COUNT_PREFIX = "chunks:"


class SecretStoreUnavailable(RuntimeError):
    """No usable OS keyring; the message tells the user what to do."""


class SecretStore:
    """Named secrets (PBX client secret, CRM refresh tokens) in the OS keyring."""

    def __init__(self, service: str = APP_ID) -> None:
        self._service = service

    def get(self, name: str) -> str | None:
        """The secret stored under `name`, or None."""
        head = self._call(keyring.get_password, self._service, name)
        if head is None or not head.startswith(_COUNT_PREFIX):
            return head
        count = int(head.removeprefix(_COUNT_PREFIX))
        parts = [self._call(keyring.get_password, self._service, f"{name}#{i}") for i in range(count)]
        if any(part is None for part in parts):
            log.warning("secret %r is incomplete in the keyring; treating it as absent", name)
            return None
        return "".join(part for part in parts if part is not None)

    def set(self, name: str, value: str) -> None:
        """Store `value` under `name`, in chunks when it is long."""
        self.delete(name)
        if len(value) <= CHUNK_CHARS and not value.startswith(_COUNT_PREFIX):
            self._call(keyring.set_password, self._service, name, value)
            return
        chunks = [value[i : i + CHUNK_CHARS] for i in range(0, len(value), CHUNK_CHARS)]
        for i, chunk in enumerate(chunks):
            self._call(keyring.set_password, self._service, f"{name}#{i}", chunk)
        self._call(keyring.set_password, self._service, name, f"{_COUNT_PREFIX}{len(chunks)}")

    def delete(self, name: str) -> None:
        """Remove `name` and its chunks; absent secrets are fine."""
        head = self._call(keyring.get_password, self._service, name)
        if head is None:
            return
        if head.startswith(_COUNT_PREFIX):
            for i in range(int(head.removeprefix(_COUNT_PREFIX))):
                self._delete_entry(f"{name}#{i}")
        self._delete_entry(name)

    def backend_name(self) -> str:
        """The keyring backend in use, e.g. `keyring.backends.SecretService.Keyring`."""
        backend = keyring.get_keyring()
        return f"{type(backend).__module__}.{type(backend).__qualname__}"

    def _delete_entry(self, entry: str) -> None:
        try:
            keyring.delete_password(self._service, entry)
        except PasswordDeleteError:
            pass
        except KeyringError as exc:
            raise SecretStoreUnavailable(_unavailable(exc)) from None

    @staticmethod
    def _call(func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return func(*args, **kwargs)
        except KeyringError as exc:
            raise SecretStoreUnavailable(_unavailable(exc)) from None


def _unavailable(exc: KeyringError) -> str:
    return (
        "The system's secure credential storage is not available "
        f"({type(exc).__name__}). Unlock or install a keyring (Windows Credential Manager, "
        "macOS Keychain, or a Secret Service such as GNOME Keyring) and try again."
    )
