"""One fresh engine start in a process of its own, on simulators another process runs: its first call.

`python -m benchmarks._fresh_start CONFIG` (a JSON object: `sims` = `Sims.address()`, `home`, `rtt`,
`number`) signs in, starts the engine host as the app does, rings a known caller once the PBX stream is
subscribed and prints `{"ms": <the pop's latency>, ...}` as its last stdout line, with the CRM requests
and the modules the call imported (what a first call pays that a later one does not).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import _rig


async def first_call(conf: dict[str, Any]) -> dict[str, Any]:
    """Start the engine on the running simulators and time its first (ringing, known caller) pop."""
    began = time.perf_counter()
    kind = conf["sims"]["kind"]
    async with _rig.world(
        kind,
        Path(conf["home"]),
        rtt=conf["rtt"],
        settings={"pop.trigger": "ringing"},
        extensions=("1001",),
        attach=conf["sims"],
    ) as w:
        ready = time.perf_counter()
        await w.crm.seed_contact(conf["number"], "Bench", "Fresh")
        mark = await w.wan.mark()
        loaded = set(sys.modules)
        call_id = await w.pbx.inbound(conf["number"], "1001", talk=0.05, record=False)
        pop = await w.opener.wait(lambda r: r.call_id == call_id and r.trigger == "ringing")
        imported = sorted(set(sys.modules) - loaded)
        sent = await w.wan.since(mark)
        return {
            "ms": pop.request.latency_ms,
            "start_to_ready_s": round(ready - began, 3),
            "requests": [f"{m} {p}" for m, p, _ in sent if m != "HEAD"],
            "modules_imported_by_the_call": imported,
        }


if __name__ == "__main__":
    result = asyncio.run(first_call(json.loads(sys.argv[1])))
    print(json.dumps(result), flush=True)
