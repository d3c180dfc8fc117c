"""Long-running commands exit cleanly within 2 s of SIGINT or SIGTERM (Ctrl+C, logout, service manager)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

COMMANDS = {
    "sim pbx": (["sim", "pbx", "--port", "0"], "Press Ctrl-C to stop."),
    "sim crm": (["sim", "crm", "--kind", "hubspot"], "Press Ctrl-C to stop."),
    "desktop": (["run"], ""),
}


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_signal_stops_the_command_cleanly_and_fast(tmp_path: Path, name: str, sig: signal.Signals) -> None:
    words, ready = COMMANDS[name]
    env = os.environ | {"LINKUS_COMPANION_HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.Popen(
        [sys.executable, "-m", "linkus_companion", *words],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        if ready:
            while ready not in (line := child.stdout.readline()):
                assert line, f"{name} ended before it was ready"
        else:
            log = tmp_path / "log" / "linkus-companion.log"
            deadline = time.monotonic() + 30
            while (
                not (log.exists() and " running (language " in log.read_text())
                and time.monotonic() < deadline
            ):
                time.sleep(0.1)  # the tray app logs that it runs once its loop (and signal handling) is up
        sent = time.monotonic()
        child.send_signal(sig)
        child.wait(timeout=10)
        took = time.monotonic() - sent
    finally:
        child.kill()
        child.communicate()
    assert child.returncode == 0, f"{name} was killed by {sig.name} instead of stopping"
    assert took < 2.0, f"{name} took {took:.1f} s to stop"
