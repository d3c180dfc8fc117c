"""Shared test fixtures: offscreen Qt, an in-memory keyring, and every user dir under tmp_path."""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from linkus_companion import paths
from linkus_companion.sim.memory_keyring import MemoryKeyring
from linkus_companion.sim.postgres_server import NoPostgres, PostgresServer

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["QT_API"] = "pyside6"


@pytest.fixture(autouse=True)
def qt_windows_gone_after_each_test() -> Iterator[None]:
    """Every window a test opened is closed and deleted when it ends, as quitting the app does, so no test
    meets another's windows (a tray menu, a panel, a dialog still taking events). processEvents alone never
    runs a deleteLater made outside an event loop: closed windows piled up and were destroyed at some later
    test's moment instead of their own."""
    yield
    if "PySide6.QtWidgets" not in sys.modules:  # the core tests run without Qt
        return
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    for window in app.topLevelWidgets():
        if window.parent() is None:  # a child window (a combo box's popup) goes with its owner
            window.close()
            window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Every test runs on its own in-memory keyring; the previous one is restored afterwards."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config, data, log and cache dirs under `tmp_path/home`; admin policies under `tmp_path/policy`.

    Subprocesses inherit the same dirs and a keyring that stores nothing.
    """
    home = tmp_path / "home"
    monkeypatch.setenv(paths.HOME_ENV, str(home))
    monkeypatch.setenv(paths.POLICY_ENV, str(tmp_path / "policy"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    return home


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server for the session; skipped only where its binaries are absent (never on CI)."""
    try:
        server = PostgresServer().start()
    except NoPostgres as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"{exc}; CI installs it")
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A new empty database on the session's PostgreSQL server."""
    return postgres_server.database(f"t{next(_DATABASES)}")


_DATABASES = itertools.count(1)
