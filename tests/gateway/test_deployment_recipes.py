"""The deployment recipes in docs/gateway.md: commands, configuration, compose file and systemd units that work."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from gateway_rig import Site

from linkus_companion.cli import build_parser
from linkus_companion.gateway import health_check
from linkus_companion.gateway.config import DB_SECRET, SIGNING_SECRET, load
from linkus_companion.runtime import PBX_SECRET

DOC = Path(__file__).resolve().parents[2] / "docs" / "gateway.md"
CONFIG = "/etc/linkus-gateway/gateway.toml"
REPLICA_SECRETS = {DB_SECRET, SIGNING_SECRET, PBX_SECRET}


def blocks(lang: str) -> list[str]:
    """The page's fenced code blocks in `lang`, backslash-continued lines joined."""
    found = re.findall(r"```(\w*)\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    return [body.replace("\\\n", " ") for kind, body in found if kind == lang]


def unit(name: str) -> str:
    [found] = [body for body in blocks("ini") if body.startswith(f"# /etc/systemd/system/{name}")]
    return found


def command_lines() -> list[list[str]]:
    """Every `linkus-companion ...` command in the page's shell blocks, units and Dockerfile."""
    commands = []
    for body in blocks("") + blocks("ini"):
        for line in body.splitlines():
            at = line.find("linkus-companion ")
            if at >= 0:
                words = shlex.split(line[at:].split(" #")[0])
                commands.append(words[1:])
    [dockerfile] = blocks("dockerfile")
    arrays = dict(re.findall(r"^(ENTRYPOINT|CMD|HEALTHCHECK CMD) (\[.*\])$", dockerfile, re.M))
    entry = json.loads(arrays["ENTRYPOINT"])
    assert entry == ["linkus-companion"]
    commands += [json.loads(arrays["CMD"]), json.loads(arrays["HEALTHCHECK CMD"])[1:]]
    return commands


def test_every_command_and_flag_on_the_page_exists() -> None:
    commands = command_lines()
    assert len(commands) >= 10
    for words in commands:
        try:
            args = build_parser().parse_args(words)
        except SystemExit:
            pytest.fail(f"`linkus-companion {' '.join(words)}` does not parse")
        assert callable(args.handler), words
    configs = {words[words.index("--config") + 1] for words in commands if "--config" in words}
    assert configs == {CONFIG, "gateway.toml"}, "one configuration path for the service, in every recipe"


def test_every_configuration_file_on_the_page_loads(tmp_path: Path) -> None:
    files = blocks("toml")
    assert len(files) >= 3
    for i, text in enumerate(files):
        path = tmp_path / f"gateway{i}.toml"
        path.write_text(text, encoding="utf-8")
        config = load(path)
        config.open_settings()  # unknown or invalid setting keys are refused
        assert config.public_url.startswith("https://")


def test_the_compose_file_gives_each_replica_what_it_needs(tmp_path: Path) -> None:
    [text] = blocks("yaml")
    compose: dict[str, Any] = yaml.safe_load(text)
    services = compose["services"]
    defined = set(compose["secrets"])
    replicas = {name: s for name, s in services.items() if name.startswith("gateway")}
    assert len(replicas) == 2
    for name, service in services.items():
        assert set(service.get("secrets", ())) <= defined, name
    for name, service in replicas.items():
        assert REPLICA_SECRETS <= set(service["secrets"]), name
        mounts = {m.split(":")[1] for m in service["volumes"]}
        assert {CONFIG, "/var/lib/linkus-gateway"} <= mounts, name
        assert (
            service["restart"] == "always" and service["depends_on"]["db"]["condition"] == "service_healthy"
        )
    assert len({tuple(s["ports"]) for s in replicas.values()}) == 2, "each replica on its own host port"
    [for_compose] = [t for t in blocks("toml") if 'state = "postgresql://linkus@db:' in t]
    (tmp_path / "gateway.toml").write_text(for_compose, encoding="utf-8")
    config = load(tmp_path / "gateway.toml")
    assert config.bind == "0.0.0.0" and config.state_dir == Path("/var/lib/linkus-gateway")
    assert str(config.tls_cert).startswith("/etc/linkus-gateway/tls/")
    compose_cli = shutil.which("docker-compose")
    if compose_cli:  # Debian's docker-compose validates against the compose schema without a daemon
        (tmp_path / "compose.yaml").write_text(text, encoding="utf-8")
        done = subprocess.run(
            [compose_cli, "-f", str(tmp_path / "compose.yaml"), "config", "--quiet"],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr


def test_the_replica_unit_loads_every_secret_a_replica_needs() -> None:
    text = unit("linkus-gateway.service, the same on both machines")
    credentials = set(re.findall(r"^LoadCredential=([^:]+):", text, re.M))
    assert REPLICA_SECRETS <= credentials
    assert "Restart=always" in text, "a replica that lost the lead exits 3 and must come back"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("name", ["linkus-gateway.service\n", "linkus-gateway.service, the same"])
def test_the_units_pass_systemd_analyze_verify(name: str, tmp_path: Path) -> None:
    installed = Path(sys.executable).parent / "linkus-companion"
    text = unit(name).replace("/opt/linkus-companion/bin/linkus-companion", str(installed))
    path = tmp_path / "linkus-gateway.service"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(
        ["systemd-analyze", "verify", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0 and "linkus-gateway.service" not in done.stderr, done.stderr


async def test_gateway_health_checks_the_certificate_of_a_tls_gateway(site: Site, tmp_path: Path) -> None:
    tls = site.world.tls
    config = tmp_path / "gateway.toml"
    config.write_text(
        f'[gateway]\npublic_url = "{site.world.url}"\nstate_dir = "{tmp_path}"\n'
        f'tls_cert = "{tls.cert_file}"\ntls_key = "{tls.key_file}"\n'
    )
    args = argparse.Namespace(config=str(config))
    assert await asyncio.to_thread(health_check.health, args) == 0
    other = tmp_path / "other"
    other.mkdir()
    from linkus_companion.tls import generate

    config.write_text(config.read_text().replace(str(tls.cert_file), str(generate(other).cert_file)))
    assert await asyncio.to_thread(health_check.health, args) == 1, "a certificate it cannot verify fails"
