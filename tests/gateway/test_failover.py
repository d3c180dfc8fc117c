"""Gateway replicas on one PostgreSQL behind a TCP balancer: leaders killed in turn, every call logged once."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
import pytest
from gateway_rig import Seen, until

from linkus_companion.backend import BackendError, CallPhase
from linkus_companion.gateway.demo import gateway_world
from linkus_companion.sim import scenario
from linkus_companion.sim.balancer import Balancer
from linkus_companion.sim.replicas import bury, kill_leader_session, start_replica

KNOWN = scenario.KNOWN[0][2]
HANDOVERS = 3


async def test_standbys_take_over_in_turn_and_no_call_is_lost_or_doubled(
    tmp_path: Path, postgres_url: str
) -> None:
    lines: list[str] = []
    async with gateway_world("hubspot", tmp_path / "site", lines.append, state=postgres_url) as world:
        leader, leader_port = world.gateway, int(world.url.rsplit(":", 1)[1])
        standby, port, election = await start_replica(world, postgres_url, "replica-1")
        balancer = await Balancer([port, leader_port]).start()
        seen: dict[str, Seen] = {}
        for extension in scenario.AGENTS:
            desktop = await world.desktop(extension, lines.append, url=f"https://127.0.0.1:{balancer.port}")
            seen[extension] = Seen()
            desktop.add_listener(seen[extension])
        async with httpx.AsyncClient(verify=world.tls.client_context()) as http:
            health = (await http.get(f"https://127.0.0.1:{port}/health")).json()
        assert health["role"] == "standby" and health["status"] == "ok"
        talking = asyncio.create_task(world.pbx.outbound("1001", KNOWN, talk=1.5))
        await until(lambda: any(c.phase is CallPhase.TALKING for c in seen["1001"].calls))
        live = seen["1001"].calls[-1].call_id
        url = await world.desktops["1001"].open_in_crm(live)  # asked of the standby, answered by the leader
        assert url.startswith(world.crm.web_origin)
        with pytest.raises(BackendError, match="not one of this extension's calls"):
            await world.desktops["1002"].open_in_crm(live)
        expected = {f"{await talking}:1001"}
        for round_ in range(HANDOVERS):
            before = [await world.pbx.inbound(KNOWN, "1001", talk=0.1) for _ in range(2)]
            await until(lambda: set(before) <= {p.call_id for p in seen["1001"].pops})  # noqa: B023
            during = asyncio.create_task(world.pbx.inbound(KNOWN, "1002", talk=0.3))
            kill_leader_session(postgres_url)
            await asyncio.wait_for(election, 10)
            balancer.backends.remove(leader_port)
            await bury(leader)
            leader, leader_port = standby, port
            assert leader.role == "leader" and leader.metrics.value("gateway_leader_epoch") == round_ + 2
            await asyncio.wait_for(leader.host.connected(), 10)
            standby, port, election = await start_replica(world, postgres_url, f"replica-{round_ + 2}")
            balancer.backends.insert(0, port)
            after = [await world.pbx.inbound(KNOWN, "1003", talk=0.1) for _ in range(2)]
            await until(lambda: set(after) <= {p.call_id for p in seen["1003"].pops}, 20)  # noqa: B023
            expected |= (
                {f"{c}:1001" for c in before} | {f"{await during}:1002"} | {f"{c}:1003" for c in after}
            )

        await until(lambda: expected <= {log.idempotency_key for log in world.crm.call_logs()}, 20)
        logged = Counter(log.idempotency_key for log in world.crm.call_logs())
        assert {key: logged[key] for key in expected} == dict.fromkeys(expected, 1), "each call logged once"
        election.cancel()
        await asyncio.gather(election, return_exceptions=True)
        for gateway in (standby, leader):
            await bury(gateway)
        await balancer.stop()
        world.gateway = leader
