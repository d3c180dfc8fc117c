"""The desktop app loads no CRM connector, Zoho PhoneBridge or web framework before it needs one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAZY = (
    "linkus_companion.crm.hubspot",
    "linkus_companion.crm.salesforce",
    "linkus_companion.crm.zoho",
    "linkus_companion.crm.phonebridge",
    "linkus_companion.engine.phonebridge_mode",
    "starlette",
    "uvicorn",
)


def loaded_after(code: str) -> set[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_starting_the_app_loads_no_connector_and_no_web_framework() -> None:
    loaded = loaded_after(
        "import linkus_companion.app, linkus_companion.runtime, linkus_companion.engine.host"
    )
    assert not {m for m in loaded if m.startswith(LAZY)}


def test_the_configured_connector_loads_alone() -> None:
    code = (
        "import asyncio, httpx\n"
        "from linkus_companion.runtime import make_connector\n"
        "async def main():\n"
        "    async with httpx.AsyncClient() as c:\n"
        "        await make_connector('hubspot', c, None, 'US')\n"
        "asyncio.run(main())"
    )
    loaded = loaded_after(code)
    assert "linkus_companion.crm.hubspot" in loaded
    assert not loaded & {"linkus_companion.crm.salesforce", "linkus_companion.crm.zoho"}
