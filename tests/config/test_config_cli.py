"""`linkus-companion config show|set|unset` as a user or an admin sees it."""

from __future__ import annotations

import json

import pytest

from linkus_companion import paths
from linkus_companion.cli import main
from linkus_companion.config.schema import SCHEMA


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["config", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def lock(data: dict[str, object]) -> str:
    path = paths.policy_dir() / "managed" / "site.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(data))
    return str(path)


def test_show_lists_every_setting_with_value_source_and_lock(capsys: pytest.CaptureFixture[str]) -> None:
    policy = lock({"crm.kind": "zoho"})
    code, out, _ = run(capsys, "show")
    assert code == 0
    lines = {line.split()[0]: line.split() for line in out.splitlines()[1:]}
    assert set(lines) == set(SCHEMA)
    assert lines["crm.kind"][1:] == ["zoho", "yes", "locked", f"({policy})"]
    assert lines["pop.trigger"][1:] == ["ringing", "no", "default"]
    assert lines["gateway.url"][1:] == ["-", "no", "default"]


def test_show_json_is_machine_readable(capsys: pytest.CaptureFixture[str]) -> None:
    policy = lock({"sync.modules": ["contacts", "leads"]})
    code, out, _ = run(capsys, "show", "--json")
    document = json.loads(out)
    assert code == 0
    assert document["settings"]["sync.modules"] == {
        "value": ["contacts", "leads"],
        "source": "locked",
        "locked": True,
        "policy": policy,
    }
    assert document["settings"]["match.last_digits"]["value"] == 7
    assert document["problems"] == []


def test_set_then_show_then_unset(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "set", "pbx.extensions", "1001, 1002")
    assert (code, out.strip()) == (0, "pbx.extensions = 1001, 1002   [user]")
    document = json.loads(run(capsys, "show", "--json")[1])
    assert document["settings"]["pbx.extensions"]["value"] == ["1001", "1002"]
    code, out, _ = run(capsys, "unset", "pbx.extensions")
    assert (code, out.strip()) == (0, "pbx.extensions = -   [default]")


def test_set_refuses_a_locked_key_naming_the_policy(capsys: pytest.CaptureFixture[str]) -> None:
    policy = lock({"pop.enabled": False})
    code, _, err = run(capsys, "set", "pop.enabled", "true")
    assert code == 1
    assert "pop.enabled is locked" in err and policy in err
    assert run(capsys, "unset", "pop.enabled")[0] == 1


def test_set_refuses_an_invalid_value_naming_key_value_and_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "set", "sync.interval_minutes", "45")
    assert code == 1
    assert (
        err.strip() == "error: sync.interval_minutes: 45 is not valid; it must be a whole number from 1 to 30"
    )
    assert not paths.settings_file().exists()


def test_set_an_unknown_key_suggests_the_right_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "set", "pop.triger", "answered")
    assert code == 1
    assert "did you mean 'pop.trigger'" in err


def test_problems_are_shown_as_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    lock({"pop.trigger": "sometimes"})
    code, _, err = run(capsys, "show")
    assert code == 0
    assert "warning:" in err and "pop.trigger: 'sometimes' is not valid" in err
