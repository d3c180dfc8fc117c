"""How fast the call-log outbox drains a backlog at 50 ms RTT: several logs in flight against one at a time.

Each CRM emulator and the TCP delay proxy in front of it run in processes of their own (`_rig.sims`). A backlog of call logs is queued in a fresh SQLite
outbox and drained by `OutboxWorker` sending one log at a time (the baseline, as before issue 16) and
with its default width, alternately, in the same run. A second pair drains the HubSpot backlog while a
burst of lookups for unknown callers (two searches each, paced at the soak's 1,000 a second) competes
for the same HTTP pool; its baseline also lets every lookup in at once, as before.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import ssl
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks import _faults, _rig
from linkus_companion.crm.base import AccessGrant
from linkus_companion.crm.hubspot import HubSpotConnector, SearchPacer
from linkus_companion.engine.call_log import CallLogger, LogPolicy
from linkus_companion.engine.lookup import SEARCHES_AT_ONCE, Lookup, LookupPolicy
from linkus_companion.engine.outbox import IN_FLIGHT, OutboxWorker
from linkus_companion.model import Direction, Outcome
from linkus_companion.pbx.calls import Call, Party, Phase
from linkus_companion.runtime import CRM_CONNECTIONS, CRM_KEEPALIVE
from linkus_companion.store import Store

RTT = 0.05
EXTENSION = "101"
_call_ids = itertools.count(500_000)


def _call(call_id: str, started: dt.datetime) -> Call:
    return Call(
        call_id=call_id,
        direction=Direction.INBOUND,
        phase=Phase.ENDED,
        caller=Party(_rig.phone(int(call_id))),
        callee=Party(EXTENSION),
        extensions=(EXTENSION,),
        rang=frozenset({EXTENSION}),
        talked=(EXTENSION,),
        answered_by=EXTENSION,
        started_at=started,
        talk_seconds=60,
        ring_seconds=5,
        outcome=Outcome.ANSWERED,
    )


async def _drain(
    connector: Any, home: Path, backlog: int, in_flight: int, lookups: int, searches_at_once: int
) -> dict[str, Any]:
    """Queue `backlog` logs in a fresh outbox and time `drain()`, with `lookups` unknown callers at once."""
    store = Store.open(home / f"outbox-{next(_call_ids)}.db")
    owner = (await connector.list_users())[0]
    logger = CallLogger(store, LogPolicy(timezone=dt.UTC), lambda extension: owner)
    started = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    for _ in range(backlog):
        logger.call_ended(_call(str(next(_call_ids)), started), None)
    worker = OutboxWorker(store, connector, in_flight=in_flight)
    lookup = Lookup(connector, LookupPolicy(), searches_at_once=searches_at_once)

    async def timed(number: str) -> float:
        begun = time.perf_counter()
        match = await lookup.find(number)
        assert not match.error, match.error
        return time.perf_counter() - begun

    burst = [asyncio.create_task(timed(_rig.phone(900_000 + next(_call_ids)))) for _ in range(lookups)]
    await asyncio.sleep(0)
    begun = time.perf_counter()
    delivered = await worker.drain()
    seconds = time.perf_counter() - begun
    waits = await asyncio.gather(*burst)
    status = worker.status()
    store.close()
    assert delivered == backlog and status.waiting == 0, (delivered, status)
    row: dict[str, Any] = {
        "in_flight": in_flight,
        "logs": backlog,
        "seconds": round(seconds, 3),
        "logs_per_s": round(backlog / seconds, 1),
    }
    if lookups:
        row |= {"lookups": lookups, "searches_at_once": searches_at_once}
        row["lookup_s"] = _rig.summary(waits)
    return row


async def one(kind: str, home: Path, backlog: int, repeats: int, lookups: int) -> dict[str, Any]:
    """Alternate baseline and default widths `repeats` times on one emulator; the best run of each."""
    async with _rig.sims(kind) as sims:
        wan = _rig.Wan(sims.crm, sims.proxy)
        await wan.set_rtt(RTT)
        crm = await _rig.RemoteCrm.attach(sims.crm, sims.facts["crm"])
        verify: ssl.SSLContext | bool = (
            ssl.create_default_context(cafile=str(crm.ca_file)) if crm.ca_file else True
        )
        limits = httpx.Limits(max_connections=CRM_CONNECTIONS, keepalive_expiry=CRM_KEEPALIVE)
        async with httpx.AsyncClient(verify=verify, timeout=30, limits=limits) as http:
            grants = _faults.FixedGrant(AccessGrant(crm.admin_token, crm.base_url))
            connector = crm.connector(http, grants)
            if isinstance(connector, HubSpotConnector):  # searches at the emulator's raised limit
                pacer = SearchPacer(rate=_faults.SEARCH_RATE, period=1.0)
                connector = HubSpotConnector(http, grants, pacer=pacer, **await crm.connector_options())
            cases = {"one_at_a_time": (1, 10_000), "in_flight": (IN_FLIGHT, SEARCHES_AT_ONCE)}
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in cases}
            for _ in range(repeats):
                for name, (width, searches) in cases.items():
                    runs[name].append(await _drain(connector, home, backlog, width, lookups, searches))
    best = {name: max(rows, key=lambda r: r["logs_per_s"]) for name, rows in runs.items()}
    return {
        **best,
        "runs": runs,
        "speed_up": _rig.ratio(best["in_flight"]["logs_per_s"], best["one_at_a_time"]["logs_per_s"]),
    }


async def run(quick: bool) -> dict[str, Any]:
    backlog, repeats, lookups = (20, 1, 40) if quick else (200, 3, 150)
    kinds = ("hubspot",) if quick else _faults.CRMS
    with tempfile.TemporaryDirectory(prefix="outbox-drain-") as home:
        crms = {kind: await one(kind, Path(home), backlog, repeats, 0) for kind in kinds}
        contended = await one("hubspot", Path(home), backlog, repeats, lookups)
    speed_ups = [c["speed_up"] or 0 for c in [*crms.values(), contended]]
    return {
        "rtt_ms": RTT * 1000,
        "backlog": backlog,
        "crms": crms,
        "hubspot_with_lookups": contended,
        "goal": "a backlog drains >= 2x faster than one log at a time, also beside a burst of lookups",
        "met": all(s >= 2 for s in speed_ups),
    }


def main() -> int:
    args = _rig.parser(__doc__ or "").parse_args()
    body = asyncio.run(run(args.quick))
    _rig.save("outbox_drain", args, body)
    return 0 if body["met"] or args.quick else 1


if __name__ == "__main__":
    sys.exit(main())
