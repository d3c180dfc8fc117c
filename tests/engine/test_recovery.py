"""Every call shape survives every fault at every phase: SIGKILL, PBX restart, dropped socket, expired token.

Each test makes one fault while calls of every shape stand in each phase (ringing, talking, ended but
without their CDR yet, and placed wholly during the fault), then counts the logs in the CRM emulator.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks._faults import CRMS, FAULTS, every_phase, world


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("crm", CRMS)
async def test_no_call_log_is_lost_or_doubled(tmp_path: Path, crm: str, fault: str) -> None:
    async with world(tmp_path, crm) as w:
        await every_phase(w, FAULTS[fault])
        result = await w.settled()
    assert result.expected >= 4 * 10, result.summary()
    assert result.clean, w.explain(result)
