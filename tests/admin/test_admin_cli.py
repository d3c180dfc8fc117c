"""`admin keygen|sign|verify|show|templates` as an admin uses them."""

from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from linkus_companion import paths
from linkus_companion.secrets import SecretStore

Run = Callable[..., tuple[int, str, str]]
"""The `run` fixture: argv -> (exit code, stdout, stderr)."""


@pytest.fixture
def keys(run: Run, tmp_path: Path) -> Path:
    code, out, _ = run("admin", "keygen", "--out", str(tmp_path / "keys"))
    assert code == 0 and "provisioning.public_keys" in out
    return tmp_path / "keys"


def spec_file(tmp_path: Path, data: object) -> str:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(data))
    return str(path)


def signed(run: Run, keys: Path, tmp_path: Path, *extra: str) -> Path:
    spec = spec_file(tmp_path, {"locked": {"crm.kind": "zoho"}, "recommended": {"pop.trigger": "ended"}})
    out = tmp_path / "bundle.jwt"
    code, _, err = run(
        "admin", "sign", spec, "--key", str(keys / "provisioning-private.pem"), "--out", str(out), *extra
    )
    assert code == 0, err
    return out


def test_keygen_writes_an_owner_only_private_key_and_refuses_to_overwrite(run: Run, keys: Path) -> None:
    private = keys / "provisioning-private.pem"
    if os.name == "posix":
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
    before = private.read_bytes()
    code, _, err = run("admin", "keygen", "--out", str(keys))
    assert code == 1 and "exists already" in err
    assert private.read_bytes() == before


def test_sign_then_verify_with_the_public_key(run: Run, keys: Path, tmp_path: Path) -> None:
    bundle = signed(run, keys, tmp_path, "--issuer", "IT dept")
    code, out, _ = run("admin", "verify", str(bundle), "--public-key", str(keys / "provisioning-public.txt"))
    assert code == 0
    assert "verified" in out and "IT dept" in out and "1 locked, 1 recommended" in out


def test_verify_uses_the_key_pinned_by_this_computers_policy(run: Run, keys: Path, tmp_path: Path) -> None:
    bundle = signed(run, keys, tmp_path)
    assert run("admin", "verify", str(bundle))[0] == 1
    managed = paths.policy_dir() / "managed" / "trust.json"
    managed.parent.mkdir(parents=True)
    public = (keys / "provisioning-public.txt").read_text().strip()
    managed.write_text(json.dumps({"provisioning.public_keys": [public]}))
    assert run("admin", "verify", str(bundle))[0] == 0


def test_verify_exits_non_zero_on_tampered_expired_and_wrong_key_bundles(
    run: Run, keys: Path, tmp_path: Path
) -> None:
    public = str(keys / "provisioning-public.txt")
    bundle = signed(run, keys, tmp_path)
    header, payload, signature = bundle.read_text().strip().split(".")
    bundle.write_text(f"{header}.{payload[:-3]}x{payload[-2:]}.{signature}")
    code, _, err = run("admin", "verify", str(bundle), "--public-key", public)
    assert code == 1 and "bundle refused" in err

    other = tmp_path / "other"
    run("admin", "keygen", "--out", str(other), "--algorithm", "ES256")
    code, _, err = run(
        "admin",
        "verify",
        str(signed(run, keys, tmp_path)),
        "--public-key",
        str(other / "provisioning-public.txt"),
    )
    assert code == 1 and "which no policy pins" in err

    code, _, err = run("admin", "verify", str(tmp_path / "spec.json"), "--public-key", public)
    assert code == 1 and "not a signed configuration bundle" in err


def test_sign_refuses_secrets_unknown_keys_and_bad_values(run: Run, keys: Path, tmp_path: Path) -> None:
    spec = spec_file(
        tmp_path,
        {"locked": {"pbx.client_secret": "s3cret", "pop.triger": "ended", "pop.mode": "sometimes"}},
    )
    code, out, err = run("admin", "sign", spec, "--key", str(keys / "provisioning-private.pem"))
    assert code == 1 and out == ""
    assert "secrets never go in policies" in err and "s3cret" not in err
    assert "did you mean 'pop.trigger'" in err
    assert "'sometimes' is not valid" in err


def test_show_prints_the_content_and_says_whether_it_verifies(run: Run, keys: Path, tmp_path: Path) -> None:
    bundle = signed(run, keys, tmp_path, "--days", "10")
    code, out, _ = run("admin", "show", str(bundle))
    assert code == 0
    assert '"crm.kind": "zoho"' in out and '"exp": "20' in out
    assert "signature: NOT verified - no locked policy pins a public key" in out


def test_store_secret_takes_the_value_from_standard_input_only(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("pbx-s3cret\n"))
    code, out, _ = run("admin", "store-secret", "pbx.client_secret")
    assert code == 0 and "pbx-s3cret" not in out
    assert SecretStore().get("pbx.client_secret") == "pbx-s3cret"
    monkeypatch.setattr("sys.stdin", io.StringIO("x\n"))
    code, _, err = run("admin", "store-secret", "crm.hubspot.grant")
    assert code == 1 and "not a deployable secret" in err
