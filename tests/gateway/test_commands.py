"""The gateway's configuration file and its admin commands (enroll, sessions, revoke)."""

from __future__ import annotations

import argparse
import json
import logging
import ssl
from pathlib import Path

import httpx
import pytest

from linkus_companion.gateway import commands
from linkus_companion.gateway.config import EXAMPLE, ConfigError, load
from linkus_companion.gateway.logs import JsonFormatter
from linkus_companion.gateway.server_secrets import ServerSecrets
from linkus_companion.gateway.tokens import TokenAuthority, load_signing_key
from linkus_companion.runtime import CRM_SECRET, crm_grants, make_connector
from linkus_companion.secrets import SecretStore
from linkus_companion.serving import free_port
from linkus_companion.sim.browser import approving_browser
from linkus_companion.sim.salesforce import SalesforceEmulator
from linkus_companion.store import Store


def _config(tmp_path: Path, gateway: str = "") -> Path:
    path = tmp_path / "gateway.toml"
    path.write_text(
        f'[gateway]\npublic_url = "https://gw.example.com:8443/"\nstate_dir = "{tmp_path / "state"}"\n{gateway}'
        '[settings]\n"pop.trigger" = "answered"\n"crm.kind" = "zoho"\n',
        encoding="utf-8",
    )
    return path


def test_the_example_and_a_minimal_file_load(tmp_path: Path) -> None:
    example = tmp_path / "example.toml"
    example.write_text(EXAMPLE, encoding="utf-8")
    config = load(example)
    assert (config.bind, config.port, config.public_url) == (
        "0.0.0.0",
        8443,
        "https://gateway.example.com:8443",
    )
    minimal = load(_config(tmp_path))
    assert minimal.bind == "127.0.0.1" and minimal.tls_cert is None and minimal.extensions == ()
    assert minimal.leader_lease == 5.0 and load(_config(tmp_path, "leader_lease = 2.5\n")).leader_lease == 2.5
    settings = minimal.open_settings()
    assert settings.get("pop.trigger") == "answered" and settings.get("crm.kind") == "zoho"


@pytest.mark.parametrize(
    ("gateway", "problem"),
    [
        ('tls_cert = "/c.pem"\n', "both tls_cert and tls_key"),
        ('listen = "x"\n', "unknown"),
        ("leader_lease = 0\n", "leader_lease must be a number of seconds from 1 to 300"),
        ('leader_lease = "5"\n', "leader_lease must be"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, gateway: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        load(_config(tmp_path, gateway))


def test_invalid_settings_are_refused(tmp_path: Path) -> None:
    path = _config(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + '"pop.mode" = "sometimes"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"pop\.mode"):
        load(path).open_settings()


def test_enroll_then_revoke_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(_config(tmp_path))
    assert (
        commands.enroll(argparse.Namespace(config=path, extension="1001", email="Ann@example.com", days=1))
        == 0
    )
    printed = capsys.readouterr().out
    link = next(line.split()[-1] for line in printed.splitlines() if "link:" in line)
    assert link.startswith("https://gw.example.com:8443/enroll#")
    store = Store.open(tmp_path / "state" / "gateway.db")
    try:
        key = load_signing_key(tmp_path / "state" / "signing-key.pem")
        grant = TokenAuthority(store, key, "https://gw.example.com:8443").redeem(link)
        assert grant.extension == "1001" and grant.email == "ann@example.com"
    finally:
        store.close()
    assert commands.sessions(argparse.Namespace(config=path)) == 0
    assert "1001  ann@example.com  active" in capsys.readouterr().out
    assert commands.revoke(argparse.Namespace(config=path, extension="1001", session=None)) == 0
    assert commands.revoke(argparse.Namespace(config=path, extension="1001", session=None)) == 1
    commands.sessions(argparse.Namespace(config=path))
    assert "revoked" in capsys.readouterr().out


def test_logs_are_json_lines_without_secrets() -> None:
    record = logging.LogRecord(
        "gw", logging.WARNING, __file__, 1, "refused %s", ("Bearer eyJa.eyJb.sig",), None
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "warning" and line["logger"] == "gw"
    assert "eyJa" not in line["message"] and line["message"].startswith("refused Bearer ")


def test_the_service_says_what_is_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    try:
        assert commands.run(argparse.Namespace(config=str(_config(tmp_path)))) == 2
    finally:
        root.handlers[:] = before
        root.setLevel(level)
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["level"] == "error" and "Open API Client ID" in line["message"]


def _salesforce_config(tmp_path: Path, emulator: SalesforceEmulator, redirect: str) -> Path:
    path = tmp_path / "gateway.toml"
    path.write_text(
        f'[gateway]\npublic_url = "https://gw.example.com:8443/"\nstate_dir = "{tmp_path / "state"}"\n'
        f'[settings]\n"crm.kind" = "salesforce"\n"crm.client_id" = "{emulator.oauth_client_id}"\n'
        f'"crm.salesforce_login" = "{emulator.base_url}"\n"crm.redirect_uri" = "{redirect}"\n',
        encoding="utf-8",
    )
    return path


async def test_authorize_signs_the_gateway_admin_in_and_keeps_the_grant_in_an_owner_only_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with SalesforceEmulator() as emulator:
        redirect = f"http://localhost:{free_port()}/callback"
        emulator.allow_redirect(redirect)
        config = load(_salesforce_config(tmp_path, emulator, redirect))
        SecretStore().set(CRM_SECRET, emulator.oauth_client_secret)
        trust = ssl.create_default_context(cafile=str(emulator.ca_file))
        async with httpx.AsyncClient(verify=trust, timeout=10) as browser_client:
            opened: list[str] = []
            browser = approving_browser(browser_client)

            async def admin_browser(url: str) -> None:
                opened.append(url)
                await browser(url)

            name = await commands.authorize_crm(config, opener=admin_browser, verify=trust, give_up_after=10)
        assert name == "Salesforce"
        assert opened and opened[0] in capsys.readouterr().out, "the sign-in link is printed for the admin"
        secrets = ServerSecrets(config.state_dir)
        assert secrets.source_of("crm.salesforce.grant").startswith("owner-only file"), "kept on the server"
        async with httpx.AsyncClient(verify=trust, timeout=10) as client:
            # what `gateway --config FILE` does at start: the stored grant works against the CRM
            grants = crm_grants(config.open_settings(), client, secrets)
            assert grants.connected()
            connector = await make_connector("salesforce", client, grants, "US")
            assert await connector.list_users()


def test_authorize_without_a_crm_says_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert commands.authorize(argparse.Namespace(config=str(_config(tmp_path)))) == 1
    assert "client ID" in capsys.readouterr().out
