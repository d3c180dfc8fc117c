"""`linkus-companion dial NUMBER` needs no GUI: it hands the number to the running app, or says none runs."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from linkus_companion.cli import NOT_RUNNING
from linkus_companion.platform.single_instance import InstanceServer, claim


@pytest.fixture
def profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment of a user without a display, in a fresh profile (this process shares it)."""
    for name, value in {"LINKUS_COMPANION_HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(tmp_path)}.items():
        monkeypatch.setenv(name, value)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    return env


def _dial(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "linkus_companion", "dial", "123"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.parametrize("platform", [None, "offscreen"])
def test_without_a_running_app_it_says_so_in_one_line(profile: dict[str, str], platform: str | None) -> None:
    done = _dial(profile | ({"QT_QPA_PLATFORM": platform} if platform else {}))
    assert (done.returncode, done.stderr.splitlines()) == (1, [NOT_RUNNING])


@pytest.fixture
def running(profile: dict[str, str], qapp: QApplication) -> Iterator[InstanceServer]:
    server = claim([])
    assert server is not None
    yield server
    server.close()


def test_the_running_app_gets_the_number(
    profile: dict[str, str], running: InstanceServer, qtbot: QtBot
) -> None:
    with qtbot.wait_signal(running.got_args, timeout=20000) as blocker:
        done = _dial(profile)
    assert (done.returncode, done.stderr) == (0, "")
    assert blocker.args == [["dial", "123"]]
