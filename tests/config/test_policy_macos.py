"""macOS managed preferences through a fake of the CFPreferences calls: forced means locked."""

from __future__ import annotations

import getpass
import plistlib
from pathlib import Path

import pytest

from linkus_companion import paths
from linkus_companion.config.errors import SettingLocked
from linkus_companion.config.policies import admin_policies
from linkus_companion.config.policy_macos import mac_sources, managed_plist_keys
from linkus_companion.config.schema import SCHEMA
from linkus_companion.config.settings import Settings
from linkus_companion.config.userfile import UserFile
from linkus_companion.platform.launcher import BUNDLE_ID

MANAGED = f"macOS managed preferences ({BUNDLE_ID})"


class FakePreferences:
    """What CFPreferencesCopyAppValue and CFPreferencesAppValueIsForced answer for the app."""

    def __init__(self, values: dict[str, object], forced: frozenset[str] = frozenset()) -> None:
        self.values = values
        self.forced_keys = set(forced)

    def keys(self) -> list[str]:
        return [*SCHEMA, *self.values]

    def value(self, key: str) -> object | None:
        return self.values.get(key)

    def forced(self, key: str) -> bool:
        return key in self.forced_keys


def open_settings(preferences: FakePreferences) -> Settings:
    sources = admin_policies(native=mac_sources(preferences)).sources
    return Settings(UserFile(paths.settings_file()), sources)


def test_a_forced_key_is_locked_and_an_unforced_one_recommended() -> None:
    prefs = FakePreferences(
        {"pop.trigger": "ended", "create.mode": "auto"}, forced=frozenset({"pop.trigger"})
    )
    settings = open_settings(prefs)
    assert settings.effective("pop.trigger") == ("ended", "locked", True, MANAGED)
    assert settings.effective("create.mode") == (
        "auto",
        "recommended",
        False,
        f"macOS preferences ({BUNDLE_ID})",
    )
    with pytest.raises(SettingLocked, match="managed preferences"):
        settings.set_user("pop.trigger", "ringing")
    settings.set_user("create.mode", "manual")
    assert settings.effective("create.mode")[:2] == ("manual", "user")


def test_plist_types_become_setting_values() -> None:
    prefs = FakePreferences(
        {
            "sync.modules": ["leads"],
            "binding": {"1001": "u1"},
            "ui.notifications": False,
            "match.last_digits": 6,
        },
        forced=frozenset({"sync.modules", "binding", "ui.notifications", "match.last_digits"}),
    )
    settings = open_settings(prefs)
    assert settings.get("sync.modules") == ("leads",)
    assert settings.get("binding") == {"1001": "u1"}
    assert settings.get("ui.notifications") is False
    assert settings.get("match.last_digits") == 6


def test_an_unknown_profile_key_is_reported_once_with_its_source() -> None:
    settings = open_settings(FakePreferences({"pbx.secret": "hunter2"}, forced=frozenset({"pbx.secret"})))
    [problem] = settings.problems
    assert problem.source == MANAGED
    assert "unknown setting 'pbx.secret'" in problem.message and "keyring" in problem.message
    assert "hunter2" not in str(problem)


def test_managed_plist_keys_are_found_for_the_computer_and_the_user(tmp_path: Path) -> None:
    (tmp_path / f"{BUNDLE_ID}.plist").write_bytes(plistlib.dumps({"pop.mode": "manual"}))
    (tmp_path / getpass.getuser()).mkdir()
    (tmp_path / getpass.getuser() / f"{BUNDLE_ID}.plist").write_bytes(plistlib.dumps({"odd.key": 1}))
    (tmp_path / "other.plist").write_bytes(b"not a plist")
    assert managed_plist_keys(BUNDLE_ID, tmp_path) == ["pop.mode", "odd.key"]
