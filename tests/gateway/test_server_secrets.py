"""Server secret sources: systemd credentials, container secrets, owner-only files, CI env; `gateway doctor`."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest

from linkus_companion.gateway import commands
from linkus_companion.gateway.config import ConfigError, load
from linkus_companion.gateway.server_secrets import SecretRefused, ServerSecrets


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


def test_a_systemd_credential_wins_then_container_secrets_then_owner_only_files(tmp_path: Path) -> None:
    creds, container, state = tmp_path / "creds", tmp_path / "run-secrets", tmp_path / "state"
    write(state / "secrets" / "pbx.client_secret", "from-file\n")
    secrets = ServerSecrets(state, environ={}, container_dir=container)
    assert secrets.get("pbx.client_secret") == "from-file"
    assert (
        secrets.source_of("pbx.client_secret") == f"owner-only file {state / 'secrets' / 'pbx.client_secret'}"
    )
    write(container / "pbx.client_secret", "from-docker", 0o444)
    assert secrets.get("pbx.client_secret") == "from-docker"
    write(creds / "pbx.client_secret", "from-systemd", 0o400)
    with_systemd = ServerSecrets(
        state, environ={"CREDENTIALS_DIRECTORY": str(creds)}, container_dir=container
    )
    assert with_systemd.get("pbx.client_secret") == "from-systemd"
    assert with_systemd.source_of("pbx.client_secret").startswith("systemd credential ")
    assert with_systemd.get("crm.client_secret") is None


def test_a_secret_file_others_can_read_is_refused_like_ssh(tmp_path: Path) -> None:
    write(tmp_path / "secrets" / "crm.client_secret", "hunter2", 0o640)
    secrets = ServerSecrets(tmp_path, environ={}, container_dir=tmp_path / "none")
    with pytest.raises(SecretRefused, match="chmod 600") as refused:
        secrets.get("crm.client_secret")
    assert "hunter2" not in str(refused.value)


def test_environment_variables_count_only_on_ci(tmp_path: Path) -> None:
    env = {"LINKUS_SECRET_PBX_CLIENT_SECRET": "from-env"}
    assert (
        ServerSecrets(tmp_path, environ=env, container_dir=tmp_path / "none").get("pbx.client_secret") is None
    )
    on_ci = ServerSecrets(tmp_path, environ={**env, "CI": "true"}, container_dir=tmp_path / "none")
    assert on_ci.get("pbx.client_secret") == "from-env"
    assert on_ci.source_of("pbx.client_secret") == "environment LINKUS_SECRET_PBX_CLIENT_SECRET (CI)"


def test_a_rotated_refresh_token_is_kept_owner_only(tmp_path: Path) -> None:
    secrets = ServerSecrets(tmp_path / "state", environ={}, container_dir=tmp_path / "none")
    secrets.set("gateway.refresh_token", "r1")
    secrets.set("gateway.refresh_token", "r2")
    path = tmp_path / "state" / "secrets" / "gateway.refresh_token"
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert secrets.get("gateway.refresh_token") == "r2"
    secrets.delete("gateway.refresh_token")
    assert secrets.get("gateway.refresh_token") is None
    with pytest.raises(ValueError, match="not a secret name"):
        secrets.get("../etc/passwd")


def test_gateway_doctor_names_each_secrets_source_and_opens_the_shared_store(
    tmp_path: Path, postgres_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"
    for name in (
        "pbx.client_secret",
        "crm.hubspot.grant",
        "gateway.database_password",
        "gateway.signing_key_secret",
    ):
        write(state / "secrets" / name, "s3cret-value-long-enough")
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    config = tmp_path / "gateway.toml"
    config.write_text(
        f'[gateway]\npublic_url = "https://gw.example:8443"\nstate_dir = "{state}"\nstate = "{postgres_url}"\n'
        '[settings]\n"crm.kind" = "hubspot"\n'
    )
    assert commands.doctor(argparse.Namespace(config=str(config))) == 0
    out = capsys.readouterr().out
    assert f"secret gateway.database_password: owner-only file {state / 'secrets'}" in out
    assert f"store {postgres_url} (schema" in out
    assert "s3cret-value" not in out and "token signing key sealed" in out
    assert "ok       CRM grant crm.hubspot.grant shared by the replicas" in out
    os.remove(state / "secrets" / "crm.hubspot.grant")
    assert commands.doctor(argparse.Namespace(config=str(config))) == 1
    assert "PROBLEM  no CRM grant crm.hubspot.grant: run `gateway authorize`" in capsys.readouterr().out
    os.chmod(state / "secrets" / "pbx.client_secret", 0o644)
    assert commands.doctor(argparse.Namespace(config=str(config))) == 1
    assert "secret pbx.client_secret: PROBLEM: The secret file" in capsys.readouterr().out


def test_a_database_password_in_the_config_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text(
        '[gateway]\npublic_url = "https://gw.example"\nstate_dir = "/tmp/x"\n'
        'state = "postgresql://gw:pw@db.example/linkus"\n'
    )
    with pytest.raises(ConfigError, match="database_password"):
        load(config)
