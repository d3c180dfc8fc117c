"""`demo --gateway`: the embedded demo's scripted calls through a gateway pass the same report checks."""

from __future__ import annotations

from linkus_companion.gateway.demo import run_gateway_headless


async def test_gateway_demo_report_passes_the_embedded_checks() -> None:
    lines: list[str] = []
    report = await run_gateway_headless("hubspot", 8, lines.append)
    assert report["errors"] == [] and report["lost"] == 0 and report["duplicated"] == 0
    assert report["calls"] == 8 and report["topology"] == "gateway"
    assert report["pops"] and all(p["url"].startswith("http://127.0.0.1:") for p in report["pops"])
    assert any(log["during"] == "pbx gap" and log["logs"] for log in report["logs"])
    assert any("desktops 1001, 1002, 1003, 1004 enrolled" in line for line in lines)
