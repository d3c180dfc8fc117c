"""default < recommended < user < locked holds for every kind of admin source."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from test_policy_macos import FakePreferences
from test_policy_windows import FakeRegistry

from linkus_companion import paths
from linkus_companion.admin.keys import generate, load_private
from linkus_companion.admin.signing import sign
from linkus_companion.config.errors import SettingLocked
from linkus_companion.config.policies import BUNDLE_FILE, admin_policies
from linkus_companion.config.policy_macos import mac_sources
from linkus_companion.config.policy_windows import POLICY_KEY, registry_sources
from linkus_companion.config.provisioning import public_key_line
from linkus_companion.config.settings import Settings
from linkus_companion.config.sources import PolicySource
from linkus_companion.config.userfile import UserFile

Values = dict[str, object]
Deploy = Callable[[Values, Values, Path], list[PolicySource]]
"""Puts `recommended` and `locked` values where this kind of source keeps them; returns native sources."""


def registry(recommended: Values, locked: Values, _: Path) -> list[PolicySource]:
    keys = {f"HKLM\\{POLICY_KEY}": locked, f"HKLM\\{POLICY_KEY}\\Recommended": recommended}
    return registry_sources(FakeRegistry(keys))


def macos(recommended: Values, locked: Values, _: Path) -> list[PolicySource]:
    return mac_sources(FakePreferences({**recommended, **locked}, forced=frozenset(locked)))


def json_files(recommended: Values, locked: Values, _: Path) -> list[PolicySource]:
    for kind, values in (("recommended", recommended), ("managed", locked)):
        path = paths.policy_dir() / kind / "site.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(values))
    return []


def signed_bundle(recommended: Values, locked: Values, tmp: Path) -> list[PolicySource]:
    key = load_private(generate(tmp / "keys").private_file)
    trust = paths.policy_dir() / "managed" / "trust.json"
    trust.parent.mkdir(parents=True)
    trust.write_text(json.dumps({"provisioning.public_keys": [public_key_line(key.public_key())]}))
    spec = {"locked": locked, "recommended": recommended}
    (paths.policy_dir() / BUNDLE_FILE).write_text(sign(spec, key, days=1))
    return []


@pytest.mark.parametrize("deploy", [registry, macos, json_files, signed_bundle])
def test_default_then_recommended_then_user_then_locked(deploy: Deploy, tmp_path: Path) -> None:
    UserFile(paths.settings_file()).save({"pop.mode": "auto"})  # chosen before the admin locked it
    native = deploy({"pop.trigger": "answered"}, {"pop.mode": "manual"}, tmp_path)
    settings = Settings(UserFile(paths.settings_file()), admin_policies(native=native).sources)

    assert settings.effective("create.mode")[:3] == ("manual", "default", False)
    assert settings.effective("pop.trigger")[:3] == ("answered", "recommended", False)
    settings.set_user("pop.trigger", "ended")
    assert settings.effective("pop.trigger")[:3] == ("ended", "user", False)
    assert settings.effective("pop.mode")[:3] == ("manual", "locked", True)
    with pytest.raises(SettingLocked):
        settings.set_user("pop.mode", "auto")
    assert settings.problems == ()
