"""Layered settings: default < recommended < user < locked; bad input reported, nothing lost."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from linkus_companion import paths
from linkus_companion.config.errors import InvalidValue, SettingLocked, UnknownSetting
from linkus_companion.config.settings import Effective, Settings
from linkus_companion.config.sources import Layer, Reading
from linkus_companion.config.userfile import UserFile

Policy = Callable[..., Path]


@pytest.fixture
def policy() -> Policy:
    """Write an admin policy file: policy("managed", "site.json", {"pop.mode": "manual"})."""

    def write(kind: str, name: str, data: object) -> Path:
        path = paths.policy_dir() / kind / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
        return path

    return write


def test_defaults_apply_when_nothing_is_configured() -> None:
    settings = Settings.open()
    assert settings.get("pop.trigger") == "ringing"
    assert settings.effective("pop.trigger") == ("ringing", "default", False, None)
    assert settings.problems == ()


def test_precedence_is_default_recommended_user_locked(policy: Policy) -> None:
    recommended = policy("recommended", "site.json", {"pop.trigger": "answered", "pop.mode": "manual"})
    managed = policy("managed", "site.json", {"pop.mode": "auto"})
    settings = Settings.open()
    assert settings.effective("pop.trigger") == Effective("answered", "recommended", False, str(recommended))
    settings.set_user("pop.trigger", "ended")
    assert settings.effective("pop.trigger") == Effective("ended", "user", False, None)
    assert settings.effective("pop.mode") == Effective("auto", "locked", True, str(managed))
    assert settings.effective("create.mode") == Effective("manual", "default", False, None)


def test_a_locked_key_cannot_be_changed_and_the_error_names_the_policy(policy: Policy) -> None:
    managed = policy("managed", "10-crm.json", {"crm.kind": "zoho"})
    settings = Settings.open()
    with pytest.raises(SettingLocked, match=str(managed)):
        settings.set_user("crm.kind", "hubspot")
    with pytest.raises(SettingLocked, match=str(managed)):
        settings.set_user_text("crm.kind", "not even valid")
    with pytest.raises(SettingLocked):
        settings.unset_user("crm.kind")
    assert settings.get("crm.kind") == "zoho"
    assert not paths.settings_file().exists()


def test_a_lock_overrides_a_value_the_user_set_before(policy: Policy) -> None:
    Settings.open().set_user("ui.language", "en")
    policy("managed", "lang.json", {"ui.language": "zh_CN"})
    assert Settings.open().effective("ui.language")[:3] == ("zh_CN", "locked", True)


def test_a_bad_admin_value_is_reported_and_ignored_while_the_rest_applies(policy: Policy) -> None:
    path = policy("managed", "site.json", {"pop.trigger": "sometimes", "pop.mode": "manual"})
    settings = Settings.open()
    assert settings.effective("pop.mode")[:3] == ("manual", "locked", True)
    assert settings.effective("pop.trigger")[:2] == ("ringing", "default")
    [problem] = settings.problems
    assert problem.source == str(path)
    assert "pop.trigger" in problem.message and "'sometimes'" in problem.message
    assert "ringing, answered, ended" in problem.message


def test_an_unreadable_policy_file_is_reported_and_other_files_still_apply(policy: Policy) -> None:
    policy("recommended", "a.json", "{ this is not json")
    policy("recommended", "b.json", ["not", "an", "object"])
    policy("recommended", "c.json", {"ui.notifications": False})
    settings = Settings.open()
    assert settings.get("ui.notifications") is False
    assert [Path(p.source).name for p in settings.problems] == ["a.json", "b.json"]


def test_a_policy_file_saved_with_a_byte_order_mark_is_read(policy: Policy) -> None:
    path = policy("managed", "from-powershell.json", {})
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"ui.language": "zh_CN"}).encode())
    settings = Settings.open()
    assert settings.effective("ui.language")[:3] == ("zh_CN", "locked", True)
    assert settings.problems == ()


def test_later_policy_files_in_a_dir_win(policy: Policy) -> None:
    policy("recommended", "10-base.json", {"match.region": "US", "match.last_digits": 8})
    later = policy("recommended", "20-uk.json", {"match.region": "GB"})
    settings = Settings.open()
    assert settings.effective("match.region") == ("GB", "recommended", False, str(later))
    assert settings.get("match.last_digits") == 8


def test_secrets_put_in_a_policy_are_refused_without_echoing_them(policy: Policy) -> None:
    policy("managed", "site.json", {"pbx.client_secret": "hunter2-very-secret"})
    settings = Settings.open()
    [problem] = settings.problems
    assert "keyring" in problem.message
    assert "hunter2" not in str(problem)


def test_user_values_persist_in_the_platform_config_dir(user_dirs: Path) -> None:
    Settings.open().set_user("binding", {"1001": "u1"})
    assert paths.settings_file().is_relative_to(user_dirs / "config")
    assert json.loads(paths.settings_file().read_text()) == {"binding": {"1001": "u1"}}
    again = Settings.open()
    assert again.effective("binding") == ({"1001": "u1"}, "user", False, None)


def test_a_list_setting_round_trips_through_the_file() -> None:
    Settings.open().set_user("pbx.extensions", ["1001", "1002"])
    assert Settings.open().get("pbx.extensions") == ("1001", "1002")


def test_an_invalid_user_value_is_refused_and_changes_nothing() -> None:
    settings = Settings.open()
    settings.set_user("sync.interval_minutes", 20)
    before = paths.settings_file().read_bytes()
    with pytest.raises(InvalidValue, match=r"sync\.interval_minutes: 45 .* from 1 to 30"):
        settings.set_user("sync.interval_minutes", 45)
    with pytest.raises(UnknownSetting):
        settings.set_user("sync.intervall", 5)
    assert settings.get("sync.interval_minutes") == 20
    assert paths.settings_file().read_bytes() == before


def test_a_corrupt_settings_file_is_kept_aside_and_reported() -> None:
    path = paths.settings_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"pop.trigger": "answered",')
    settings = Settings.open()
    assert settings.get("pop.trigger") == "ringing"
    [kept] = path.parent.glob("settings.json.corrupt-*")
    assert kept.read_bytes() == b'{"pop.trigger": "answered",'
    assert kept.name in str(settings.problems[0])
    settings.set_user("pop.enabled", False)
    assert json.loads(path.read_text()) == {"pop.enabled": False}
    assert kept.exists()


def test_an_invalid_value_in_the_user_file_is_reported_but_kept() -> None:
    path = paths.settings_file()
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"pop.trigger": "whenever", "future.key": 1}))
    settings = Settings.open()
    assert settings.get("pop.trigger") == "ringing"
    assert len(settings.problems) == 2
    settings.set_user("pop.mode", "manual")
    assert json.loads(path.read_text()) == {"pop.trigger": "whenever", "future.key": 1, "pop.mode": "manual"}


def test_unset_returns_to_the_admin_recommendation(policy: Policy) -> None:
    policy("recommended", "site.json", {"calllog.subject": "PBX call"})
    settings = Settings.open()
    settings.set_user("calllog.subject", "My call")
    settings.unset_user("calllog.subject")
    assert settings.effective("calllog.subject")[:2] == ("PBX call", "recommended")
    assert json.loads(paths.settings_file().read_text()) == {}


def test_changes_made_by_another_instance_are_not_lost() -> None:
    app, cli = Settings.open(), Settings.open()
    cli.set_user("ui.language", "zh_CN")
    app.set_user("pop.trigger", "ended")
    fresh = Settings.open()
    assert (fresh.get("ui.language"), fresh.get("pop.trigger")) == ("zh_CN", "ended")


def test_listeners_hear_each_effective_change_once() -> None:
    settings = Settings.open()
    heard: list[tuple[str, Effective]] = []
    unsubscribe = settings.subscribe(lambda key, value: heard.append((key, value)))
    settings.set_user("pop.trigger", "answered")
    settings.set_user("pop.trigger", "answered")
    assert heard == [("pop.trigger", Effective("answered", "user", False, None))]
    unsubscribe()
    settings.set_user("pop.trigger", "ended")
    assert len(heard) == 1


def test_reload_picks_up_a_new_admin_lock_and_notifies(policy: Policy) -> None:
    settings = Settings.open()
    heard: list[str] = []
    settings.subscribe(lambda key, value: heard.append(f"{key}={value.value} locked={value.locked}"))
    policy("managed", "site.json", {"crm.enabled": False})
    settings.reload()
    assert heard == ["crm.enabled=False locked=True"]


def test_a_failing_listener_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings.open()
    heard: list[str] = []

    def broken(key: str, value: Effective) -> None:
        raise RuntimeError("listener bug")

    settings.subscribe(broken)
    settings.subscribe(lambda key, value: heard.append(key))
    settings.set_user("ui.notifications", False)
    assert heard == ["ui.notifications"]
    assert "listener bug" in caplog.text


def test_values_handed_out_are_copies() -> None:
    settings = Settings.open()
    settings.set_user("binding", {"1001": "u1"})
    value = settings.get("binding")
    assert isinstance(value, dict)
    value["1002"] = "intruder"
    assert settings.get("binding") == {"1001": "u1"}


class FakeRegistry:
    """A pluggable admin source, as the OS policy readers will be."""

    def __init__(self, layer: Layer, values: dict[str, object]) -> None:
        self.layer = layer
        self.values = values

    def read(self) -> Reading:
        return Reading(
            {k: (v, f"HKLM\\SOFTWARE\\Policies\\Linkus Companion\\{k}") for k, v in self.values.items()}
        )


def test_any_policy_source_plugs_in_and_the_first_source_wins(tmp_path: Path) -> None:
    machine = FakeRegistry(Layer.LOCKED, {"pop.mode": "manual"})
    user = FakeRegistry(Layer.LOCKED, {"pop.mode": "auto", "pop.trigger": "ended"})
    settings = Settings(UserFile(tmp_path / "s.json"), [machine, user])
    assert settings.effective("pop.mode") == (
        "manual",
        "locked",
        True,
        "HKLM\\SOFTWARE\\Policies\\Linkus Companion\\pop.mode",
    )
    assert settings.get("pop.trigger") == "ended"
