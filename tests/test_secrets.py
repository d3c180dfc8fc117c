"""Secrets in the keyring: round trip, chunking past the Windows size limit, clean failures."""

from __future__ import annotations

from typing import TYPE_CHECKING

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends.fail import Keyring as FailKeyring
from keyring.errors import KeyringLocked

from linkus_companion.secrets import CHUNK_CHARS, SecretStore, SecretStoreUnavailable

if TYPE_CHECKING:
    from linkus_companion.sim.memory_keyring import MemoryKeyring

TOKEN = "1000.abcdef0123456789.refresh"


def test_a_secret_round_trips() -> None:
    store = SecretStore()
    store.set("crm.refresh_token", TOKEN)
    assert store.get("crm.refresh_token") == TOKEN
    assert SecretStore().get("crm.refresh_token") == TOKEN


def test_an_absent_secret_is_none() -> None:
    assert SecretStore().get("pbx.client_secret") is None


def test_services_do_not_see_each_other() -> None:
    SecretStore("one").set("name", "a")
    assert SecretStore("two").get("name") is None


def test_a_long_value_is_split_into_small_entries_and_reassembled(memory_keyring: MemoryKeyring) -> None:
    value = "".join(chr(0x41 + i % 26) for i in range(5000)) + "é✓"
    store = SecretStore()
    store.set("crm.refresh_token", value)
    assert store.get("crm.refresh_token") == value
    stored = list(memory_keyring.entries.values())
    assert len(stored) >= 6
    assert all(len(entry) <= CHUNK_CHARS for entry in stored)
    assert value not in stored


def test_delete_removes_every_chunk(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore()
    store.set("keep", "other")
    store.set("crm.refresh_token", "x" * 5000)
    store.delete("crm.refresh_token")
    assert store.get("crm.refresh_token") is None
    assert list(memory_keyring.entries) == [("linkus-companion", "keep")]


def test_replacing_a_long_value_with_a_short_one_leaves_no_chunks(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore()
    store.set("token", "y" * 3500)
    store.set("token", "short")
    assert store.get("token") == "short"
    assert list(memory_keyring.entries) == [("linkus-companion", "token")]


def test_a_value_that_looks_like_a_chunk_header_round_trips() -> None:
    store = SecretStore()
    store.set("odd", "chunks:3")
    assert store.get("odd") == "chunks:3"


def test_deleting_an_absent_secret_is_fine() -> None:
    SecretStore().delete("never-set")


def test_a_missing_chunk_reads_as_absent(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore()
    store.set("token", "z" * 2500)
    del memory_keyring.entries[("linkus-companion", "token#a1")]
    assert store.get("token") is None


def test_no_keyring_gives_a_helpful_error_without_the_secret() -> None:
    keyring.set_keyring(FailKeyring())
    store = SecretStore()
    with pytest.raises(SecretStoreUnavailable) as caught:
        store.set("pbx.client_secret", "hunter2-very-secret")
    message = str(caught.value)
    assert "hunter2" not in message
    assert "keyring" in message.lower()
    assert caught.value.__cause__ is None
    assert "hunter2" not in repr(caught.value.__context__)
    with pytest.raises(SecretStoreUnavailable):
        store.get("pbx.client_secret")


class LockedKeyring(KeyringBackend):
    """A keyring the user did not unlock."""

    priority = 0.1

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("the collection is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("the collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("the collection is locked")


def test_a_locked_keyring_is_reported_as_unavailable() -> None:
    keyring.set_keyring(LockedKeyring())
    with pytest.raises(SecretStoreUnavailable, match="Unlock"):
        SecretStore().get("pbx.client_secret")


def test_a_damaged_head_entry_reads_as_absent(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.entries[("linkus-companion", "token")] = "chunks:oops"
    assert SecretStore().get("token") is None


def test_a_failed_write_keeps_the_previous_secret(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore()
    store.set("token", "old" * 1000)
    real_set = memory_keyring.set_password
    written: list[str] = []

    def fail_on_second_chunk(service: str, username: str, password: str) -> None:
        written.append(username)
        if len(written) == 2:
            raise KeyringLocked("locked")
        real_set(service, username, password)

    memory_keyring.set_password = fail_on_second_chunk  # type: ignore[method-assign]
    with pytest.raises(SecretStoreUnavailable):
        store.set("token", "new" * 1000)
    memory_keyring.set_password = real_set  # type: ignore[method-assign]
    assert store.get("token") == "old" * 1000
