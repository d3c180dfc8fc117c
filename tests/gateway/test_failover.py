"""Two gateway replicas on one PostgreSQL: desktops on the standby, the leader killed, every call logged once."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
import psycopg
from gateway_rig import Seen, until

from linkus_companion.gateway.demo import gateway_world
from linkus_companion.gateway.leadership import Leadership
from linkus_companion.serving import free_port
from linkus_companion.sim import scenario
from linkus_companion.store import Store

KNOWN = scenario.KNOWN[0][2]
ROUNDS = 3
CALLS_PER_ROUND = 4


def kill_sessions(url: str, holder_pids: set[int]) -> None:
    """What SIGKILL of the leader's process does to its PostgreSQL sessions: they end, the lock with them."""
    with psycopg.connect(url, autocommit=True) as admin:
        for pid in holder_pids:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


async def test_the_standby_takes_over_and_no_call_is_lost_or_doubled(
    tmp_path: Path, postgres_url: str
) -> None:
    lines: list[str] = []
    async with gateway_world("hubspot", tmp_path / "site", lines.append, state=postgres_url) as world:
        leader = world.gateway
        standby_store = Store.open(postgres_url)
        standby = world.build(store=standby_store, public_url=f"https://127.0.0.1:{free_port()}")
        await standby.listen(tls=world.tls)
        taking_over = asyncio.create_task(
            standby.lead(Leadership(postgres_url, holder="replica-b", poll=0.1))
        )
        seen: dict[str, Seen] = {}
        for extension in scenario.AGENTS:
            backend = await world.desktop(extension, lines.append, url=standby.public_url)
            seen[extension] = Seen()
            backend.add_listener(seen[extension])
        verify = world.tls.client_context()
        async with httpx.AsyncClient(verify=verify) as http:
            assert (await http.get(standby.public_url + "/health")).json()["role"] == "standby"
            assert (await http.get(leader.public_url + "/health")).json()["role"] == "leader"
        placed = [await world.pbx.inbound(KNOWN, "1001", talk=0.1) for _ in range(CALLS_PER_ROUND)]
        await until(lambda: {c for c in placed} <= seen["1001"].call_ids())
        assert {p.call_id for p in seen["1001"].pops} >= set(placed), "pops relayed through the standby"

        with psycopg.connect(postgres_url) as admin:
            pids = {
                row[0]
                for row in admin.execute(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                ).fetchall()
            }
        during = asyncio.create_task(world.pbx.inbound(KNOWN, "1002", talk=0.3))
        kill_sessions(postgres_url, pids)
        await asyncio.wait_for(taking_over, 10)
        await leader.stop()  # the killed process is gone: its engine, server and desktops with it
        placed.append(await during)
        expected = {f"{call_id}:1001" for call_id in placed[:-1]} | {f"{placed[-1]}:1002"}
        assert standby.role == "leader"
        await asyncio.wait_for(standby.host.connected(), 10)
        after = [await world.pbx.inbound(KNOWN, "1003", talk=0.1) for _ in range(CALLS_PER_ROUND)]
        expected |= {f"{call_id}:1003" for call_id in after}
        await until(lambda: set(after) <= {p.call_id for p in seen["1003"].pops}, patience=20)

        await until(lambda: expected <= {log.idempotency_key for log in world.crm.call_logs()}, 20)
        logged = Counter(log.idempotency_key for log in world.crm.call_logs())
        assert {key: logged[key] for key in expected} == dict.fromkeys(expected, 1), "each call logged once"
        with standby_store.transaction() as db:
            epochs = {
                row[0] for row in db.execute("SELECT claim_epoch FROM outbox WHERE delivered_at IS NOT NULL")
            }
        assert epochs <= {1, 2}
        await standby.stop()
        standby_store.close()
