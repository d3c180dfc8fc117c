"""The SQLite store's own part (WAL, foreign keys, upgrades in place); the shared contract is test_store_contract."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkus_companion import paths, store
from linkus_companion.store import Store, StoreError


@pytest.fixture
def db() -> Iterator[Store]:
    opened = Store.open()
    yield opened
    opened.close()


def add_job(conn: sqlite3.Connection, key: str, payload: str = '{"subject": "Extension Call"}') -> None:
    conn.execute(
        "INSERT INTO outbox (idempotency_key, kind, payload, next_attempt_at, created_at)"
        " VALUES (?, 'call_log', ?, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')",
        (key, payload),
    )


def test_opens_in_the_user_data_dir_with_wal_and_foreign_keys(db: Store) -> None:
    assert db.path == paths.database_file()
    assert db.path.is_relative_to(paths.data_dir())
    with db.transaction() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.schema_version == len(store.MIGRATIONS)


def test_an_old_database_is_upgraded_in_place_keeping_its_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.sqlite3"
    old = Store.open(path)
    with old.transaction() as conn:
        add_job(conn, "c1/1001")
    old.close()
    step = ("ALTER TABLE outbox ADD COLUMN owner TEXT", "UPDATE outbox SET owner = 'u1'")
    monkeypatch.setattr(store, "MIGRATIONS", (*store.MIGRATIONS, step))
    upgraded = Store.open(path)
    assert upgraded.schema_version == len(store.MIGRATIONS)
    with upgraded.transaction() as conn:
        assert conn.execute("SELECT idempotency_key, owner FROM outbox").fetchall() == [("c1/1001", "u1")]
    upgraded.close()


def test_a_failing_migration_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.sqlite3"
    Store.open(path).close()
    bad = ("ALTER TABLE outbox ADD COLUMN owner TEXT", "THIS IS NOT SQL")
    monkeypatch.setattr(store, "MIGRATIONS", (*store.MIGRATIONS, bad))
    with pytest.raises(StoreError, match=str(path)):
        Store.open(path)
    monkeypatch.undo()
    reopened = Store.open(path)
    assert reopened.schema_version == len(store.MIGRATIONS)
    with reopened.transaction() as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(outbox)")]
    assert "owner" not in columns
    reopened.close()


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"these are my notes, not a database" * 100)
    with pytest.raises(StoreError, match="cannot use the local database"):
        Store.open(path)
    assert path.read_bytes() == b"these are my notes, not a database" * 100
