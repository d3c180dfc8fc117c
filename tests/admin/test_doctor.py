"""`doctor` against the local PBX simulator and HubSpot emulator: silent when healthy, one line per problem."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail, null

from linkus_companion import paths
from linkus_companion.admin.doctor import diagnose
from linkus_companion.admin.findings import Finding
from linkus_companion.config.bundle_trust import Trust
from linkus_companion.config.policies import admin_policies
from linkus_companion.config.settings import Settings
from linkus_companion.config.userfile import UserFile
from linkus_companion.runtime import CRM_SECRET, PBX_SECRET
from linkus_companion.secrets import SecretStore
from linkus_companion.sim.hubspot import HubSpotEmulator
from linkus_companion.sim.pbx import PbxSimulator
from linkus_companion.tls import TlsFiles, generate

Run = Callable[..., tuple[int, str, str]]
"""The `run` fixture: argv -> (exit code, stdout, stderr)."""


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return generate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def pbx_options() -> dict[str, object]:
    return {}


@pytest.fixture
async def pbx(tls: TlsFiles, pbx_options: dict[str, object]) -> AsyncIterator[PbxSimulator]:
    async with PbxSimulator(tls=tls, step=0.02, **pbx_options) as simulator:  # type: ignore[arg-type]
        yield simulator


@pytest.fixture
async def crm() -> AsyncIterator[HubSpotEmulator]:
    async with HubSpotEmulator(seed=False) as emulator:
        yield emulator


@pytest.fixture
def configured(pbx: PbxSimulator, crm: HubSpotEmulator, tls: TlsFiles) -> dict[str, object]:
    """A desktop set up as a small-office admin would: settings in the user file, secrets in the keyring."""
    user = {
        "pbx.url": pbx.base_url,
        "pbx.client_id": pbx.client_id,
        "pbx.ca_file": str(tls.ca_file),
        "pbx.extensions": ["1001"],
        "crm.kind": "hubspot",
        "crm.client_id": crm.oauth_client_id,
    }
    UserFile(paths.settings_file()).save(user)
    store = SecretStore()
    store.set(PBX_SECRET, pbx.client_secret)
    store.set(CRM_SECRET, crm.oauth_client_secret)
    grant = {
        "refresh_token": crm.admin_refresh_token,
        "api_base": crm.base_url,
        "token_url": f"{crm.base_url}/oauth/2026-03/token",
        "revoke_url": f"{crm.base_url}/oauth/2026-03/token/revoke",
        "extras": {},
    }
    store.set("crm.hubspot.grant", json.dumps(grant))
    return user


async def check() -> list[Finding]:
    settings = Settings(UserFile(paths.settings_file()), admin_policies(native=[]).sources)
    return await diagnose(settings, SecretStore(), Trust())


def problems(findings: list[Finding]) -> list[str]:
    return [f"{f.area}: {f.text}" for f in findings if f.problem]


async def test_a_healthy_desktop_has_no_problems(configured: dict[str, object]) -> None:
    findings = await check()
    assert problems(findings) == []
    text = "\n".join(str(f) for f in findings)
    for expected in ("TLS verified with the CA file", "API token issued", "firmware 83.21.0.66 is supported",
                     "extension(s) 1001 exist", "event WebSocket subscribed", "signed in to HubSpot",
                     "answers (", "stores and returns secrets"):  # fmt: skip
        assert expected in text


async def test_an_untrusted_certificate_is_one_actionable_line(configured: dict[str, object]) -> None:
    Settings(UserFile(paths.settings_file())).unset_user("pbx.ca_file")
    [line] = problems(await check())
    assert line.startswith("pbx: TLS:") and "pbx.ca_file" in line and "pbx.cert_fingerprint" in line


async def test_wrong_credentials_and_missing_crm_sign_in(configured: dict[str, object]) -> None:
    SecretStore().set(PBX_SECRET, "wrong")
    SecretStore().delete("crm.hubspot.grant")
    found = problems(await check())
    assert len(found) == 2
    assert found[0].startswith("pbx: token:")
    assert found[1] == "crm: not signed in to HubSpot; connect in Settings > CRM"


@pytest.mark.parametrize("pbx_options", [{"firmware": "83.20.0.10"}])
async def test_old_firmware_and_an_unknown_extension(configured: dict[str, object]) -> None:
    Settings(UserFile(paths.settings_file())).set_user("pbx.extensions", ["1001", "1999"])
    found = problems(await check())
    assert len(found) == 2
    assert "83.20.0.10" in found[0] and "83.21.0.66" in found[0]
    assert "1999 do not exist" in found[1]


async def test_the_keyring_backend_and_bad_policies_are_reported(tmp_path: Path) -> None:
    managed = paths.policy_dir() / "managed" / "site.json"
    managed.parent.mkdir(parents=True)
    managed.write_text(json.dumps({"pop.mode": "manual", "pop.trigger": "never"}))
    keyring.set_keyring(null.Keyring())
    findings = await check()
    text = [str(f) for f in findings]
    assert any("pop.mode = manual (locked:" in line for line in text)
    found = problems(findings)
    assert any(line.startswith("policy:") and "'never'" in line for line in found)
    assert any(line.startswith("keyring:") and "stores nothing" in line for line in found)
    assert any(line.startswith("pbx: Enter the PBX address") for line in found)
    assert any(line.startswith("crm: no CRM chosen") for line in found)


async def test_nothing_configured_and_no_keyring_names_the_missing_keyring() -> None:
    keyring.set_keyring(fail.Keyring())
    found = problems(await check())
    assert found[0].startswith("keyring: no OS keyring found;") and "keyring.backends" not in found[0]
    pbx = next(line for line in found if line.startswith("pbx:"))
    assert "credential storage is not available" in pbx and "not configured" not in pbx.lower()


def test_with_no_keyring_the_command_prints_its_report_only_and_logs_the_detail(user_dirs: Path) -> None:
    """The keyring's own error (an exception name, English) goes to the log file, not the user's terminal."""
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    done = subprocess.run(
        [sys.executable, "-m", "linkus_companion", "doctor"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "PROBLEM  keyring  no OS keyring found;" in done.stdout
    assert "keyring.backends" not in done.stdout and done.stderr == ""
    log = (paths.log_dir() / "linkus-companion.log").read_text()
    assert "keyring unavailable: NoKeyringError" in log
    assert "keyring backend: keyring.backends.fail.Keyring" in log


def test_the_command_exits_non_zero_and_prints_only_problems(run: Run) -> None:
    code, out, _ = run("doctor", "--problems-only")
    assert code == 1
    lines = out.splitlines()
    assert all(line.startswith("PROBLEM") for line in lines[:-1])
    assert lines[-1] == f"{len(lines) - 1} problem(s) found."


async def test_gateway_mode_checks_the_gateway_instead_of_the_pbx(pbx: PbxSimulator) -> None:
    UserFile(paths.settings_file()).save({"backend": "gateway"})
    assert problems(await check())[-1].startswith("gateway: backend is gateway but gateway.url is not set")
    UserFile(paths.settings_file()).save({"backend": "gateway", "gateway.url": pbx.base_url})
    [line] = [p for p in problems(await check()) if p.startswith("gateway")]
    assert line == (
        f"gateway: {pbx.base_url}: its certificate is not trusted on this computer; check the address and the network"
    )


async def test_a_gateway_that_hangs_up_is_named_in_words_not_an_exception() -> None:
    async def hang_up(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    async with server:
        UserFile(paths.settings_file()).save({"backend": "gateway", "gateway.url": url})
        [line] = [p for p in problems(await check()) if p.startswith("gateway")]
    assert line == f"gateway: {url}: the connection dropped; check the address and the network"
