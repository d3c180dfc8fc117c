"""The store interface, its schema migrations, and `Store.open` choosing SQLite or PostgreSQL."""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol

from linkus_companion.texts import Text

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE calls (
            call_id TEXT NOT NULL,
            extension TEXT NOT NULL,
            state TEXT NOT NULL,
            closed_at TEXT,
            PRIMARY KEY (call_id, extension)
        )""",
        """CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            idempotency_key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL CHECK (json_valid(payload)),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            crm_id TEXT,
            delivered_at TEXT,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL",
    ),
    (
        """CREATE TABLE recording_links (
            link_id TEXT PRIMARY KEY,
            call_id TEXT NOT NULL,
            file TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (call_id, file)
        )""",
        """CREATE TABLE sync_groups (
            phonebook_id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            attached_at TEXT NOT NULL
        )""",
        """CREATE TABLE synced_contacts (
            contact_id INTEGER PRIMARY KEY,
            phonebook_id INTEGER NOT NULL
                REFERENCES sync_groups (phonebook_id) ON DELETE CASCADE ON UPDATE CASCADE,
            record_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            module TEXT NOT NULL,
            display_name TEXT NOT NULL,
            company TEXT NOT NULL,
            url TEXT NOT NULL,
            number TEXT NOT NULL,
            synced_at TEXT NOT NULL,
            UNIQUE (phonebook_id, kind, record_id)
        )""",
    ),
    (
        "ALTER TABLE outbox ADD COLUMN call_id TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE outbox ADD COLUMN after_key TEXT",
        "ALTER TABLE outbox ADD COLUMN parked_at TEXT",
        "CREATE INDEX outbox_call ON outbox (call_id)",
    ),
    (
        """CREATE TABLE gateway_enrollments (
            code_hash TEXT PRIMARY KEY,
            extension TEXT NOT NULL,
            email TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT
        )""",
        """CREATE TABLE gateway_sessions (
            session_id TEXT PRIMARY KEY,
            extension TEXT NOT NULL,
            email TEXT NOT NULL,
            refresh_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            refreshed_at TEXT NOT NULL,
            revoked_at TEXT
        )""",
        "CREATE INDEX gateway_sessions_extension ON gateway_sessions (extension)",
    ),
    (
        """CREATE TABLE leader (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            epoch INTEGER NOT NULL,
            holder TEXT NOT NULL,
            since TEXT NOT NULL
        )""",
        "ALTER TABLE outbox ADD COLUMN claim_epoch INTEGER",
        "CREATE TABLE gateway_keys (name TEXT PRIMARY KEY, pem TEXT NOT NULL, created_at TEXT NOT NULL)",
    ),
    (
        """CREATE TABLE call_history (
            call_id TEXT NOT NULL,
            extension TEXT NOT NULL,
            direction TEXT NOT NULL,
            outcome TEXT NOT NULL,
            number TEXT NOT NULL,
            name TEXT NOT NULL,
            record TEXT NOT NULL,
            started_at TEXT NOT NULL,
            answered_at TEXT,
            ended_at TEXT NOT NULL,
            PRIMARY KEY (call_id, extension)
        )""",
        "CREATE INDEX call_history_started ON call_history (extension, started_at)",
    ),
    (
        """CREATE TABLE open_calls (
            call_id TEXT PRIMARY KEY,
            snapshot TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
    ),
    (
        "ALTER TABLE recording_links ADD COLUMN expires_at TEXT",
        "ALTER TABLE recording_links ADD COLUMN revoked_at TEXT",
    ),
    ("CREATE INDEX outbox_after ON outbox (after_key) WHERE after_key IS NOT NULL",),
    (  # each status update counts the waiting logs, each ended call drops history past KEEP: no scans
        "CREATE INDEX outbox_waiting_kind ON outbox (kind, delivered_at) WHERE delivered_at IS NULL",
        "CREATE INDEX call_history_age ON call_history (started_at)",
    ),
    # the CRM could not be asked about the number when the call ended (the history says so, not "no record")
    ("ALTER TABLE call_history ADD COLUMN lookup_failed INTEGER NOT NULL DEFAULT 0",),
    (  # what the user typed on a live call, until its log is queued: a restart before the end keeps it
        """CREATE TABLE live_notes (
            call_id TEXT NOT NULL,
            extension TEXT NOT NULL,
            note TEXT NOT NULL,
            PRIMARY KEY (call_id, extension)
        )""",
    ),
    # unexpected failures of a job (a bug, a file it cannot write): it is parked after a few of them
    ("ALTER TABLE outbox ADD COLUMN failures INTEGER NOT NULL DEFAULT 0",),
)
"""Schema steps in SQLite's dialect, oldest first; step N (1-based) brings the schema to version N.

Only append. The PostgreSQL store translates the few SQLite-only spellings (see `store_postgres`).
"""


class StoreError(RuntimeError):
    """The database cannot be used; the message says what to do."""


class Rows(Protocol):
    """What a statement returns: rows as tuples, and how many rows it changed."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Db(Protocol):
    """A connection inside a transaction; statements use `?` placeholders on every backend."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Rows: ...


class Store(abc.ABC):
    """The state of the app or gateway (calls, outbox, sessions...); every access goes through `transaction()`."""

    IntegrityError: ClassVar[type[Exception]]
    """What a broken constraint (a second job with the same idempotency key) raises."""
    skip_locked: ClassVar[str]
    """Appended to a `SELECT` that claims rows: lets concurrent claimers pass each other's rows."""
    share_lock: ClassVar[str]
    """Appended to a `SELECT` whose row must not change until the transaction ends."""

    @classmethod
    def open(
        cls, target: Path | str | None = None, *, password: str | None = None, cache_kib: int | None = None
    ) -> Store:
        """The database at `target`, migrated: a `postgresql://` URL, else a SQLite file (default: user data dir).

        `password`: PostgreSQL's, when neither the URL nor `~/.pgpass` holds it. `cache_kib`: SQLite's page
        cache (None: SQLite's default, 2 MB).
        """
        if isinstance(target, str) and target.startswith(("postgresql://", "postgres://")):
            from linkus_companion.store_postgres import PostgresStore

            return PostgresStore.connect(target, password)
        from linkus_companion.store_sqlite import SqliteStore

        return SqliteStore.at(target, cache_kib)

    @abc.abstractmethod
    def transaction(self) -> AbstractContextManager[Db]:
        """The connection inside a transaction: committed on exit, rolled back on an exception.

        Nested use (same thread) becomes a savepoint, so a failing inner block undoes only itself.
        """

    @abc.abstractmethod
    def close(self) -> None:
        """Close the database."""

    @property
    @abc.abstractmethod
    def where(self) -> str:
        """Where the data lives, for messages (a file path, or a URL without its password)."""

    @property
    def schema_version(self) -> int:
        """The number of migration steps applied."""
        with self.transaction() as db:
            return version(db)

    def migrate(self, statements: Sequence[tuple[str, ...]]) -> None:
        """Apply the missing steps of `statements`, each in its own transaction."""
        with self.transaction() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
        for number, step in enumerate(statements, start=1):
            with self.transaction() as db:
                self.lock_schema(db)
                if version(db) >= number:
                    continue
                for statement in step:
                    db.execute(statement)
                db.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                    (number, datetime.now(UTC).isoformat()),
                )
        if self.schema_version > len(statements):
            raise StoreError(
                Text(
                    "the database {where} was created by a newer version of the app"
                    " (schema {found}, this version knows {known}); update the app",
                    where=self.where,
                    found=self.schema_version,
                    known=len(statements),
                )
            )

    @abc.abstractmethod
    def lock_schema(self, db: Db) -> None:
        """Keep other processes from migrating until this transaction ends."""


def version(db: Db) -> int:
    """The schema version recorded in `db`."""
    return int(db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()[0])
