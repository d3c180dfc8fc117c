"""UI fixtures: a qasync loop for glue tests, settings with an admin policy dir, and call data."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import PySide6.QtWidgets  # noqa: F401 - the binding before qasync
import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QWidget

from linkus_companion.backend import CallPhase, CallView
from linkus_companion.config import Settings
from linkus_companion.config.sources import JsonDirSource, Layer
from linkus_companion.config.userfile import UserFile
from linkus_companion.model import Direction, Record, RecordKind
from linkus_companion.ui.i18n import Translations

T0 = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
ALICE = Record(
    "101", RecordKind.CONTACT, "contacts", "Alice Smith", "https://crm.example/101", "Acme", ("+14155550123",)
)
BOB = Record(
    "202", RecordKind.LEAD, "leads", "Bob Jones", "https://crm.example/202", "Globex", ("+14155550123",)
)


def pytest_asyncio_loop_factories(config, item):
    """`pytest.mark.asyncio(loop_factories=["qt"])` runs a test on a qasync loop over the QApplication."""
    return {"qt": lambda: qasync.QEventLoop(QApplication.instance() or QApplication([]))}


@pytest.fixture
def policy_dir(tmp_path: Path) -> Path:
    """The admin's locked-policy dir; write JSON files into it before creating `settings`."""
    path = tmp_path / "policy" / "managed"
    path.mkdir(parents=True)
    return path


def lock(policy_dir: Path, **values: object) -> Path:
    """Write an admin policy file locking `values` (dots as `__` in keyword names)."""
    path = policy_dir / "10-locked.json"
    path.write_text(json.dumps({k.replace("__", "."): v for k, v in values.items()}))
    return path


@pytest.fixture
def settings(tmp_path: Path, policy_dir: Path) -> Settings:
    """Settings in tmp_path with the admin's locked dir."""
    return Settings(UserFile(tmp_path / "user.json"), [JsonDirSource(policy_dir, Layer.LOCKED)])


@pytest.fixture
def translations(qapp: QApplication) -> Iterator[Translations]:
    """The app's interface languages, back to English after the test (switch with `apply`)."""
    languages = Translations(qapp)
    yield languages
    languages.apply("en")


@pytest.fixture
def zh_cn(translations: Translations) -> Translations:
    """The interface in Simplified Chinese for the test (English again after it)."""
    assert translations.apply("zh_CN") == "zh_CN"
    return translations


def call(
    phase: CallPhase = CallPhase.RINGING,
    *,
    call_id: str = "c1",
    records: tuple[Record, ...] = (),
    chosen: Record | None = None,
    direction: Direction = Direction.INBOUND,
    looking_up: bool = False,
    number: str = "+14155550123",
) -> CallView:
    """A CallView as the backend sends it."""
    return CallView(
        call_id=call_id,
        extension="1001",
        direction=direction,
        phase=phase,
        number=number,
        started_at=T0,
        records=records,
        chosen=chosen,
        looking_up=looking_up,
        answered_at=T0 + dt.timedelta(seconds=5) if phase is not CallPhase.RINGING else None,
        ended_at=T0 + dt.timedelta(seconds=65) if phase is CallPhase.ENDED else None,
    )


async def until(condition: Callable[[], object], what: str = "", patience: float = 10.0) -> None:
    """In async tests: wait on the running loop, polling, until `condition()` is true (never qtbot.wait*)."""
    try:
        async with asyncio.timeout(patience):
            while True:  # widget state has no event to await: poll it
                if condition():
                    return
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what or condition}") from None


def unnamed_controls(window: QWidget) -> list[str]:
    """The controls Tab reaches in `window` that a screen reader could not name (a spin box's own
    line edit goes by the spin box's name)."""
    found = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) or not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            continue
        if isinstance(widget.parent(), QAbstractSpinBox):
            continue
        access = QAccessible.queryAccessibleInterface(widget)
        if not (access and access.text(QAccessible.Text.Name).strip()):
            found.append(f"{type(widget).__name__} in {type(widget.parent()).__name__}")
    return found
