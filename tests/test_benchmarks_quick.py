"""Every benchmark runs in quick mode and writes its JSON with the expected keys (timings are not asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

EXPECTED: dict[str, set[str]] = {
    "pop_latency": {"rtt_ms", "crms", "samples_per_cell"},
    "crm_requests": {"crms", "topology"},
    "gateway_burst": {"callers", "per_caller", "ring_to_pop", "searches", "pops_in_ring_order"},
    "throughput": {"core", "core_with_outbox", "baseline_json_loads", "core_over_baseline", "met"},
    "ui_lag": {"as_shipped", "with_none_refcount_guard", "storm_p99_ms", "idle_rss_growth_mb", "met"},
    "footprint": {
        "floor",
        "app",
        "startup_over_floor",
        "idle_rss_over_floor",
        "growth_core",
        "growth_desktop",
    },
    "gateway_fanout": {
        "desktops",
        "one_gateway",
        "one_gateway_on_postgresql",
        "two_replicas",
        "p99_over_one_gateway",
        "met",
    },
    "soak": {"rounds", "shapes", "crms", "clean"},
    "recording_upload": {"file_bytes", "crms", "goal", "met"},
    "outbox_drain": {"rtt_ms", "backlog", "crms", "hubspot_with_lookups", "goal", "met"},
    "failover": {
        "handovers",
        "calls",
        "lost",
        "duplicated",
        "errors",
        "late_logs_by_ex_leaders",
        "failover_to_first_pop_s",
        "baseline_pop_s",
    },
}
COMMON = {"benchmark", "quick", "machine", "command", "when"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_quick_mode_writes_its_json(name: str, tmp_path: Path) -> None:
    out = tmp_path / f"{name}.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{name}", "--quick", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["benchmark"] == name and doc["quick"] is True
    assert COMMON | EXPECTED[name] <= set(doc), sorted(COMMON | EXPECTED[name] - set(doc))
    if name == "pop_latency":
        for crm in doc["crms"].values():
            assert {"baseline_sdk", "ringing", "answered", "ended", "goals"} <= set(crm)
    if name == "gateway_burst":
        assert [row["ring_order"] for row in doc["per_caller"]] == list(range(doc["callers"]))
        assert doc["searches_refused_429"] == 0 and doc["searches_sent_in_ring_order"]
    if name == "crm_requests":
        for crm in doc["crms"].values():
            assert {"known_inbound", "repeat_caller", "unknown_auto_create", "queue_10_agents_known"} <= set(
                crm
            )
    if (
        name == "gateway_fanout"
    ):  # the standby's desktops got the leader's messages, as many as on one gateway
        one, two = doc["one_gateway"], doc["two_replicas"]
        assert [g["role"] for g in two["per_gateway"]] == ["leader", "standby"]
        assert two["messages_received"] * one["calls"] == one["messages_received"] * two["calls"] > 0
        assert all(g["pop_message_ms"]["n"] > 0 for g in two["per_gateway"]), two
    if name == "failover":  # real replica processes: SIGKILL, SIGKILL inside a CRM outage, SIGSTOP
        assert doc["faults"] == {"kill": 1, "kill in crm outage": 1, "freeze": 1}
        assert doc["pbx_tokens_live"] == 1, "each new leader took over the site's PBX token"
        assert (doc["lost"], doc["duplicated"], doc["errors"], doc["late_logs_by_ex_leaders"]) == (
            0,
            0,
            [],
            [],
        )
    if name == "outbox_drain":  # every log of every run delivered (the script asserts it), several at once
        assert all(crm["in_flight"]["in_flight"] > 1 for crm in doc["crms"].values())
    if name == "soak":
        for crm in doc["crms"].values():
            assert crm["calls"] >= 88 and crm["lost"] == crm["waiting"] == crm["doubled"] == 0, crm
        assert doc["clean"], doc["crms"]
