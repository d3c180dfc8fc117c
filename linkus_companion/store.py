"""Local SQLite store (WAL, foreign keys) with versioned schema migrations."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from linkus_companion import paths

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
)
"""Schema steps, oldest first; step N (1-based) brings the schema to version N. Only append."""

_BUSY_TIMEOUT_MS = 5000


class StoreError(RuntimeError):
    """The local database cannot be used; the message says what to do."""


class Store:
    """One SQLite database shared by threads: every access goes through `transaction()`."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self._lock = threading.RLock()
        self.path = path

    @classmethod
    def open(cls, path: Path | str | None = None) -> Store:
        """Open (creating if needed) the database at `path` (default: the user data dir), migrated."""
        path = Path(path) if path else paths.database_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the local database {path} ({exc})") from None
        store = cls(db, path)
        try:
            db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA synchronous = NORMAL")
            store._migrate()
        except StoreError:
            db.close()
            raise
        except sqlite3.Error as exc:
            db.close()
            raise StoreError(f"cannot use the local database {path} ({exc})") from None
        return store

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """The connection inside a transaction: committed on exit, rolled back on an exception.

        Nested use (same thread) becomes a savepoint, so a failing inner block undoes only itself.
        """
        with self._lock:
            nested = self._db.in_transaction
            self._db.execute("SAVEPOINT nested" if nested else "BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                if nested:
                    self._db.execute("ROLLBACK TO nested")
                    self._db.execute("RELEASE nested")
                else:
                    self._db.execute("ROLLBACK")
                raise
            self._db.execute("RELEASE nested" if nested else "COMMIT")

    @property
    def schema_version(self) -> int:
        """The number of migration steps applied."""
        with self.transaction() as db:
            return _version(db)

    def close(self) -> None:
        """Close the database (pending WAL content is checkpointed by SQLite)."""
        with self._lock:
            self._db.close()

    def _migrate(self) -> None:
        """Apply the missing steps, each in its own transaction (safe with two processes starting)."""
        with self.transaction() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
        for version, statements in enumerate(MIGRATIONS, start=1):
            with self.transaction() as db:
                if _version(db) >= version:
                    continue
                for statement in statements:
                    db.execute(statement)
                db.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                    (version, datetime.now(UTC).isoformat()),
                )
        if self.schema_version > len(MIGRATIONS):
            raise StoreError(
                f"the local database {self.path} was created by a newer version of the app "
                f"(schema {self.schema_version}, this version knows {len(MIGRATIONS)}); update the app"
            )


def _version(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()[0])
