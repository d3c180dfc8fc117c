"""Gateway fail-over with real processes: the leader replica killed with SIGKILL mid-call (some kills inside
a CRM outage) or frozen with SIGSTOP, over many hand-overs on PostgreSQL.

Two `linkus-companion gateway` processes behind a TCP balancer (PostgreSQL, the PBX simulator and the
Salesforce emulator beside them), three desktops (the desktop's gateway client, headless). Each round
puts a call on every desktop, kills the leader while they talk, then rings the desktops in turn every
0.1 s until one gets a pop: the figure is that pop's arrival minus the kill. The desktops all sit on the
leader (the balancer sends each connection to the first live replica), so each fail-over includes their
reconnection: the worst case. A frozen leader keeps its database session open: the standby ends it
once the lease (2 s here) ran out; woken once replaced, the ex-leader must exit by itself (status 3).
A new replica process then joins as the standby; one more call per desktop must pop on the right desktop. At the end every call
must be logged once in the CRM, owned by the extension's user and linked to the caller's record, and
no call log may have reached the CRM after the leadership of the replica that delivered it had passed
on. Baseline in the same run: a pop with no hand-over (call placed -> pop arrived).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from itertools import cycle
from pathlib import Path
from typing import Any

from benchmarks import _rig
from benchmarks._replica_site import LEASE, Site, site
from linkus_companion.gateway.commands import LOST_LEADERSHIP
from linkus_companion.sim import scenario

AGENTS = scenario.AGENTS
PROBE_EVERY = 0.1
FAULTS = ("kill", "kill in crm outage", "freeze")
FULL = ["kill in crm outage" if n % 8 == 7 else "freeze" if n % 12 == 5 else "kill" for n in range(125)]
"""125 hand-overs: 100 SIGKILLs (the p99 of the headline figure needs >= 100), 15 SIGKILLs inside a CRM
outage, 10 frozen leaders."""
QUICK = ["kill", "kill in crm outage", "freeze"]
OUTAGE = 4.0
"""Seconds a CRM outage lasts; it starts 0.3 s before the kill (lookups fail: the first pop waits for it)."""


class Calls:
    """The calls placed, and what each must leave behind."""

    def __init__(self, the_site: Site) -> None:
        self.site = the_site
        self.placed: list[scenario.Expected] = []
        self._callers = cycle(scenario.KNOWN)

    async def ring(self, extension: str, *, talk: float, must_pop: bool, label: str) -> str:
        """One inbound call from a known customer to `extension`; its call id once it ended."""
        presented = next(self._callers)[2]
        call_id = await self.site.pbx.inbound(presented, extension, talk=talk)
        ext = frozenset({extension})
        record = self.site.people.known[presented]
        self.placed.append(scenario.Expected(label, call_id, ext, ext, must_pop, record))
        return call_id


async def _first_pop(the_site: Site, calls: Calls, since: float, patience: float = 60) -> float:
    """Ring the desktops in turn every PROBE_EVERY s until one of those calls pops; seconds from `since`."""
    rings: list[asyncio.Task[str]] = []
    turn = cycle(AGENTS)
    try:
        while time.monotonic() - since < patience:
            ext = next(turn)
            rings.append(asyncio.create_task(calls.ring(ext, talk=0.05, must_pop=False, label="probe")))
            await asyncio.sleep(PROBE_EVERY)
            ended = [t.result() for t in rings if t.done() and not t.exception()]
            popped = [b.at[c] for b in the_site.browsers.values() for c in ended if c in b.at]
            if popped:
                return min(popped) - since
        raise RuntimeError(f"no pop {patience} s after the kill")
    finally:
        await asyncio.gather(*rings)


async def _popped(the_site: Site, extension: str, call_id: str, patience: float = 20) -> None:
    deadline = time.monotonic() + patience
    while call_id not in the_site.browsers[extension].at:
        if time.monotonic() > deadline:
            raise RuntimeError(f"no pop on {extension}'s desktop for call {call_id} after the hand-over")
        await asyncio.sleep(0.02)


async def _round(
    the_site: Site, calls: Calls, fault: str, epochs: dict[int, dict[str, Any]]
) -> tuple[float, float]:
    """One hand-over: calls talking on every desktop, the leader killed (`kill`, `kill in crm outage`)
    or frozen (`freeze`: SIGSTOP, then SIGCONT once replaced; it must exit by itself, status 3)."""
    leader, standby = the_site.replicas
    outage = fault == "kill in crm outage"
    talking = [
        asyncio.create_task(calls.ring(ext, talk=1.5, must_pop=True, label="mid-call")) for ext in AGENTS
    ]
    await asyncio.sleep(0.6)  # ringing, answered: talking when the leader dies
    outage_over = asyncio.create_task(_crm_outage(the_site, OUTAGE if outage else 0.0))
    await asyncio.sleep(0.3 if outage else 0.0)  # the CRM fails before the leader dies
    killed = the_site.freeze(leader) if fault == "freeze" else the_site.kill(leader)
    elected = asyncio.create_task(the_site.until_role(standby, "leader"))
    figure = await _first_pop(the_site, calls, killed)
    election = await elected - killed
    epochs.update(_leader(the_site))
    await the_site.until_role(await the_site.add_replica(), "standby")
    await asyncio.gather(outage_over, *talking)
    if fault == "freeze":
        leader.signal(signal.SIGCONT)
        if await asyncio.to_thread(leader.wait, 30) != LOST_LEADERSHIP:
            raise RuntimeError(f"the woken ex-leader {leader.name} did not step down; see {leader.log}")
    await the_site.desktops_back()
    for ext in AGENTS:
        call_id = await calls.ring(ext, talk=0.05, must_pop=True, label="after the hand-over")
        await _popped(the_site, ext, call_id)
    return figure, election


async def _crm_outage(the_site: Site, seconds: float) -> None:
    """Every CRM API request answers 503 for `seconds`."""
    if seconds:
        the_site.crm.set_outage(True)
        try:
            await asyncio.sleep(seconds)
        finally:
            the_site.crm.set_outage(False)


def _leader(the_site: Site) -> dict[int, dict[str, Any]]:
    with the_site.store.transaction() as db:
        epoch, holder, since = db.execute("SELECT epoch, holder, since FROM leader WHERE id = 1").fetchone()
    return {int(epoch): {"holder": str(holder), "since": dt.datetime.fromisoformat(str(since))}}


def _late_logs(the_site: Site, epochs: dict[int, dict[str, Any]]) -> list[str]:
    """Call logs that reached the CRM after the epoch that delivered them had ended."""
    created = {
        str(t.get("CallObject")): dt.datetime.fromisoformat(str(t["CreatedDate"]).replace("+0000", "+00:00"))
        for t in the_site.crm.tasks()
    }
    with the_site.store.transaction() as db:
        rows = db.execute(
            "SELECT idempotency_key, claim_epoch FROM outbox WHERE delivered_at IS NOT NULL AND kind = 'log'"
        ).fetchall()
    late = []
    for key, epoch in rows:
        ended = epochs.get(int(epoch) + 1, {}).get("since")
        if ended is not None and key in created and created[key] > ended:
            late.append(f"{key} logged at {created[key]} by epoch {epoch}, which ended at {ended}")
    return late


async def run(faults: list[str]) -> dict[str, Any]:
    """One hand-over per entry of `faults` (see `FAULTS`)."""
    from linkus_companion.sim.postgres_server import PostgresServer

    server = PostgresServer().start()
    try:
        url = server.database("failover")
        with tempfile.TemporaryDirectory(prefix="bench-failover-") as tmp, _rig.memory_keyring():
            async with site(Path(tmp), url) as the_site:
                first = await the_site.add_replica()
                await the_site.until_role(first, "leader")
                await the_site.until_role(await the_site.add_replica(), "standby")
                for ext in AGENTS:
                    await the_site.desktop(ext)
                calls = Calls(the_site)
                epochs = _leader(the_site)
                baseline = []
                for ext in [*AGENTS, *AGENTS]:
                    placed = time.monotonic()
                    call_id = await calls.ring(ext, talk=0.05, must_pop=True, label="baseline")
                    await _popped(the_site, ext, call_id)
                    baseline.append(the_site.browsers[ext].at[call_id] - placed)
                figures: dict[str, list[float]] = {fault: [] for fault in FAULTS}
                elections: dict[str, list[float]] = {fault: [] for fault in FAULTS}
                for n, fault in enumerate(faults):
                    try:
                        figure, election = await _round(the_site, calls, fault, epochs)
                    except RuntimeError as exc:
                        raise RuntimeError(
                            f"round {n} ({fault}): {exc}; logs: {_keep_logs(the_site)}"
                        ) from exc
                    figures[fault].append(figure)
                    elections[fault].append(election)
                report = await _settled(the_site, calls)
                late = _late_logs(the_site, epochs)
                tokens = the_site.pbx.tokens.live_tokens()
    finally:
        server.stop()
    return {
        "handovers": len(faults),
        "faults": dict(Counter(faults)),
        "calls": len(calls.placed),
        "lost": report["lost"],
        "duplicated": report["duplicated"],
        "errors": report["errors"][:20],
        "late_logs_by_ex_leaders": late[:20],
        "pbx_tokens_live": tokens,
        "failover_to_first_pop_s": _rig.summary(figures["kill"]),
        "failover_to_first_pop_by_fault_s": {f: _rig.summary(v) for f, v in figures.items()},
        "to_new_leader_by_fault_s": {f: _rig.summary(v) for f, v in elections.items()},
        "leader_lease_s": LEASE,
        "baseline_pop_s": _rig.summary(baseline),
        "replica_processes": the_site.spawned,
    }


def _keep_logs(the_site: Site) -> Path:
    """Copy the replicas' logs out of the temporary directory (for a failed run's diagnosis)."""
    kept = Path(tempfile.mkdtemp(prefix="failover-logs-"))
    for replica in the_site.everyone:
        shutil.copy(replica.log, kept / replica.log.name)
    return kept


async def _settled(the_site: Site, calls: Calls, patience: float = 150) -> dict[str, Any]:
    """The demo's report once every expected call log is in the CRM (or `patience` ran out)."""
    wanted = scenario.expected_keys(calls.placed)
    deadline = time.monotonic() + patience
    while not wanted <= {log.idempotency_key for log in the_site.crm.call_logs()}:
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    await asyncio.sleep(1)  # a duplicate would land now
    report = scenario.report("salesforce", calls.placed, the_site.crm, the_site.people, the_site.pops())
    counts = Counter(log.idempotency_key for log in the_site.crm.call_logs())
    assert report["duplicated"] == sum(1 for n in counts.values() if n > 1)
    return report


def main() -> int:
    args = _rig.parser(__doc__ or "").parse_args()
    body = asyncio.run(run(QUICK if args.quick else FULL))
    path = _rig.write("failover", args.out, args.quick, " ".join(sys.argv), body)
    print(path)
    clean = not (body["lost"] or body["duplicated"] or body["errors"] or body["late_logs_by_ex_leaders"])
    return 0 if clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
