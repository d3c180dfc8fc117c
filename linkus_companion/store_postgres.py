"""The store on PostgreSQL (psycopg 3), shared by the gateway replicas of one site."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import psycopg

from linkus_companion import store
from linkus_companion.redaction import redact
from linkus_companion.store import Db, Rows, Store, StoreError
from linkus_companion.texts import Text

MIGRATION_LOCK = 0x4C43_5301
"""Advisory lock held while one process migrates, so replicas starting together migrate once."""
CONNECT_TIMEOUT = 5
IDLE_IN_TRANSACTION = 5
"""Seconds PostgreSQL lets a transaction of ours sit idle before ending its session: a replica frozen
mid-transaction (SIGSTOP, a paused VM) would otherwise hold its row locks, e.g. the `FOR SHARE` of an
outbox claim on `leader`, and keep the next leader from bumping the epoch."""
_JSON_VALID = """CREATE OR REPLACE FUNCTION json_valid(value TEXT) RETURNS BOOLEAN
    LANGUAGE plpgsql IMMUTABLE AS $$
    BEGIN PERFORM value::jsonb; RETURN TRUE; EXCEPTION WHEN others THEN RETURN FALSE; END $$"""
"""SQLite's `json_valid`, so the outbox's CHECK reads the same on both."""


class PostgresStore(Store):
    """One connection shared by threads; it is opened again when the server dropped it."""

    IntegrityError: ClassVar[type[Exception]] = psycopg.IntegrityError
    skip_locked: ClassVar[str] = " FOR UPDATE SKIP LOCKED"
    share_lock: ClassVar[str] = " FOR SHARE"

    def __init__(self, url: str, password: str | None) -> None:
        self.url = url
        self._password = password
        self._lock = threading.RLock()
        self._closed = False
        self._depth = 0
        self._begun = False
        self._db = self._connect()

    @classmethod
    def connect(cls, target: str, password: str | None = None) -> PostgresStore:
        """Connect to `target` (a `postgresql://` URL; `password` if the URL and ~/.pgpass have none), migrated."""
        opened = cls(target, password)
        try:
            with opened.transaction() as db:
                opened.lock_schema(db)
                db.execute(_JSON_VALID)
            opened.migrate(tuple(tuple(dialect(s) for s in step) for step in store.MIGRATIONS))
        except psycopg.Error as exc:
            opened.close()
            raise StoreError(
                Text("cannot use the database {where} ({why})", where=opened.where, why=_said(exc))
            ) from None
        except StoreError:
            opened.close()
            raise
        return opened

    @property
    def where(self) -> str:
        """The URL without its password."""
        return redact(self.url)

    @contextmanager
    def transaction(self) -> Iterator[Db]:
        """The connection inside a transaction (nested: a savepoint). BEGIN travels with the first statement
        and COMMIT is sent only after one: a single write is two round trips, a transaction without any none."""
        with self._lock:
            if self._closed:
                raise StoreError(Text("the database {where} was closed", where=self.where))
            if not self._depth and (
                self._db.closed or self._db.broken
            ):  # the server or the network dropped it
                self._db.close()
                self._db = self._connect()
            self._depth += 1
            savepoint = f"nested{self._depth}" if self._depth > 1 else ""
            try:
                if savepoint:
                    self.run(f"SAVEPOINT {savepoint}")
                try:
                    yield _Translating(self)
                except BaseException:
                    self._undo(savepoint)
                    raise
                if savepoint:
                    self._db.execute(f"RELEASE SAVEPOINT {savepoint}")
                elif self._begun:
                    self._begun = False
                    self._db.execute("COMMIT")
            finally:
                self._depth -= 1
                if not self._depth:
                    self._begun = False

    def run(self, sql: str, parameters: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        """Run a statement of the current transaction (`?` placeholders), opening it with this statement."""
        query = placeholders(sql)
        if self._begun:
            return self._db.execute(query, tuple(parameters))
        self._begun = True  # set first: should the statement fail, the transaction is rolled back
        cursor = self._db.execute("BEGIN; " + query, tuple(parameters))
        cursor.nextset()  # past BEGIN's result, to the statement's
        return cursor

    def _undo(self, savepoint: str) -> None:
        """Roll back to `savepoint`, or the whole transaction; a connection that cannot is closed (opened anew)."""
        try:
            if savepoint:
                self._db.execute(f"ROLLBACK TO SAVEPOINT {savepoint}; RELEASE SAVEPOINT {savepoint}")
            elif self._begun:
                self._begun = False
                self._db.execute("ROLLBACK")
        except psycopg.Error:
            self._db.close()

    def lock_schema(self, db: Db) -> None:
        """Wait for any other replica's migration, then hold the lock to the end of this transaction."""
        db.execute(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._closed = True
            self._db.close()

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(
                self.url,
                password=self._password,
                autocommit=True,
                connect_timeout=CONNECT_TIMEOUT,
                cursor_factory=psycopg.ClientCursor,
                application_name="linkus-companion",
                options=f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION}s",
            )
        except psycopg.Error as exc:
            raise StoreError(
                Text(
                    "cannot connect to the database {where} ({why}); check that PostgreSQL runs there and that the gateway's database password is configured",
                    where=self.where,
                    why=_said(exc),
                )
            ) from None


class _Translating:
    """The store's connection inside a transaction, taking SQLite's `?` placeholders."""

    def __init__(self, store: PostgresStore) -> None:
        self._store = store

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Rows:
        return self._store.run(sql, parameters)


@functools.lru_cache(maxsize=512)
def placeholders(sql: str) -> str:
    """`sql` with `?` placeholders as psycopg's `%s` (a literal `%` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


def dialect(statement: str) -> str:
    """A migration statement in PostgreSQL's words: identity keys, byte-order text like SQLite's."""
    statement = re.sub(
        r"\bINTEGER PRIMARY KEY\b", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", statement
    )
    statement = re.sub(r"\bINTEGER\b", "BIGINT", statement)
    return re.sub(r"\bTEXT\b", 'TEXT COLLATE "C"', statement)


def _said(exc: psycopg.Error) -> str:
    """The server's first line, labelled as its own words, without any echo of the connection string."""
    lines = str(exc).strip().splitlines()
    return Text("PostgreSQL says: {words}", words=lines[0][:200]) if lines else Text("no answer")
