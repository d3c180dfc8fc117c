"""Secrets in the OS keyring, split over several entries where the OS limits an entry's size."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import keyring
from keyring.errors import KeyringError, PasswordDeleteError

from linkus_companion import APP_ID
from linkus_companion.texts import Text

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")

CHUNK_CHARS = 1000
"""Characters per keyring entry: Windows Credential Manager stores UTF-16 in at most 2560 bytes."""
_HEAD = re.compile(r"chunks:([ab]):([0-9]{1,4})")
"""Head entry of a chunked secret: the chunk generation (a/b) and the number of chunks."""


class SecretStoreUnavailable(RuntimeError):
    """No usable OS keyring; the message tells the user what to do."""


class SecretStore:
    """Named secrets (PBX client secret, CRM refresh tokens) in the OS keyring."""

    def __init__(self, service: str = APP_ID) -> None:
        self._service = service

    def get(self, name: str) -> str | None:
        """The secret stored under `name`, or None."""
        head = self._call(keyring.get_password, self._service, name)
        if head is None or not head.startswith("chunks:"):
            return head
        chunked = _HEAD.fullmatch(head)
        if chunked is None:
            log.warning("secret %r is damaged in the keyring; treating it as absent", name)
            return None
        parts = [self._call(keyring.get_password, self._service, entry) for entry in _entries(name, head)]
        if any(part is None for part in parts):
            log.warning("secret %r is incomplete in the keyring; treating it as absent", name)
            return None
        return "".join(part for part in parts if part is not None)

    def set(self, name: str, value: str) -> None:
        """Store `value` under `name`, in chunks when it is long.

        New chunks are written under the other generation before the head entry switches to them, and
        the old chunks are removed last, so a failed write never loses the previous secret.
        """
        old_head = self._call(keyring.get_password, self._service, name) or ""
        if len(value) <= CHUNK_CHARS and not value.startswith("chunks:"):
            self._call(keyring.set_password, self._service, name, value)
        else:
            generation = "b" if old_head.startswith("chunks:a") else "a"
            chunks = [value[i : i + CHUNK_CHARS] for i in range(0, len(value), CHUNK_CHARS)]
            for i, chunk in enumerate(chunks):
                self._call(keyring.set_password, self._service, f"{name}#{generation}{i}", chunk)
            self._call(keyring.set_password, self._service, name, f"chunks:{generation}:{len(chunks)}")
        for entry in _entries(name, old_head):
            self._delete_entry(entry)

    def replace(self, name: str, expected: str | None, value: str) -> bool:
        """Store `value` only if `name` still holds `expected`; False (nothing written) when it changed."""
        if self.get(name) != expected:
            return False
        self.set(name, value)
        return True

    def delete(self, name: str) -> None:
        """Remove `name` and its chunks; absent secrets are fine."""
        head = self._call(keyring.get_password, self._service, name)
        if head is None:
            return
        for entry in _entries(name, head):
            self._delete_entry(entry)
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


def _entries(name: str, head: str) -> list[str]:
    """Keyring entries holding the chunks that `head` points at (none for a plain value)."""
    chunked = _HEAD.fullmatch(head)
    if chunked is None:
        return []
    generation, count = chunked.group(1), int(chunked.group(2))
    return [f"{name}#{generation}{i}" for i in range(count)]


def _unavailable(exc: KeyringError) -> Text:
    log.warning("keyring unavailable: %s: %s", type(exc).__name__, exc)
    return Text(
        "The system's secure credential storage is not available. Unlock or install a keyring "
        "(Windows Credential Manager, macOS Keychain, or a Secret Service such as GNOME Keyring) and try again."
    )
