"""Where files live: user dirs follow LINKUS_COMPANION_HOME; a frozen build keeps the admin's policy dir."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from linkus_companion import paths


def test_every_user_dir_is_under_the_home_override(user_dirs: Path) -> None:
    for directory in (paths.config_dir(), paths.data_dir(), paths.log_dir(), paths.cache_dir()):
        assert directory.is_relative_to(user_dirs)
    assert len({paths.config_dir(), paths.data_dir(), paths.log_dir(), paths.cache_dir()}) == 4


def test_without_overrides_the_platform_dirs_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(paths.HOME_ENV)
    monkeypatch.delenv(paths.POLICY_ENV)
    assert "linkus" in str(paths.config_dir()).lower()
    assert paths.config_dir() != paths.data_dir()
    if sys.platform.startswith("linux"):
        assert paths.policy_dir() == Path("/etc/linkus-companion")


def test_a_frozen_build_ignores_the_policy_dir_override(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert paths.policy_dir() == tmp_path / "policy"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert paths.policy_dir() != tmp_path / "policy"
