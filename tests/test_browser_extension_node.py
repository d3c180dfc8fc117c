"""The browser extension's own JavaScript tests (tests/browser_extension/*.test.js) under node's test runner."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "browser_extension"
DEBIAN_MODULES = "/usr/share/nodejs"
"""Where Debian's node-jsdom lives (Debian's own node looks there already; others need NODE_PATH)."""


def test_content_script_number_finding() -> None:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is missing: .ci/run installs the Debian packages nodejs and node-jsdom")
        pytest.skip("node is not installed")
    env = {
        **os.environ,
        "NODE_PATH": os.pathsep.join(filter(None, [DEBIAN_MODULES, os.environ.get("NODE_PATH")])),
    }
    files = sorted(str(p) for p in HERE.glob("*.test.js"))
    done = subprocess.run(
        [node, "--test", *files], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "# fail 0" in done.stdout and "# pass 0" not in done.stdout
