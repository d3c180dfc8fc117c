"""`linkus-companion demo --gateway --ha`: two gateway replicas on a throwaway PostgreSQL, the leader killed mid-demo."""

from __future__ import annotations

import asyncio
import dataclasses
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from linkus_companion import demo
from linkus_companion.engine.screen_pop import PrintingOpener
from linkus_companion.gateway.demo import DESKTOPS, GatewayWorld, gateway_world, settled_report
from linkus_companion.gateway.server import Gateway
from linkus_companion.pbx.calls import Call
from linkus_companion.sim import scenario
from linkus_companion.sim.balancer import Balancer
from linkus_companion.sim.postgres_server import PostgresServer
from linkus_companion.sim.replicas import bury, kill_leader_session, start_replica
from linkus_companion.texts import Text, joined

GAP = 0.5
"""Seconds between the demo's calls."""
DURING = "leader killed"
"""How the report marks the call that was in progress when the leader died."""


@dataclasses.dataclass
class _Replica:
    name: str
    gateway: Gateway
    port: int
    election: asyncio.Task[None] | None = None


class _Site:
    """The two replicas behind a TCP balancer, and the fail-overs done to them."""

    def __init__(self, world: GatewayWorld, url: str, say: Callable[[str], None]) -> None:
        self.world, self.url, self.say = world, url, say
        self.leader = _Replica("replica-a", world.gateway, int(world.url.rsplit(":", 1)[1]))
        self.standby: _Replica | None = None
        self.balancer: Balancer | None = None
        self.failovers: list[dict[str, Any]] = []
        self._names = iter("bcdefghijklmnopqrstuvwxyz")

    async def start(self) -> None:
        """A standby beside the leader; the balancer sends each new connection to the replica with the fewest."""
        self.standby = await self._replica()
        self.balancer = await Balancer([self.leader.port, self.standby.port], least_connections=True).start()
        self.say(
            Text(
                "replicas: {leader} leads, {standby} stands by; desktops via {address}",
                leader=self.leader.name,
                standby=self.standby.name,
                address=self.address,
            )
        )

    @property
    def address(self) -> str:
        """The site's address for desktops (the balancer)."""
        assert self.balancer is not None
        return f"https://127.0.0.1:{self.balancer.port}"

    async def fail_over(self, during: str) -> None:
        """Kill the leader (its lock session, then its process's remains); wait for the standby to lead."""
        assert self.standby is not None and self.balancer is not None
        dead, heir = self.leader, self.standby
        election = heir.election
        assert election is not None
        self.say(Text("-- {name} (the leader) is killed during {during} --", name=dead.name, during=during))
        killed = time.monotonic()
        kill_leader_session(self.url)
        self.balancer.backends.remove(dead.port)
        await bury(dead.gateway)
        await asyncio.wait_for(election, 15)
        await asyncio.wait_for(heir.gateway.host.connected(), 15)
        led = time.monotonic() - killed
        self.leader, self.world.gateway = heir, heir.gateway
        while heir.gateway.hub.connected() < len(self.world.desktops):
            if time.monotonic() - killed > 20:
                raise TimeoutError("the desktops did not reconnect to the new leader")
            await asyncio.sleep(0.05)
        back = time.monotonic() - killed
        self.say(
            Text(
                "-- {name} leads after {led} s; every desktop is back on it after {back} s --",
                name=heir.name,
                led=f"{led:.2f}",
                back=f"{back:.2f}",
            )
        )
        self.failovers.append(
            {"killed": dead.name, "during": during, "new_leader": heir.name, "failover_s": round(led, 3)}
            | {"desktops_back_s": round(back, 3)}
        )
        self.standby = await self._replica()  # what the supervisor does: the dead replica comes back
        self.balancer.backends.append(self.standby.port)
        self.say(Text("-- {name} started as the new standby --", name=self.standby.name))

    async def stop(self) -> None:
        """Stop the standby and the balancer (the world stops the leader)."""
        if self.standby is not None and self.standby.election is not None:
            self.standby.election.cancel()
            await asyncio.gather(self.standby.election, return_exceptions=True)
            await bury(self.standby.gateway)
        if self.balancer is not None:
            await self.balancer.stop()

    async def _replica(self) -> _Replica:
        name = f"replica-{next(self._names)}"
        gateway, port, election = await start_replica(self.world, self.url, name)
        return _Replica(name, gateway, port, election)


async def run_gateway_ha(
    kind: str, calls: int, say: Callable[[str], None], *, state: str = ""
) -> dict[str, Any]:
    """The gateway demo on two replicas with the leader killed in the middle; the report adds the fail-overs.

    `state`: a PostgreSQL URL to use; empty: a throwaway server from Debian's binaries (NoPostgres without).
    """
    server = None if state else PostgresServer().start()
    try:
        url = server.database("demo") if server else state
        site: _Site | None = None
        with tempfile.TemporaryDirectory(prefix="linkus-gateway-ha-demo-") as tmp, demo.throwaway_keyring():
            try:
                async with gateway_world(kind, Path(tmp), say, state=url) as world:
                    site = _Site(world, url, say)
                    try:
                        await site.start()
                        return await _play(site, kind, calls, say)
                    finally:
                        await site.stop()
            finally:
                if site is not None:  # the world closed its own store (the first leader's) only
                    site.leader.gateway.host.store.close()
    finally:
        if server is not None:
            server.stop()


async def _play(site: _Site, kind: str, calls: int, say: Callable[[str], None]) -> dict[str, Any]:
    world = site.world
    for extension in DESKTOPS:
        await world.desktop(extension, say, url=site.address)
    placement = {g.name: g.gateway.hub.connected() for g in (site.leader, site.standby) if g}
    say(
        Text(
            "desktops {desktops} enrolled and connected ({placement})",
            desktops=", ".join(DESKTOPS),
            placement=str(placement),
        )
    )
    view = demo.DemoWorld(world.pbx, world.crm, world.people, world.gateway.host, PrintingOpener(say))
    kill_after = max(1, int(calls * 0.4))  # the next call rings, then the leader dies (the CRM is down too)
    trigger = _NextCall(lambda: site.fail_over(Text("call {number}", number=kill_after + 1)))
    world.gateway.host.engine.add_listener(trigger)
    settled = 0

    async def settle() -> None:
        nonlocal settled
        settled += 1
        if settled == kill_after:
            trigger.arm()
        elif trigger.failing is not None and settled == kill_after + 1:
            await trigger.failing
            view.host = world.gateway.host
        await asyncio.sleep(GAP)

    placed = await scenario.play(
        world.pbx,
        world.crm,
        world.people,
        calls=calls,
        talk=0.3,
        say=say,
        settle=settle,
        resumed=lambda: asyncio.wait_for(world.gateway.host.connected(), 10),
    )
    if trigger.failing is not None:
        await trigger.failing
    if kill_after < len(placed):
        hit = placed[kill_after]
        during = ", ".join(filter(None, (hit.during, DURING)))
        placed[kill_after] = dataclasses.replace(hit, during=during, must_pop=False)
    view.host = world.gateway.host
    report = await settled_report(world, view, placed, kind, say, "gateway-ha")
    report["failovers"] = site.failovers
    return report


class _NextCall:
    """An engine listener that starts `work` when a call it has not seen yet rings, once armed."""

    def __init__(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        self._work = work
        self._seen: set[str] = set()
        self._armed = False
        self.failing: asyncio.Task[None] | None = None

    def arm(self) -> None:
        """The next new call sets the work off."""
        self._armed = True

    def on_call(self, call: Call, _resolution: object, _chosen: object) -> None:
        """Note the call; the first new one after `arm()` starts the work."""
        if self._armed and self.failing is None and call.call_id not in self._seen:
            self.failing = asyncio.get_running_loop().create_task(self._work())
        self._seen.add(call.call_id)

    def on_pop(self, _request: object) -> None:
        """Pops do not count."""


def failover_summary(result: dict[str, Any]) -> str:
    """One line: the fail-overs, and how long each took."""
    done = result.get("failovers", [])
    if not done:
        return Text("fail-overs: 0")
    times = [
        Text(
            "{led} s (desktops back {back} s)",
            led=f"{f['failover_s']:.2f}",
            back=f"{f['desktops_back_s']:.2f}",
        )
        for f in done
    ]
    return Text(
        "fail-overs: {count}, leader killed -> new leader serving in {times}",
        count=len(done),
        times=joined(times, ", "),
    )
