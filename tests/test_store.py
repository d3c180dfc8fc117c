"""Local SQLite store: WAL, foreign keys, migrations, atomic transactions, thread safety."""

from __future__ import annotations

import json
import sqlite3
import threading
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


def count(db: Store, table: str) -> int:
    with db.transaction() as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def test_opens_in_the_user_data_dir_with_wal_and_foreign_keys(db: Store) -> None:
    assert db.path == paths.database_file()
    assert db.path.is_relative_to(paths.data_dir())
    with db.transaction() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.schema_version == len(store.MIGRATIONS)


def test_data_survives_reopening_without_migrating_again(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    first = Store.open(path)
    with first.transaction() as conn:
        add_job(conn, "call-1/1001")
    first.close()
    second = Store.open(str(path))
    assert count(second, "outbox") == 1
    with second.transaction() as conn:
        applied = conn.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0]
    assert applied == len(store.MIGRATIONS)
    second.close()


def test_closing_a_call_and_queueing_its_log_happen_together_or_not_at_all(db: Store) -> None:
    with pytest.raises(RuntimeError), db.transaction() as conn:
        conn.execute(
            "INSERT INTO calls (call_id, extension, state, closed_at) VALUES ('c1', '1001', 'ended', 'now')"
        )
        add_job(conn, "c1/1001")
        raise RuntimeError("crash before commit")
    assert count(db, "calls") == 0
    assert count(db, "outbox") == 0
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO calls (call_id, extension, state, closed_at) VALUES ('c1', '1001', 'ended', 'now')"
        )
        add_job(conn, "c1/1001")
    assert count(db, "calls") == 1
    assert count(db, "outbox") == 1


def test_a_job_is_queued_once_per_idempotency_key(db: Store) -> None:
    with db.transaction() as conn:
        add_job(conn, "c1/1001")
    with pytest.raises(sqlite3.IntegrityError), db.transaction() as conn:
        add_job(conn, "c1/1001")
    assert count(db, "outbox") == 1


def test_a_payload_must_be_json(db: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError), db.transaction() as conn:
        add_job(conn, "c2/1001", payload="{not json")
    with db.transaction() as conn:
        add_job(conn, "c3/1001", payload=json.dumps({"ok": True}))
    assert count(db, "outbox") == 1


def test_a_failing_nested_block_undoes_only_itself(db: Store) -> None:
    with db.transaction() as conn:
        add_job(conn, "outer")
        with pytest.raises(sqlite3.IntegrityError), db.transaction() as inner:
            add_job(inner, "inner")
            add_job(inner, "outer")
    with db.transaction() as conn:
        keys = [row[0] for row in conn.execute("SELECT idempotency_key FROM outbox")]
    assert keys == ["outer"]


def test_threads_can_share_one_store(db: Store) -> None:
    def work(n: int) -> None:
        for i in range(50):
            with db.transaction() as conn:
                add_job(conn, f"t{n}-{i}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert count(db, "outbox") == 400


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


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "new.sqlite3"
    monkeypatch.setattr(store, "MIGRATIONS", (*store.MIGRATIONS, ("CREATE TABLE later (x)",)))
    Store.open(path).close()
    monkeypatch.undo()
    with pytest.raises(StoreError, match="newer version"):
        Store.open(path)


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"these are my notes, not a database" * 100)
    with pytest.raises(StoreError, match="cannot use the local database"):
        Store.open(path)
    assert path.read_bytes() == b"these are my notes, not a database" * 100
