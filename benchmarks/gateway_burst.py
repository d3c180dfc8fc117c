"""Figure: a gateway burst on HubSpot under its search limit: 20 new callers ring within one second.

Every caller is a known contact (one search each, contacts first); the emulator enforces HubSpot's
4 searches a second and our connector's pacer queues searches in ring order. Reported per caller, in
ring order: ring -> pop (ms). The sustainable rate is what the pacer allows.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import _rig

CALLERS = 20
WINDOW = 1.0
PACER_RATE, PACER_PERIOD = 4, 1.2
"""The connector's pacer (crm/hubspot.py SearchPacer defaults): 4 searches per 1.2 s."""


def _extensions(count: int) -> Any:
    from linkus_companion.sim.pbx_directory import seeded

    d = seeded()
    for i in range(count):
        number = f"{3001 + i}"
        d.add_extension(number, "Agent", f"B{number}", f"burst{number}@example.com")
    return d


async def run(callers: int, rtt: float, home: Path) -> dict[str, Any]:
    numbers = [_rig.phone(500 + i) for i in range(callers)]
    agents = [f"{3001 + i}" for i in range(callers)]
    async with _rig.world("hubspot", home, rtt=rtt, directory=_extensions(callers), real_limits=True) as w:
        for i, number in enumerate(numbers):
            await w.crm.seed_contact(number, "Burst", f"Caller{i}")
        mark = await w.wan.mark()
        calls = []
        for number, agent in zip(numbers, agents, strict=True):
            calls.append(asyncio.create_task(w.pbx.inbound(number, agent, talk=0.2, record=False)))
            await asyncio.sleep(WINDOW / callers)
        call_ids = await asyncio.gather(*calls)
        rows = []
        popped_at = []
        for i, call_id in enumerate(call_ids):
            pop = await w.opener.wait(lambda r, c=call_id: r.call_id == c and r.trigger == "ringing", 30)
            rang = await w.pbx.first_frame(call_id, lambda t, m: t == 30011)
            popped_at.append(pop.at)
            rows.append(
                {
                    "ring_order": i,
                    "ring_to_pop_ms": round((pop.at - rang) * 1000, 1) if rang else None,
                    "engine_ms": pop.request.latency_ms,
                }
            )
        searches = [r for r in await w.wan.since(mark) if _rig.classify(*r) == "search"]
        traffic = await w.crm.value("traffic")
        refused = sum(1 for x in traffic if x.path.endswith("/search") and x.status == 429)
        searched = [x.request_body.decode() for x in traffic if x.path.endswith("/contacts/search")]
        sent_order = [
            next(i for i, n in enumerate(numbers) if n[-10:] in body) for body in searched[-callers:]
        ]
    latencies = [r["ring_to_pop_ms"] for r in rows if r["ring_to_pop_ms"] is not None]
    return {
        "callers": callers,
        "window_s": WINDOW,
        "per_caller": rows,
        "ring_to_pop": _rig.summary(latencies),
        "searches": len(searches),
        "searches_refused_429": refused,
        "searches_sent_in_ring_order": sent_order == sorted(sent_order),
        "search_order": sent_order,
        "pops_in_ring_order": popped_at == sorted(popped_at),
        "note": "searches leave in ring order, 4 per pacer window; answers inside one window may land in "
        "any order (parallel requests), so pops_in_ring_order may be false by a few ms",
        "sustainable_new_callers_per_s": {
            "known_contact": round(PACER_RATE / PACER_PERIOD, 2),
            "unknown_or_company": round(PACER_RATE / PACER_PERIOD / 2, 2),
        },
    }


def main() -> None:
    p = _rig.parser(__doc__.splitlines()[0])
    p.add_argument("--rtt-ms", type=float, default=50.0)
    args = p.parse_args()
    callers = 5 if args.quick else CALLERS
    with tempfile.TemporaryDirectory(prefix="bench-burst-") as tmp:
        body = asyncio.run(run(callers, args.rtt_ms / 1000, Path(tmp)))
    print(f"gateway_burst: {body['ring_to_pop']}", flush=True)
    _rig.save("gateway_burst", args, {"rtt_ms": args.rtt_ms, **body})


if __name__ == "__main__":
    main()
