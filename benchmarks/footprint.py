"""Figure 4: desktop start-up to ready and idle RSS (offscreen) vs a floor measured in the same run; RSS after many calls.

Floor: a bare PySide6 window and tray on qasync with httpx, websockets, keyring and phonenumbers imported
(`shown`: the bare floor, no network), then the network a ready desktop cannot do without, the quickest
way: a PBX login beside one CRM request, then the PBX event subscription (`ready`, idle RSS after it).
App: `run_app` with the LocalBackend connected to the PBX simulator and the HubSpot emulator (run by this
process); shown = the tray is up and the backend starting; ready = the PBX event stream is subscribed (the
CRM warm-up done), one loop turn after, as the floor's ready. Several runs each, interleaved; min and median.
Both load compiled bytecode, as an installed app does: a first, unmeasured start of each compiles it.
Growth: simulated calls fed into the engine (instant in-memory CRM, real SQLite outbox), over the idle RSS with
the feeder loaded (it imports the PBX simulator, Starlette, uvicorn: ~150 modules the app never loads): 100,000 through the
core without Qt (`core` child, 500 at a time), and 2,000 through the desktop app two at a time with its call
panel (which keeps the last few ended calls' cards until dismissed).
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import _desktop, _rig

GOAL_START = 1.5
GOAL_RSS = 1.2
GOAL_GROWTH = 0.10


async def _floor(
    sims: _desktop.Sims, home: Path, idle: float, bytecode: Path | None = None
) -> dict[str, Any]:
    child = await _desktop.spawn("floor", idle, home, sims.conf(home), bytecode=bytecode)
    shown = await child.event("shown")
    ready = await child.event("ready")
    rest = await child.event("idle")
    await child.finish()
    return {
        "shown_s": round(shown["received"], 3),
        "startup_s": round(ready["received"], 3),
        "shown_rss_mb": shown["rss_mb"],
        "idle_rss_mb": rest["rss_mb"],
    }


async def _app(sims: _desktop.Sims, home: Path, idle: float, bytecode: Path | None = None) -> dict[str, Any]:
    """Start-up and idle figures of the app as shipped (no refcount guard)."""
    child = await _desktop.spawn("app", idle, home, sims.conf(home), bytecode=bytecode)
    try:
        shown = await child.event("shown")
        ready = await child.event("ready")
        rest = await child.event("idle")
        crashed = None
    except RuntimeError as exc:
        return {"crashed": str(exc)}
    finally:
        await child.send("quit")
        code = await child.finish()
    drift = (rest["none_refs"] - ready["none_refs"]) / max(1e-9, rest["t"] - ready["t"])
    return {
        "shown_s": round(shown["received"], 3),
        "startup_s": round(ready["received"], 3),
        "idle_rss_mb": rest["rss_mb"],
        "none_refcount_at_ready": ready["none_refs"],
        "none_refcount_drift_per_s_idle": round(drift, 1),
        "exit_code": code,
        "crashed": crashed,
    }


async def _growth(
    sims: _desktop.Sims, home: Path, mode: str, batches: list[int], bytecode: Path
) -> dict[str, Any]:
    """RSS at idle, then after each batch of simulated calls (guarded against the PySide6 None leak)."""
    child = await _desktop.spawn(mode, 1.0, home, sims.conf(home), guard=True, bytecode=bytecode)
    steps = []
    total = 0
    try:
        await child.event("ready")
        idle = await child.event("idle")
        await child.send("prepare")  # the feeder loads the PBX simulator's code: counted in the baseline
        baseline = await child.event("prepared", patience=120)
        for n in batches:
            # the desktop gets its calls a few at a time, so call cards come and go as in use
            await child.send(f"calls {n} {2 if mode == 'app' else 500}")
            done = await child.event("calls", patience=1800)  # a loaded 2-core machine
            total += n
            steps.append(
                {
                    "calls": total,
                    "rss_mb": done["rss_mb"],
                    "seconds": done["seconds"],
                    "engine_calls": done["engine_calls"],
                    "lookup_cache": done["lookup_cache"],
                    "tracker_calls": done["tracker_calls"],
                }
            )
        await child.send("quit")
    finally:
        await child.finish(patience=5 if len(steps) < len(batches) else 20)  # killed when stuck
    last = steps[-1]["rss_mb"]
    return {
        "idle_rss_mb": idle["rss_mb"],
        "feeder_loaded_rss_mb": baseline["rss_mb"],
        "steps": steps,
        "growth_over_idle": round(last / baseline["rss_mb"] - 1, 3),
        "growth_last_batch": round(last / steps[0]["rss_mb"] - 1, 3) if len(steps) > 1 else None,
        "ms_per_call": round(1000 * sum(s["seconds"] for s in steps) / total, 2),
    }


async def run(quick: bool, core_calls: int = 100_000) -> dict[str, Any]:
    repeats = 1 if quick else 7
    idle = 0.5 if quick else 2.0
    floors: list[dict[str, Any]] = []
    apps: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-fp-") as tmp:
        base = Path(tmp)
        bytecode = base / "bytecode"
        async with _desktop.sims() as sims:
            # first starts compile every module into `bytecode`; the measured ones load it, as installed
            first = {
                "floor": await _floor(sims, base / "first-floor", idle, bytecode),
                "app": await _app(sims, base / "first-app", idle, bytecode),
            }
            for r in range(repeats):
                floors.append(await _floor(sims, base / f"floor{r}", idle, bytecode))
                apps.append(await _app(sims, base / f"app{r}", idle, bytecode))
            desk = await _growth(
                sims, base / "desk", "app", [100, 100] if quick else [1_000, 1_000], bytecode
            )
            tenth = core_calls // 10
            core = await _growth(
                sims,
                base / "core",
                "core",
                [1_000, 1_000] if quick else [tenth, 4 * tenth, 5 * tenth],
                bytecode,
            )
    ok = [a for a in apps if not a.get("crashed")]

    def med(rows: list[dict[str, Any]], key: str) -> float | None:
        return round(statistics.median(r[key] for r in rows), 3) if rows else None

    def least(rows: list[dict[str, Any]], key: str) -> float | None:
        return min(r[key] for r in rows) if rows else None

    floor_start, floor_rss = med(floors, "startup_s"), med(floors, "idle_rss_mb")
    bare_start, bare_rss = med(floors, "shown_s"), med(floors, "shown_rss_mb")
    app_start, app_rss = med(ok, "startup_s"), med(ok, "idle_rss_mb")
    return {
        "first_start_compiling": first,
        "floor_runs": floors,
        "app_runs": apps,
        "floor": {
            "shown_s": bare_start,
            "shown_rss_mb": bare_rss,
            "startup_s": floor_start,
            "startup_min_s": least(floors, "startup_s"),
            "idle_rss_mb": floor_rss,
        },
        "app": {
            "shown_s": med(ok, "shown_s"),
            "startup_s": app_start,
            "startup_min_s": least(ok, "startup_s"),
            "idle_rss_mb": app_rss,
        },
        "shown_over_floor": _rig.ratio(med(ok, "shown_s"), floor_start),
        "startup_over_floor": _rig.ratio(app_start, floor_start),
        "startup_min_over_floor_min": _rig.ratio(least(ok, "startup_s"), least(floors, "startup_s")),
        "idle_rss_over_floor": _rig.ratio(app_rss, floor_rss),
        "startup_over_bare_floor": _rig.ratio(app_start, bare_start),
        "idle_rss_over_bare_floor": _rig.ratio(app_rss, bare_rss),
        "growth_core": core,
        "growth_desktop": desk,
        "goals": {
            "startup_over_floor": GOAL_START,
            "idle_rss_over_floor": GOAL_RSS,
            "growth_over_idle": GOAL_GROWTH,
            "startup_met": bool(app_start and floor_start and app_start <= GOAL_START * floor_start),
            "idle_rss_met": bool(app_rss and floor_rss and app_rss <= GOAL_RSS * floor_rss),
            "growth_core_met": core["growth_over_idle"] < GOAL_GROWTH,
            "growth_desktop_met": desk["growth_over_idle"] < GOAL_GROWTH,
        },
    }


def main() -> None:
    p = _rig.parser(__doc__.splitlines()[0])
    p.add_argument("--core-calls", type=int, default=100_000, help="calls fed through the core (growth)")
    args = p.parse_args()
    result = asyncio.run(run(args.quick, args.core_calls))
    print(
        f"footprint: start {result['app']['startup_s']} s vs floor {result['floor']['startup_s']} s, "
        f"RSS {result['app']['idle_rss_mb']} vs {result['floor']['idle_rss_mb']} MB, "
        f"core growth {result['growth_core']['growth_over_idle']}, "
        f"desktop growth {result['growth_desktop']['growth_over_idle']}",
        flush=True,
    )
    _rig.write(
        "footprint",
        args.out,
        args.quick,
        "python -m benchmarks.footprint"
        + (" --quick" if args.quick else "")
        + (f" --core-calls {args.core_calls}" if args.core_calls != 100_000 else ""),
        result,
    )


if __name__ == "__main__":
    main()
