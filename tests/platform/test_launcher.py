"""The command line that starts the app again."""

from __future__ import annotations

import sys

import pytest

from linkus_companion.platform.launcher import app_command, windows_command_line


def test_source_run_starts_the_package_with_this_python() -> None:
    assert app_command("dial") == [sys.executable, "-m", "linkus_companion", "dial"]


def test_frozen_build_starts_its_executable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", r"C:\Apps\LC\linkus-companion.exe")
    assert app_command("--minimized") == [r"C:\Apps\LC\linkus-companion.exe", "--minimized"]


def test_windows_command_line_quotes_every_argument() -> None:
    assert windows_command_line([r"C:\My Apps\lc.exe", "dial"]) == r'"C:\My Apps\lc.exe" "dial"'
    with pytest.raises(ValueError, match="double quote"):
        windows_command_line(['C:\\x" & calc.exe'])
