"""Windows Group Policy: HKLM/HKCU policy keys read through a fake registry, as an admin would set them."""

from __future__ import annotations

import argparse
import re
import xml.etree.ElementTree as ET

import pytest

from linkus_companion import paths
from linkus_companion.admin.admx import NS, build
from linkus_companion.config import cli as config_cli
from linkus_companion.config.errors import SettingLocked
from linkus_companion.config.policies import admin_policies
from linkus_companion.config.policy_windows import POLICY_KEY, registry_sources
from linkus_companion.config.settings import Settings
from linkus_companion.config.userfile import UserFile

HKLM = f"HKLM\\{POLICY_KEY}"
HKCU = f"HKCU\\{POLICY_KEY}"


class FakeRegistry:
    """Registry keys as dicts of values, with the data types `winreg` returns."""

    def __init__(self, keys: dict[str, dict[str, object]] | None = None) -> None:
        self.keys = keys or {}
        self.broken = False

    def values(self, key: str) -> dict[str, object] | None:
        if self.broken:
            raise PermissionError("access denied")
        found = self.keys.get(key)
        return dict(found) if found is not None else None


def open_settings(registry: FakeRegistry) -> Settings:
    sources = admin_policies(native=registry_sources(registry)).sources
    return Settings(UserFile(paths.settings_file()), sources)


def test_values_at_the_key_root_are_locked_and_name_the_key() -> None:
    settings = open_settings(FakeRegistry({HKLM: {"pop.trigger": "answered", "pop.enabled": 0}}))
    assert settings.effective("pop.trigger") == ("answered", "locked", True, HKLM)
    assert settings.effective("pop.enabled")[:3] == (False, "locked", True)
    with pytest.raises(SettingLocked, match=re.escape(POLICY_KEY)):
        settings.set_user("pop.trigger", "ended")


def test_recommended_subkey_is_a_default_the_user_may_override() -> None:
    settings = open_settings(FakeRegistry({f"{HKCU}\\Recommended": {"match.last_digits": 9}}))
    assert settings.effective("match.last_digits")[:3] == (9, "recommended", False)
    settings.set_user("match.last_digits", 8)
    assert settings.effective("match.last_digits")[:3] == (8, "user", False)


def test_machine_policy_wins_over_user_policy() -> None:
    registry = FakeRegistry({HKLM: {"crm.kind": "zoho"}, HKCU: {"crm.kind": "hubspot", "ui.language": "en"}})
    settings = open_settings(registry)
    assert settings.effective("crm.kind") == ("zoho", "locked", True, HKLM)
    assert settings.effective("ui.language") == ("en", "locked", True, HKCU)


def test_registry_types_become_setting_values() -> None:
    registry = FakeRegistry(
        {
            HKLM: {"sync.modules": ["contacts", "leads"], "crm.enabled": 1, "pbx.heartbeat_seconds": 20},
            f"{HKLM}\\binding": {"1001": "alice@example.com", "1002": "bob"},
        }
    )
    settings = open_settings(registry)
    assert settings.get("sync.modules") == ("contacts", "leads")
    assert settings.get("crm.enabled") is True
    assert settings.get("pbx.heartbeat_seconds") == 20
    assert settings.effective("binding") == (
        {"1001": "alice@example.com", "1002": "bob"},
        "locked",
        True,
        f"{HKLM}\\binding",
    )


def test_unknown_bad_and_binary_values_are_reported_with_their_key_and_ignored() -> None:
    registry = FakeRegistry(
        {HKLM: {"pop.trigers": "answered", "pop.mode": "sometimes", "pop.trigger": b"\x01"}}
    )
    settings = open_settings(registry)
    assert settings.effective("pop.mode")[:2] == ("auto", "default")
    assert settings.effective("pop.trigger")[:2] == ("ringing", "default")
    problems = [str(p) for p in settings.problems]
    assert all(p.startswith(HKLM) for p in problems)
    assert any("unknown setting 'pop.trigers'" in p for p in problems)
    assert any("'sometimes'" in p for p in problems)
    assert any("unsupported registry value type" in p for p in problems)


def test_an_unreadable_policy_key_is_reported_not_fatal() -> None:
    registry = FakeRegistry()
    registry.broken = True
    settings = open_settings(registry)
    assert settings.get("pop.trigger") == "ringing"
    assert any("cannot read the policy key" in str(p) for p in settings.problems)


def test_the_cli_refuses_a_key_locked_by_the_registry(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = FakeRegistry({HKLM: {"create.mode": "manual"}})
    monkeypatch.setattr(Settings, "open", classmethod(lambda cls: open_settings(registry)))
    code = config_cli.set_value(argparse.Namespace(key="create.mode", value="auto"))
    err = capsys.readouterr().err
    assert code == 1
    assert "create.mode is locked by your administrator" in err and HKLM in err
    assert not paths.settings_file().exists()


def test_what_group_policy_writes_from_the_admx_is_what_the_app_reads() -> None:
    """Write values the way each ADMX element type stores them, then read them back as settings."""
    admx = ET.fromstring(build()[0])
    kinds = {
        (e.get("valueName") or e.get("key", "").rsplit("\\", 1)[-1]): e.tag.split("}")[1]
        for e in admx.iterfind(".//p:policy/p:elements/*", {"p": NS})
    }
    assert kinds["match.last_digits"] == "decimal" and kinds["sync.modules"] == "multiText"
    assert kinds["binding"] == "list" and kinds["crm.kind"] == "enum" and kinds["pbx.url"] == "text"
    registry = FakeRegistry(
        {
            HKLM: {"match.last_digits": 5, "sync.modules": ["leads"], "crm.kind": "zoho", "pop.enabled": 0},
            f"{HKLM}\\binding": {"1001": "u1"},
        }
    )
    settings = open_settings(registry)
    assert [
        settings.get(k) for k in ("match.last_digits", "sync.modules", "crm.kind", "pop.enabled", "binding")
    ] == [
        5,
        ("leads",),
        "zoho",
        False,
        {"1001": "u1"},
    ]
    assert settings.problems == ()
