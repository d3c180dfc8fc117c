"""`run`, `run --headless` and `gateway` stop within 2 s of SIGTERM or SIGINT while the CRM fails (lookups and
call logs retrying), right after a storm of malformed event frames, and keep the call log for the next start."""

from __future__ import annotations

import json
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest
from child_keyring import ENV, FileKeyring
from signal_rig import Child, assert_stopped_cleanly, launched

from linkus_companion import paths
from linkus_companion.config.userfile import UserFile
from linkus_companion.gateway.server_secrets import ServerSecrets
from linkus_companion.runtime import CRM_SECRET, PBX_SECRET
from linkus_companion.secrets import SecretStore
from linkus_companion.serving import free_port
from linkus_companion.sim import scenario
from linkus_companion.sim.crm_emulator import LoggedCall
from linkus_companion.sim.hubspot import HubSpotEmulator
from linkus_companion.sim.hubspot_api import Fault
from linkus_companion.sim.pbx import PbxSimulator
from linkus_companion.store import Store

CALLER = scenario.KNOWN[0][2]
STORM = ["{", "[]", '{"type": "30011"}', '{"type": 30011, "msg": "{not json"}', "x" * 600_000]
COMMANDS = ["run --headless", "run", "gateway"]


@dataclass
class World:
    pbx: PbxSimulator
    crm: HubSpotEmulator
    people: scenario.Cast
    home: Path

    def words(self, command: str) -> list[str]:
        """The command line of `command`, configured for this world."""
        if command != "gateway":
            return command.split()
        return ["gateway", "--config", str(self.home / "gateway.toml")]

    def database(self, command: str) -> Path:
        """Where `command` keeps its outbox."""
        return self.home / "gateway" / "gateway.db" if command == "gateway" else paths.database_file()


@pytest.fixture
async def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[World]:
    """The PBX simulator and a HubSpot emulator, the desktop and the gateway both set up for extension 1001."""
    monkeypatch.setenv(ENV, str(tmp_path / "keyring.json"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "child_keyring.FileKeyring")
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))
    keyring.set_keyring(FileKeyring())
    async with PbxSimulator(step=0.02) as pbx, HubSpotEmulator(seed=False) as crm:
        people = scenario.cast(crm, pbx)
        settings = {"pbx.url": pbx.base_url, "pbx.client_id": pbx.client_id, "crm.kind": "hubspot",
                    "crm.client_id": crm.oauth_client_id}  # fmt: skip
        UserFile(paths.settings_file()).save({**settings, "pbx.extensions": ["1001"]})
        port = free_port()
        table = "\n".join(f'"{key}" = "{value}"' for key, value in settings.items())
        (tmp_path / "gateway.toml").write_text(
            f'[gateway]\npublic_url = "http://127.0.0.1:{port}"\nport = {port}\n'
            f'state_dir = "{tmp_path / "gateway"}"\nextensions = ["1001"]\n[settings]\n{table}\n',
            encoding="utf-8",
        )
        grant = {"refresh_token": crm.admin_refresh_token, "api_base": crm.base_url, "extras": {"hub_id": str(crm.hub_id)},
                 "token_url": f"{crm.base_url}/oauth/2026-03/token",
                 "revoke_url": f"{crm.base_url}/oauth/2026-03/token/revoke"}  # fmt: skip
        for secrets in (SecretStore(), ServerSecrets(tmp_path / "gateway")):
            secrets.set(PBX_SECRET, pbx.client_secret)
            secrets.set(CRM_SECRET, crm.oauth_client_secret)
            secrets.set("crm.hubspot.grant", json.dumps(grant))
        yield World(pbx, crm, people, tmp_path)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("command", COMMANDS)
async def test_a_signal_stops_it_in_time_while_the_crm_fails_and_the_call_log_waits(
    world: World, command: str, sig: signal.Signals
) -> None:
    async with launched(*world.words(command)) as child:
        await _subscribed(child, world)
        # every search and call log answers 503 "retry in 5 s": the caller's lookup is retrying at the stop
        world.crm.inject_fault(Fault(status=503, method="POST", retry_after=5, remaining=10**6))
        call_id = await world.pbx.inbound(CALLER, "1001", talk=0.1)
        await child.until(lambda: _searches(world.crm) > 0, "the caller's lookup reached the CRM")
        for text in STORM * 40:
            await world.pbx.hub.send_raw(text)
        took = await child.stop(sig)
    assert_stopped_cleanly(child, took, sig)
    assert _waiting_logs(world.database(command), call_id) == 1  # kept for the next start


async def test_the_call_log_kept_at_the_stop_reaches_the_crm_once_at_the_next_start(world: World) -> None:
    async with launched("run", "--headless") as child:
        await _subscribed(child, world)
        world.crm.inject_fault(Fault(status=503, method="POST", retry_after=5, remaining=10**6))
        call_id = await world.pbx.inbound(CALLER, "1001", talk=0.1)
        await child.until(lambda: _searches(world.crm) > 0, "the caller's lookup reached the CRM")
        await child.stop(signal.SIGTERM)
    world.crm.api.faults.clear()
    async with launched("run", "--headless") as child:
        await child.until(lambda: _logs_of(world.crm, call_id), "the kept call log reached the CRM")
        assert_stopped_cleanly(child, await child.stop(signal.SIGTERM), signal.SIGTERM)
    (logged,) = _logs_of(world.crm, call_id)
    assert logged.record_id == world.people.known[CALLER], "linked to the caller found after the restart"


async def _subscribed(child: Child, world: World) -> None:
    await child.until(lambda: world.pbx.hub.sessions > 0, "subscribed to the PBX's events")


def _searches(crm: HubSpotEmulator) -> int:
    return sum(1 for x in crm.traffic if x.method == "POST" and x.path.endswith("/search"))


def _logs_of(crm: HubSpotEmulator, call_id: str) -> list[LoggedCall]:
    return [log for log in crm.call_logs() if log.idempotency_key.startswith(f"{call_id}:")]


def _waiting_logs(database: Path, call_id: str) -> int:
    store = Store.open(database)
    try:
        with store.transaction() as db:
            sql = (
                "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND kind = 'log_call' AND call_id = ?"
            )
            return int(db.execute(sql, (call_id,)).fetchone()[0])
    finally:
        store.close()
