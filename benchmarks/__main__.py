"""Run every benchmark (one process each, one after the other) and print the Performance table.

`python -m benchmarks --quick` is the CI form (seconds each; timings not meaningful);
`python -m benchmarks` the full run whose JSON goes to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks._rig import RESULTS

BENCHMARKS = (
    "pop_latency",
    "crm_requests",
    "gateway_burst",
    "throughput",
    "ui_lag",
    "footprint",
    "gateway_fanout",
    "soak",
    "recording_upload",
    "outbox_drain",
)
ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = {"pop_latency": 1800}
"""A full run's limit per script where the default 600 s is too short (pop_latency: 3 CRMs x 700 calls)."""


def _load(name: str, quick: bool) -> dict[str, Any] | None:
    path = RESULTS / (f"{name}.quick.json" if quick else f"{name}.json")
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def _yes(flag: object) -> str:
    return "yes" if flag else "**no**"


def table(quick: bool) -> str:
    """The README's Performance table from the latest JSON files."""
    rows = ["| Figure | Value | Ratio vs baseline | Goal | Met? | Command |", "|---|---|---|---|---|---|"]
    q = " --quick" if quick else ""
    pop = _load("pop_latency", quick)
    if pop:
        rtt = pop["rtt_ms"]
        for kind, r in pop["crms"].items():
            g = r["goals"]
            base = r["baseline_sdk"]["p99"]
            rows.append(
                f"| Pop latency, ringing cold p99 ({kind}, RTT {rtt:g} ms) | {g['cold_p99_ms']} ms "
                f"({g['cold_p99_over_rtt']} x RTT) | {g['cold_p99_over_baseline_p99']} x SDK baseline ({base} ms) "
                f"| <= 1.2 x RTT and <= 0.4 x baseline | {_yes(g['cold_met'])} | `python -m benchmarks.pop_latency{q}` |"
            )
            rows.append(
                f"| Pop latency, answered/ended cold + all warm, worst p99 ({kind}) | "
                f"{g['answered_ended_warm_p99_max_ms']} ms | - | <= 5 ms | {_yes(g['answered_ended_warm_met'])} "
                f"| `python -m benchmarks.pop_latency{q}` |"
            )
            first = r["ringing"]["first_call_after_start_ms"]
            rows.append(
                f"| First call after start, ringing ({kind}) | {first} ms ({_ratio(first, rtt)} x RTT) | - "
                f"| <= 1.2 x RTT | {_yes(first is not None and first <= 1.2 * rtt)} "
                f"| `python -m benchmarks.pop_latency{q}` |"
            )
    burst = _load("gateway_burst", quick)
    if burst:
        rows.append(
            f"| Gateway burst, HubSpot: {burst['callers']} new callers in {burst['window_s']:g} s, ring -> pop "
            f"p50 / p99 | {burst['ring_to_pop']['p50']} / {burst['ring_to_pop']['p99']} ms, "
            f"{burst['searches_refused_429']} refused, searches in ring order: "
            f"{burst['searches_sent_in_ring_order']} | - "
            f"| no 429, ring order; sustainable {burst['sustainable_new_callers_per_s']['known_contact']} "
            f"new callers/s | {_yes(burst['searches_sent_in_ring_order'] and not burst['searches_refused_429'])} "
            f"| `python -m benchmarks.gateway_burst{q}` |"
        )
    req = _load("crm_requests", quick)
    if req:
        for kind, r in req["crms"].items():
            g = r["goals"]
            rows.append(
                f"| CRM requests, known inbound call ({kind}) | {g['known_inbound_requests']} HTTP "
                f"({r['known_inbound']['by_kind']}) | - | searches <= {'3' if kind == 'zoho' else '1'}, "
                f"<= 1 per module, 1 log | {_yes(g['known_inbound_met'])} "
                f"| `python -m benchmarks.crm_requests{q}` |"
            )
            rows.append(
                f"| CRM requests, repeat caller / queue of 10 ({kind}) | {g['repeat_caller_extra_searches']} extra "
                f"searches / {g['queue_searches_over_single_call']} x single-call searches, "
                f"{g['queue_logs']} log, {g['queue_creates']} create | - | 0 / 1 x | "
                f"{_yes(g['repeat_caller_met'] and g['queue_met'])} | `python -m benchmarks.crm_requests{q}` |"
            )
    tp = _load("throughput", quick)
    if tp:
        rows.append(
            f"| Core event throughput (decode + fold + route, 1 core) | {tp['core']['fps_wall']} frames/s "
            f"(with SQLite outbox {tp['core_with_outbox']['fps_wall']}) | {tp['core_over_baseline']} x json.loads "
            f"| >= 20,000 | {_yes(tp['met'])} | `python -m benchmarks.throughput{q}` |"
        )
    ui = _load("ui_lag", quick)
    if ui:
        shipped = ui["as_shipped"]
        runs = [
            r["storm_lag_ms"]["p99"] for r in (shipped, ui["with_none_refcount_guard"]) if "storm_lag_ms" in r
        ]
        worst = max(runs) if runs else None
        idle = ui["with_none_refcount_guard"].get("idle_lag_ms", {}).get("p99")
        rows.append(
            f"| UI loop lag p99, {ui['rate_calls_per_s']:g} calls/s storm (2 runs) | "
            f"{' / '.join(f'{r} ms' for r in runs)}{' (app as shipped crashed)' if shipped.get('crashed') else ''} "
            f"| {_ratio(worst, idle)} x idle | < 16 ms | {_yes(worst is not None and worst < 16 and not shipped.get('crashed'))} "
            f"| `python -m benchmarks.ui_lag{q}` |"
        )
        rss = ui["with_none_refcount_guard"].get("idle_rss_mb")
        growth = ui.get("idle_rss_growth_mb")
        if rss:
            rows.append(
                f"| Desktop idle RSS before the storms, after each | {rss['before']} MB; "
                f"{' / '.join(f'{mb} MB' for mb in rss['after_each_storm'])} | +{growth} MB from storm 2 to the last "
                f"(+{ui.get('idle_rss_growth_second_half_mb')} MB over the second half) "
                f"| <= {ui.get('goal_idle_rss_growth_mb')} MB | "
                f"{_yes(growth is not None and growth <= ui.get('goal_idle_rss_growth_mb', 0))} "
                f"| `python -m benchmarks.ui_lag{q}` |"
            )
    fp = _load("footprint", quick)
    if fp:
        g = fp["goals"]
        rows.append(
            f"| Desktop start-up to ready | {fp['app']['startup_s']} s | {fp['startup_over_floor']} x floor "
            f"({fp['floor']['startup_s']} s) | <= {g['startup_over_floor']} x | {_yes(g['startup_met'])} | `python -m benchmarks.footprint{q}` |"
        )
        rows.append(
            f"| Desktop idle RSS | {fp['app']['idle_rss_mb']} MB | {fp['idle_rss_over_floor']} x floor "
            f"({fp['floor']['idle_rss_mb']} MB) | <= {g['idle_rss_over_floor']} x | {_yes(g['idle_rss_met'])} | `python -m benchmarks.footprint{q}` |"
        )
        core, desk = fp["growth_core"], fp["growth_desktop"]
        rows.append(
            f"| RSS growth after {core['steps'][-1]['calls']:,} calls (core) / {desk['steps'][-1]['calls']:,} "
            f"(desktop UI) | +{core['growth_over_idle'] * 100:.0f} % / +{desk['growth_over_idle'] * 100:.0f} % "
            f"| - | < 10 % | {_yes(g['growth_core_met'])} / {_yes(g['growth_desktop_met'])} "
            f"| `python -m benchmarks.footprint{q}` |"
        )
    gw = _load("gateway_fanout", quick)
    if gw:
        for label, run in (
            ("one gateway", gw["one_gateway"]),
            ("one gateway on PostgreSQL", gw["one_gateway_on_postgresql"]),
            ("two replicas", gw["two_replicas"]),
        ):
            per = run["per_gateway"]
            rows.append(
                f"| Gateway fan-out p99, {gw['desktops']} desktops on {label}, {gw['rate_calls_per_s']:g} calls/s | "
                + " / ".join(f"{g['first_call_message_ms']['p99']} ms" for g in per)
                + f" | - | <= {gw['goal_p99_ms']:g} ms "
                f"| {_yes(all(g['first_call_message_ms']['p99'] <= gw['goal_p99_ms'] for g in per))} "
                f"| `python -m benchmarks.gateway_fanout{q}` |"
            )
    machine = next((d["machine"] for d in (pop, req, tp, ui, fp, gw) if d), None)
    if machine:
        rows.append("")
        rows.append(
            f"Machine: {machine['cpu']}, {machine['cores']} cores (shared), {machine['os']}, "
            f"Python {machine['python']}."
        )
    return "\n".join(rows)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="CI mode: tiny runs, JSON only")
    p.add_argument("--only", nargs="*", choices=BENCHMARKS, default=None)
    p.add_argument("--table", action="store_true", help="only print the table from the latest JSON")
    args = p.parse_args()
    failed = []
    if not args.table:
        for name in args.only or BENCHMARKS:
            cmd = [sys.executable, "-m", f"benchmarks.{name}", *(["--quick"] if args.quick else [])]
            start = time.perf_counter()
            code = subprocess.call(cmd, cwd=ROOT, timeout=240 if args.quick else TIMEOUT_S.get(name, 600))
            print(
                f"== {name}: exit {code} in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True
            )
            if code:
                failed.append(name)
    print(table(args.quick))
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
