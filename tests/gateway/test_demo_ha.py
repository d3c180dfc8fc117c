"""`demo --gateway --ha`: two replicas on PostgreSQL, the leader killed mid-demo; the report shows the fail-over."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from linkus_companion import demo_command
from linkus_companion.gateway.demo_ha import DURING, failover_summary, run_gateway_ha
from linkus_companion.sim import postgres_server


async def test_the_leader_dies_mid_demo_and_no_call_log_is_lost_or_doubled(postgres_url: str) -> None:
    lines: list[str] = []
    report = await run_gateway_ha("hubspot", 8, lines.append, state=postgres_url)
    assert report["errors"] == [] and report["lost"] == 0 and report["duplicated"] == 0, report["errors"]
    assert report["calls"] == 8 and report["topology"] == "gateway-ha"
    [failover] = report["failovers"]
    assert (failover["killed"], failover["new_leader"]) == ("replica-a", "replica-b")
    assert 0 < failover["failover_s"] <= failover["desktops_back_s"] < 20
    killed = [call for call in report["logs"] if DURING in call["during"]]
    assert len(killed) == 1 and killed[0]["logs"], "the call the leader died in is logged (by the new leader)"
    after = report["logs"][report["logs"].index(killed[0]) + 1 :]
    popped = {p["call"] for p in report["pops"]}
    assert any(call["call_id"] in popped for call in after), "calls after the fail-over pop"
    assert any(
        "desktops 1001, 1002, 1003, 1004 enrolled" in line and "replica-b': 2" in line for line in lines
    )
    assert failover_summary(report).startswith("fail-overs: 1, leader killed -> new leader serving in ")


def test_without_postgresql_the_demo_says_which_package_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(postgres_server, "INSTALLED", tmp_path)
    args = argparse.Namespace(crm="hubspot", calls=8, headless=True, gateway=True, ha=True, json=None)
    assert demo_command.main(args) == 2
    [line] = capsys.readouterr().out.splitlines()
    assert "apt-get install postgresql" in line
