"""The desktop app loads no CRM connector, Zoho PhoneBridge, web framework or window before it needs one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks import _desktop

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


NOT_AT_START = (
    "linkus_companion.crm.salesforce",
    "linkus_companion.crm.zoho",
    "linkus_companion.crm.phonebridge",
    "linkus_companion.engine.phonebridge_mode",
    "linkus_companion.crm.oauth_loopback",  # the sign-in's redirect listener
    "linkus_companion.gateway",
    "linkus_companion.admin",
    "linkus_companion.demo",
    "linkus_companion.store_postgres",
    "linkus_companion.ui.settings",
    "linkus_companion.ui.history",
    "linkus_companion.ui.add_record_dialog",
    "linkus_companion.ui.first_run",
    "linkus_companion.ui.phone_links",  # the tel: registration, offered when the first run ends
    "linkus_companion.ui.call_panel",  # built at the first call
    "linkus_companion.ui.call_card",
    "linkus_companion.ui.widgets.record_picker",
    "PySide6.QtNetwork",  # the single instance listens on a stdlib socket (2.6 MB less)
    "starlette",
    "uvicorn",
    "cryptography",
)


async def test_a_connected_desktop_loads_only_what_it_shows_and_its_own_crm(tmp_path: Path) -> None:
    """The app as started for a HubSpot user, connected to the PBX simulator and idle: the HubSpot
    connector is loaded; other CRMs, the gateway, the emulators, Settings, history, the Add dialog,
    the first run, the call panel (until the first call) and QtNetwork are not, and no module's source
    is held in memory (PySide6's import hook reads it)."""
    async with _desktop.sims() as sims:
        child = await _desktop.spawn("app", 0.1, tmp_path, sims.conf(tmp_path))
        try:
            await child.event("idle")
            await child.send("modules")
            report = await child.event("modules")
        finally:
            await child.send("quit")
            await child.finish()
    loaded = set(report["modules"])
    assert "linkus_companion.crm.hubspot" in loaded
    assert "linkus_companion.ui.tray" in loaded
    assert not {m for m in loaded if m.startswith(NOT_AT_START)}
    # the benchmark's stand-in for the OS keyring is the only emulator module in the process
    assert {m for m in loaded if m.startswith("linkus_companion.sim.")} == {
        "linkus_companion.sim.memory_keyring"
    }
    assert not [path for path in report["sources_kept"] if "linkus_companion" in path]
