"""The offline demo end to end: every call logged exactly once in each CRM emulator, pops only where due."""

from __future__ import annotations

import pytest

from linkus_companion.demo import run_headless


@pytest.mark.parametrize("kind", ["hubspot", "salesforce", "zoho"])
async def test_the_demo_logs_every_call_once_through_an_outage_and_a_stream_gap(kind: str) -> None:
    lines: list[str] = []
    report = await run_headless(kind, 10, lines.append)
    assert report["crm"] == kind and report["calls"] == 10
    assert report["lost"] == 0 and report["duplicated"] == 0
    assert report["errors"] == []
    assert any("CRM goes down" in line for line in lines)
    assert any("PBX link drops" in line for line in lines)
    during = {entry["during"] for entry in report["logs"]}
    assert {"crm outage", "pbx gap"} <= during
    for entry in report["logs"]:
        if entry["during"]:
            assert entry["logs"], f"{entry['label']} during the {entry['during']} was not logged"
    queue_unknown = [e for e in report["logs"] if e["label"].startswith("unknown caller to the sales queue")]
    assert all(len(e["logs"]) == 1 for e in queue_unknown)
    assert report["pops"] and all(p["latency_ms"] >= 0 for p in report["pops"])
    assert all(p["trigger"] == "ringing" for p in report["pops"])
