"""Figure 3a: event throughput of the core: frames decoded, folded into calls and routed by the engine, per second.

One thread, one core. Baseline in the same run: `json.loads` of the same frames. The engine serves every
extension (the gateway's load), looks callers up through a zero-latency in-memory connector, pops to a
no-op opener; call logs go to the SQLite outbox in a second variant.
"""

from __future__ import annotations

import asyncio
import gc
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import _rig

GOAL_FPS = 20_000
CHUNK = 500


class FakeConnector:
    """An instant CRM: every number is a known contact (so every inbound call pops)."""

    kind = "hubspot"
    name = "HubSpot"

    def __init__(self) -> None:
        from linkus_companion.crm.base import RecordKind

        self.creatable = (RecordKind.CONTACT,)
        self.searches = 0

    async def search_by_phone(self, number: Any) -> list[Any]:
        from linkus_companion.crm.base import Record, RecordKind

        self.searches += 1
        key = number.e164 or number.digits
        return [Record(key, RecordKind.CONTACT, "contacts", key, self.record_url(key, RecordKind.CONTACT))]

    def record_url(self, record_id: str, kind: Any) -> str:
        return f"https://app.hubspot.com/contacts/1/record/0-1/{record_id}"

    async def create_record(self, new: Any) -> Any:
        raise NotImplementedError

    async def list_users(self) -> list[Any]:
        return []


class CountingOpener:
    """Counts pops."""

    def __init__(self) -> None:
        self.pops = 0

    def open(self, request: Any) -> None:
        self.pops += 1


def _engine(call_log: Any = None) -> tuple[Any, Any, CountingOpener, FakeConnector]:
    from linkus_companion.engine.core import CreatePolicy, Engine
    from linkus_companion.engine.lookup import Lookup, LookupPolicy
    from linkus_companion.engine.screen_pop import PopGuard, PopPolicy
    from linkus_companion.pbx.calls import CallTracker

    connector = FakeConnector()
    opener = CountingOpener()
    policy = PopPolicy()
    engine = Engine(
        connector=connector,  # type: ignore[arg-type]
        lookup=Lookup(connector, LookupPolicy()),  # type: ignore[arg-type]
        opener=opener,
        guard=PopGuard(["https://app.hubspot.com"]),
        pop_policy=lambda _extension: policy,
        create=CreatePolicy(),
        call_log=call_log,
    )
    return engine, CallTracker(None), opener, connector


async def _product(frames: list[str], with_log: bool, home: Path) -> dict[str, Any]:
    from linkus_companion.pbx.clock import PbxClock
    from linkus_companion.pbx.frames import FrameError, decode

    store = None
    call_log = None
    if with_log:
        from linkus_companion.engine.call_log import CallLogger, LogPolicy
        from linkus_companion.store import Store

        store = Store.open(home / "throughput.db")
        from linkus_companion.crm.base import CrmUser

        owner = CrmUser("owner-1", "agent@example.com", "Agent")
        call_log = CallLogger(store, LogPolicy(), lambda _ext: owner)
    engine, tracker, opener, connector = _engine(call_log)
    clock = PbxClock(time_format="hh:mm:ss")
    skipped = 0
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(frames), CHUNK):
        for text in frames[start : start + CHUNK]:
            try:
                event = decode(text, clock)
            except FrameError:
                skipped += 1
                continue
            for update in tracker.feed(event):
                engine.handle(update, event.received_at)  # type: ignore[union-attr]
        await asyncio.sleep(0)  # let lookups and pops run, as the event stream does between frames
    await engine.settled()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if store is not None:
        store.close()
    return {
        "frames": len(frames),
        "skipped": skipped,
        "pops": opener.pops,
        "crm_searches": connector.searches,
        "seconds_wall": round(wall, 3),
        "seconds_cpu": round(cpu, 3),
        "fps_wall": round(len(frames) / wall),
        "fps_cpu": round(len(frames) / cpu) if cpu else None,
    }


def _baseline(frames: list[str]) -> dict[str, Any]:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    for text in frames:
        json.loads(text)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "seconds_wall": round(wall, 4),
        "fps_wall": round(len(frames) / wall),
        "fps_cpu": round(len(frames) / cpu) if cpu else None,
    }


async def run(calls: int, repeats: int) -> dict[str, Any]:
    frames = await _rig.pbx_frames(calls)
    best: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-tp-") as tmp:
        for r in range(repeats):
            for name, result in (
                ("baseline_json_loads", _baseline(frames)),
                ("core", await _product(frames, False, Path(tmp))),
                ("core_with_outbox", await _product(frames, True, Path(tmp) / f"r{r}")),
            ):
                if name not in best or result["fps_wall"] > best[name]["fps_wall"]:
                    best[name] = result
    core = best["core"]
    return {
        "calls": calls,
        "frames": len(frames),
        "repeats_best_of": repeats,
        **best,
        "core_over_baseline": _rig.ratio(core["fps_wall"], best["baseline_json_loads"]["fps_wall"]),
        "goal_fps": GOAL_FPS,
        "met": core["fps_wall"] >= GOAL_FPS,
        "with_outbox_met": best["core_with_outbox"]["fps_wall"] >= GOAL_FPS,
    }


def main() -> None:
    p = _rig.parser(__doc__.splitlines()[0])
    args = p.parse_args()
    result = asyncio.run(run(200 if args.quick else 4000, 1 if args.quick else 3))
    print(
        f"throughput: core {result['core']['fps_wall']} frames/s, with outbox "
        f"{result['core_with_outbox']['fps_wall']}, json.loads {result['baseline_json_loads']['fps_wall']}",
        flush=True,
    )
    _rig.write(
        "throughput",
        args.out,
        args.quick,
        "python -m benchmarks.throughput" + (" --quick" if args.quick else ""),
        result,
    )


if __name__ == "__main__":
    main()
