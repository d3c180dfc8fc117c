"""The store on a local SQLite file (WAL, foreign keys): the desktop's and a single gateway's."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar, cast

from linkus_companion import paths, store
from linkus_companion.os_cause import system_says
from linkus_companion.store import Db, Store, StoreError
from linkus_companion.texts import Text

_BUSY_TIMEOUT_MS = 5000


class SqliteStore(Store):
    """One SQLite database shared by threads."""

    IntegrityError: ClassVar[type[Exception]] = sqlite3.IntegrityError
    skip_locked: ClassVar[str] = ""
    """SQLite has one writer at a time: a claim's transaction already excludes every other claimer."""
    share_lock: ClassVar[str] = ""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self._lock = threading.RLock()
        self.path = path

    @classmethod
    def at(cls, target: Path | str | None = None, cache_kib: int | None = None) -> SqliteStore:
        """Open (creating if needed) the database at `target` (default: the user data dir), migrated;
        `cache_kib`: the page cache's size (None: SQLite's default)."""
        path = Path(target) if target else paths.database_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(
                Text("cannot open the local database {path} ({why})", path=str(path), why=_why(exc))
            ) from None
        opened = cls(db, path)
        try:
            db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA synchronous = NORMAL")
            if cache_kib is not None:
                db.execute(f"PRAGMA cache_size = {-int(cache_kib)}")
            opened.migrate(store.MIGRATIONS)
        except StoreError:
            db.close()
            raise
        except sqlite3.Error as exc:
            db.close()
            raise StoreError(
                Text("cannot use the local database {path} ({why})", path=str(path), why=_why(exc))
            ) from None
        return opened

    @property
    def where(self) -> str:
        """The database file."""
        return str(self.path)

    @contextmanager
    def transaction(self) -> Iterator[Db]:
        """The connection inside a transaction (`BEGIN IMMEDIATE`; nested: a savepoint)."""
        with self._lock:
            nested = self._db.in_transaction
            self._db.execute("SAVEPOINT nested" if nested else "BEGIN IMMEDIATE")
            try:
                yield cast(Db, self._db)
            except BaseException:
                if nested:
                    self._db.execute("ROLLBACK TO nested")
                    self._db.execute("RELEASE nested")
                else:
                    self._db.execute("ROLLBACK")
                raise
            self._db.execute("RELEASE nested" if nested else "COMMIT")

    def lock_schema(self, db: Db) -> None:
        """Nothing to do: `BEGIN IMMEDIATE` already holds SQLite's writer lock."""

    def close(self) -> None:
        """Close the database (pending WAL content is checkpointed by SQLite)."""
        with self._lock:
            self._db.close()


_SQLITE_WHY = {
    "SQLITE_BUSY": Text("another program keeps it locked"),
    "SQLITE_LOCKED": Text("another program keeps it locked"),
    "SQLITE_CANTOPEN": Text("the file cannot be opened; check the folder and its permissions"),
    "SQLITE_CORRUPT": Text("the file is damaged"),
    "SQLITE_NOTADB": Text("the file is not a database"),
    "SQLITE_FULL": Text("the disk is full"),
    "SQLITE_READONLY": Text("the file is read-only"),
    "SQLITE_IOERR": Text("the disk reported a read or write error"),
    "SQLITE_PERM": Text("permission denied"),
}
"""SQLite's result codes (primary, without the extended part) in the user's words."""


def _why(exc: sqlite3.Error) -> str:
    """Why SQLite failed, in the user's words (SQLite's own English only as a labelled detail)."""
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    primary = "_".join(name.split("_")[:2])
    return _SQLITE_WHY.get(primary) or Text("the database reported an error{detail}", detail=system_says(exc))
