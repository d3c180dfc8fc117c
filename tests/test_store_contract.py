"""The store contract, run on SQLite and on a real PostgreSQL server: the engine sees no difference."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from linkus_companion import store
from linkus_companion.engine.call_log import CallLogger
from linkus_companion.engine.outbox import OutboxWorker
from linkus_companion.phone import parse
from linkus_companion.redaction import redact
from linkus_companion.store import Db, Store, StoreError
from tests.crm.conftest import open_harness
from tests.engine.test_call_log import CUSTOMER, UTC_POLICY, Clock, bound_owners, inbound


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a store lives: a SQLite file, or a new database on the test PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "contract.db")
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def db(target: str) -> Iterator[Store]:
    opened = Store.open(target)
    yield opened
    opened.close()


def add_job(conn: Db, key: str, payload: str = '{"subject": "Extension Call"}') -> None:
    conn.execute(
        "INSERT INTO outbox (idempotency_key, kind, payload, next_attempt_at, created_at)"
        " VALUES (?, 'log_call', ?, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')",
        (key, payload),
    )


def keys(db: Store) -> list[str]:
    with db.transaction() as conn:
        return [row[0] for row in conn.execute("SELECT idempotency_key FROM outbox ORDER BY id")]


def test_a_new_store_is_migrated_once_and_keeps_its_data(target: str) -> None:
    first = Store.open(target)
    assert first.schema_version == len(store.MIGRATIONS)
    with first.transaction() as conn:
        add_job(conn, "c1:1001")
    first.close()
    second = Store.open(target)
    with second.transaction() as conn:
        applied = conn.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0]
    assert applied == len(store.MIGRATIONS)
    assert keys(second) == ["c1:1001"]
    second.close()


def test_a_failed_transaction_leaves_nothing_behind(db: Store) -> None:
    with pytest.raises(RuntimeError), db.transaction() as conn:
        conn.execute(
            "INSERT INTO calls (call_id, extension, state, closed_at) VALUES ('c1', '1001', 'x', 'y')"
        )
        add_job(conn, "c1:1001")
        raise RuntimeError("crash before commit")
    with db.transaction() as conn:
        assert conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 0
    assert keys(db) == []


def test_the_idempotency_key_is_unique_and_a_payload_must_be_json(db: Store) -> None:
    with db.transaction() as conn:
        add_job(conn, "c1:1001")
    with pytest.raises(db.IntegrityError), db.transaction() as conn:
        add_job(conn, "c1:1001")
    with pytest.raises(db.IntegrityError), db.transaction() as conn:
        add_job(conn, "c2:1001", payload="{not json")
    assert keys(db) == ["c1:1001"]


def test_a_failing_nested_block_undoes_only_itself(db: Store) -> None:
    with db.transaction() as conn:
        add_job(conn, "outer")
        with pytest.raises(db.IntegrityError), db.transaction() as inner:
            add_job(inner, "inner")
            add_job(inner, "outer")
    assert keys(db) == ["outer"]


def test_a_nested_block_failing_at_its_first_statement_keeps_what_follows(db: Store) -> None:
    with db.transaction() as conn:
        with pytest.raises(db.IntegrityError), db.transaction() as inner:
            add_job(inner, "twice")
            add_job(inner, "twice")
        add_job(conn, "after")
    assert keys(db) == ["after"]


def test_a_session_the_server_ended_is_opened_again(postgres_url: str) -> None:
    opened = Store.open(postgres_url)
    try:
        with opened.transaction() as conn:
            add_job(conn, "before")
        with psycopg.connect(postgres_url, autocommit=True) as admin:  # e.g. a database restart, or a DBA
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'linkus-companion'"
            )
        with pytest.raises(psycopg.OperationalError), opened.transaction() as conn:
            add_job(conn, "lost with the session")
        with opened.transaction() as conn:
            add_job(conn, "after")
        assert keys(opened) == ["before", "after"]
    finally:
        opened.close()


def test_threads_can_share_one_store(db: Store) -> None:
    def work(n: int) -> None:
        for i in range(20):
            with db.transaction() as conn:
                add_job(conn, f"t{n}-{i}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys(db)) == 80


def test_a_store_from_a_newer_version_is_refused(target: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "MIGRATIONS", (*store.MIGRATIONS, ("CREATE TABLE later (x TEXT)",)))
    Store.open(target).close()
    monkeypatch.undo()
    with pytest.raises(StoreError, match="newer version"):
        Store.open(target)


async def test_two_workers_on_two_connections_deliver_each_call_log_once(target: str, tmp_path: Path) -> None:
    """Two processes' worth of outbox workers race over one queue: every call is logged exactly once."""
    async with open_harness("hubspot", tmp_path) as harness:
        contact = await harness.seed_contact(CUSTOMER, "Carla", "Customer")
        records = await harness.connector.search_by_phone(parse(CUSTOMER))
        record = next(r for r in records if r.id == contact)
        owners = bound_owners(sorted(await harness.connector.list_users(), key=lambda u: u.id))
        stores = [Store.open(target), Store.open(target)]
        clock = Clock()
        logger = CallLogger(stores[0], UTC_POLICY, owners, clock=clock)
        calls = [f"race-{n}" for n in range(12)]
        for call_id in calls:
            logger.call_ended(inbound(call_id, rang=("101",), talked=("101",)), record)
        workers = [OutboxWorker(s, harness.connector, clock=clock) for s in stores]
        delivered = await asyncio.gather(*(w.drain() for w in workers))
        assert sum(delivered) == len(calls)
        logged: list[Any] = [e["idempotency_key"] for e in harness.call_logs()]
        assert sorted(logged) == sorted(f"{c}:101" for c in calls)
        assert workers[1].status().delivered == len(calls)
        for opened in stores:
            opened.close()


def test_a_database_password_never_shows_in_messages() -> None:
    assert (
        redact("postgresql://gw:s3cret@db.example:5432/linkus")
        == "postgresql://gw:***@db.example:5432/linkus"
    )
    with pytest.raises(StoreError) as refused:
        Store.open("postgresql://gw:s3cret@127.0.0.1:1/linkus")
    assert "s3cret" not in str(refused.value)
    assert "127.0.0.1:1" in str(refused.value)
