"""The soak keeps its evidence: a run that fails or crashes still writes what it saw."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks import soak


def _args(out: Path) -> argparse.Namespace:
    return argparse.Namespace(quick=True, out=out, rounds=2, crm=["hubspot"], fault=None, logs=out.parent)


def test_a_round_that_crashes_is_reported_with_the_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken_round(*_: Any) -> None:
        raise RuntimeError("the simulator broke")

    monkeypatch.setattr(soak, "every_phase", broken_round)
    out = tmp_path / "soak.json"
    assert asyncio.run(soak.main(_args(out))) == 1
    body = json.loads(out.read_text())
    row = body["crms"]["hubspot"]
    assert not body["clean"] and row["expected"] == 0 and row["lost"] == 0
    assert row["problems"][0] == "crashed, round 1: sigkill: RuntimeError('the simulator broke')"


def test_a_run_that_dies_still_writes_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def dying(*_: Any) -> dict[str, Any]:
        raise KeyboardInterrupt

    monkeypatch.setattr(soak, "soak", dying)
    out = tmp_path / "soak.json"
    with pytest.raises(KeyboardInterrupt):
        asyncio.run(soak.main(_args(out)))
    body = json.loads(out.read_text())
    assert not body["clean"] and body["crms"]["crashed"]["problems"][0] == "KeyboardInterrupt()"
