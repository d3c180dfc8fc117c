"""Figure 2: CRM API requests per call by scenario, counted on the CRM emulator's side."""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks import _rig

AGENTS = tuple(f"{2001 + i}" for i in range(10))
QUEUE = "6410"
GOAL_SEARCHES = {"hubspot": 1, "salesforce": 1, "zoho": 3}
"""Searches per known inbound call: HubSpot one (a contact matches), Salesforce one SOSL, Zoho one per module."""


def _directory() -> Any:
    """The seeded PBX plus a queue ringing ten agents."""
    from linkus_companion.sim.pbx_directory import Group, seeded

    d = seeded()
    for number in AGENTS:
        d.add_extension(number, "Agent", f"A{number}", f"agent{number}@example.com")
    d.groups[QUEUE] = Group("queue", QUEUE, "Big Queue", AGENTS)
    return d


async def _count(w: _rig.World, logs_before: int, logs: int, place: Any) -> dict[str, Any]:
    """Requests the CRM saw from just before the call until its logs arrived (and 0.5 s more)."""
    mark = await w.wan.mark()
    searches = w.host.lookup.stats.crm_searches
    call_id = await place()
    await _rig.delivered(w, logs_before + logs)
    await asyncio.sleep(0.5)
    everything = await w.wan.since(mark)
    seen = [r for r in everything if r[0] != "HEAD"]  # the host keeping connections open: no token, no credit
    by_kind = Counter(_rig.classify(*r) for r in seen)
    return {
        "call_id": call_id,
        "requests": len(seen),
        "keep_open_heads": len(everything) - len(seen),
        "by_kind": dict(by_kind),
        "engine_lookups": w.host.lookup.stats.crm_searches - searches,
        "paths": [f"{m} {p}" for m, p, _ in seen],
    }


SCENARIOS = (
    "known_inbound",
    "repeat_caller",
    "unknown_auto_create",
    "queue_10_agents_known",
    "queue_10_agents_unknown_auto_create",
)


async def run_crm(kind: str, home: Path) -> dict[str, Any]:
    known, unknown, queue_known, queue_unknown = (_rig.phone(i) for i in (1, 2, 3, 4))
    out: dict[str, Any] = {}
    async with _rig.world(kind, home, step=0.05, directory=_directory()) as w:
        await w.crm.seed_contact(known, "Known", "Caller")
        await w.crm.seed_contact(queue_known, "Queue", "Caller")
        pbx = w.pbx

        async def logs() -> int:
            return len(await w.crm.call_logs())

        out["known_inbound"] = await _count(w, await logs(), 1, lambda: pbx.inbound(known, "1001", talk=0.1))
        out["repeat_caller"] = await _count(w, await logs(), 1, lambda: pbx.inbound(known, "1002", talk=0.1))
        out["unknown_auto_create"] = await _count(
            w, await logs(), 1, lambda: pbx.inbound(unknown, "1001", talk=0.1)
        )
        out["queue_10_agents_known"] = await _count(
            w, await logs(), 1, lambda: pbx.inbound_queue(queue_known, QUEUE, answered_by=AGENTS[3], talk=0.1)
        )
        out["queue_10_agents_unknown_auto_create"] = await _count(
            w,
            await logs(),
            1,
            lambda: pbx.inbound_queue(queue_unknown, QUEUE, answered_by=AGENTS[5], talk=0.1),
        )
        names = await w.crm.record_names()
        created = [n for n in names.values() if n.startswith("Automatic New Contact")]
        out["auto_created_records"] = len(created)
    k = out["known_inbound"]
    single = out["known_inbound"]["by_kind"].get("search", 0)
    per_module = Counter(p for p in k["paths"] if _rig.classify(p.split()[0], p.split()[1], "") == "search")
    out["goals"] = {
        "known_inbound_requests": k["requests"],
        "known_inbound_searches": single,
        "known_inbound_max_searches_per_module": max(per_module.values(), default=0),
        "known_inbound_lookups_plus_logs": k["engine_lookups"] + k["by_kind"].get("log", 0),
        "known_inbound_met": single <= GOAL_SEARCHES[kind]
        and max(per_module.values(), default=0) <= 1
        and k["by_kind"].get("log", 0) == 1,
        "credits_per_call": {name: out[name]["requests"] for name in SCENARIOS} if kind == "zoho" else None,
        "repeat_caller_extra_searches": out["repeat_caller"]["by_kind"].get("search", 0),
        "repeat_caller_met": out["repeat_caller"]["by_kind"].get("search", 0) == 0,
        "queue_searches_over_single_call": _rig.ratio(
            out["queue_10_agents_known"]["by_kind"].get("search", 0), single
        ),
        "queue_logs": out["queue_10_agents_known"]["by_kind"].get("log", 0),
        "queue_creates": out["queue_10_agents_unknown_auto_create"]["by_kind"].get("create", 0),
        "queue_met": out["queue_10_agents_known"]["by_kind"].get("search", 0) <= single
        and out["queue_10_agents_known"]["by_kind"].get("log", 0) <= 1
        and out["queue_10_agents_unknown_auto_create"]["by_kind"].get("create", 0) <= 1,
    }
    return out


async def run(kinds: list[str]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix="bench-req-") as tmp:
            results[kind] = await run_crm(kind, Path(tmp))
        print(f"crm_requests {kind}: {results[kind]['goals']}", flush=True)
    return results


def main() -> None:
    p = _rig.parser(__doc__.splitlines()[0])
    p.add_argument("--crm", nargs="*", choices=_rig.CRM_KINDS, default=None)
    args = p.parse_args()
    kinds = args.crm or (["hubspot"] if args.quick else list(_rig.CRM_KINDS))
    results = asyncio.run(run(kinds))
    _rig.write(
        "crm_requests",
        args.out,
        args.quick,
        "python -m benchmarks.crm_requests" + (" --quick" if args.quick else ""),
        {
            "topology": "one engine serving every extension (the gateway; a desktop serves its own)",
            "goals": {
                "known_inbound_searches": f"<= {GOAL_SEARCHES} searches, <= 1 per module, 1 log",
                "zoho_credits": "1 credit per request (Zoho API limits page)",
                "repeat_caller": "0 extra searches inside the cache TTL",
                "queue": "no per-agent multiplication (searches as for one call, 1 log, <= 1 create)",
            },
            "crms": results,
        },
    )


if __name__ == "__main__":
    main()
