"""Gateway fail-over: leader killed -> first pop served by the new leader, over many hand-overs on PostgreSQL.

Two replicas (a throwaway PostgreSQL server, the PBX simulator, the HubSpot emulator) behind a TCP balancer,
three desktops. Each round kills the leader's lock session (what SIGKILL does to it), then places a call
every 0.2 s until a desktop gets a pop; the figure is that pop's arrival minus the kill. Baseline in the
same run: a pop with no hand-over (call placed -> pop arrived). At the end every call must be logged once.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks import _rig
from linkus_companion.sim import scenario


class _Pops:
    """When each pop reached the desktop."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}

    def on_status(self, _status: Any) -> None: ...

    def on_call(self, _call: Any) -> None: ...

    def on_pop(self, notice: Any) -> None:
        self.at.setdefault(notice.call_id, time.monotonic())


async def _first_pop(world: Any, pops: _Pops, placed: list[str], since: float) -> float:
    """Place calls to 1001 every 0.2 s until one pops; seconds from `since` to that pop."""
    tries: list[asyncio.Task[str]] = []
    while True:
        tries.append(asyncio.create_task(world.pbx.inbound(scenario.KNOWN[0][2], "1001", talk=0.05)))
        for _ in range(4):
            await asyncio.sleep(0.05)
            done = [t.result() for t in tries if t.done()]
            popped = [pops.at[c] for c in done if c in pops.at]
            if popped:
                placed += [await t for t in tries]
                return min(popped) - since


async def run(handovers: int, extra: int) -> dict[str, Any]:
    """`extra`: calls placed after each hand-over's first pop (all must be logged once too)."""
    from linkus_companion.gateway.demo import gateway_world
    from linkus_companion.sim.balancer import Balancer
    from linkus_companion.sim.postgres_server import PostgresServer
    from linkus_companion.sim.replicas import bury, kill_leader_session, start_replica

    server = PostgresServer().start()
    try:
        url = server.database("failover")
        with tempfile.TemporaryDirectory(prefix="bench-failover-") as tmp, _rig.memory_keyring():
            async with gateway_world("hubspot", Path(tmp), lambda _line: None, state=url) as world:
                leader, leader_port = world.gateway, int(world.url.rsplit(":", 1)[1])
                standby, port, election = await start_replica(world, url, "replica-1")
                balancer = await Balancer([port, leader_port]).start()
                pops = _Pops()
                desktop = await world.desktop(
                    "1001", lambda _line: None, url=f"https://127.0.0.1:{balancer.port}"
                )
                desktop.add_listener(pops)
                placed: list[str] = []
                baseline = [await _first_pop(world, pops, placed, time.monotonic()) for _ in range(5)]
                figures: list[float] = []
                for round_ in range(handovers):
                    killed = time.monotonic()
                    kill_leader_session(url)
                    balancer.backends.remove(leader_port)
                    await bury(leader)  # its engine dies with it: every later pop is the new leader's
                    measuring = asyncio.create_task(_first_pop(world, pops, placed, killed))
                    await asyncio.wait_for(election, 15)
                    leader, leader_port = standby, port
                    figures.append(await asyncio.wait_for(measuring, 30))
                    more = [world.pbx.inbound(scenario.KNOWN[0][2], "1001", talk=0.05) for _ in range(extra)]
                    placed += await asyncio.gather(*more)
                    standby, port, election = await start_replica(world, url, f"replica-{round_ + 2}")
                    balancer.backends.insert(0, port)
                expected = {f"{c}:1001" for c in placed}
                deadline = time.monotonic() + 30
                while not expected <= {e.idempotency_key for e in world.crm.call_logs()}:
                    if time.monotonic() > deadline:
                        break
                    await asyncio.sleep(0.1)
                logged = Counter(e.idempotency_key for e in world.crm.call_logs())
                election.cancel()
                await asyncio.gather(election, return_exceptions=True)
                await bury(standby)
                world.gateway = leader
                await balancer.stop()
    finally:
        server.stop()
    return {
        "handovers": handovers,
        "calls": len(placed),
        "lost": sum(1 for key in expected if logged[key] == 0),
        "duplicated": sum(1 for key in expected if logged[key] > 1),
        "failover_to_first_pop_s": _rig.summary(figures),
        "baseline_pop_s": _rig.summary(baseline),
        "election_poll_s": 0.1,
    }


def main() -> int:
    args = _rig.parser(__doc__ or "").parse_args()
    body = asyncio.run(run(3, 1) if args.quick else run(25, 8))
    path = _rig.write("failover", args.out, args.quick, " ".join(sys.argv), body)
    print(path)
    return 0 if body["lost"] == 0 and body["duplicated"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
