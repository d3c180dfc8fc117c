"""Parent side of the desktop benchmarks: simulators in this process, the app (or the floor) in a child."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from benchmarks import _rig

ROOT = Path(__file__).resolve().parent.parent
EXTENSION = "1001"


def child_env(home: Path, guard: bool = False, bytecode: Path | None = None) -> dict[str, str]:
    """Offscreen Qt; every user directory under `home` (logs, single-instance socket, settings).

    `bytecode`: where the child keeps its compiled modules (PYTHONPYCACHEPREFIX), so that a second start
    loads bytecode as an installed app does (pip compiles at install) instead of compiling every source;
    None: nothing written (each start compiles the modules that have no bytecode beside them)."""
    run = home / "run"
    run.mkdir(parents=True, exist_ok=True)
    run.chmod(0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "XDG_")) and k != "PYTHONPATH"}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        HOME=str(home),
        XDG_RUNTIME_DIR=str(run),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
        PYTHONPATH=str(ROOT),
        BENCH_NONE_GUARD="1" if guard else "0",
    )
    if bytecode is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    return env


@dataclass
class Child:
    """A running child: its JSON lines, its stdin and when it was spawned."""

    proc: asyncio.subprocess.Process
    spawned: float
    home: Path

    def stderr_tail(self, lines: int = 4) -> str:
        """The last distinct lines the child wrote to stderr."""
        try:
            text = (self.home / "stderr.log").read_text(errors="replace").splitlines()
        except OSError:
            return ""
        seen = [line for line in text if line.strip() and not line.startswith("  ")]
        return " | ".join(dict.fromkeys(seen[-lines * 3 :]).keys())[-600:]

    async def event(self, name: str, patience: float = 60.0) -> dict[str, Any]:
        """The next JSON line with this event name (others are skipped), with `received` = seconds since spawn."""
        assert self.proc.stdout is not None
        async with asyncio.timeout(patience):
            while True:
                line = await self.proc.stdout.readline()
                if not line:
                    code = await self.proc.wait()
                    raise RuntimeError(f"the child ended before '{name}' (exit {code}): {self.stderr_tail()}")
                with contextlib.suppress(ValueError):
                    doc = json.loads(line)
                    if isinstance(doc, dict) and doc.get("event") == name:
                        doc["received"] = time.perf_counter() - self.spawned
                        return doc

    async def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        await self.proc.stdin.drain()

    async def finish(self, patience: float = 20.0) -> int:
        with contextlib.suppress(ProcessLookupError, BrokenPipeError, ConnectionResetError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        try:
            return await asyncio.wait_for(self.proc.wait(), patience)
        except TimeoutError:
            self.proc.kill()
            return await self.proc.wait()


async def spawn(
    mode: str,
    idle: float,
    home: Path,
    conf: dict[str, Any] | None = None,
    *,
    guard: bool = False,
    bytecode: Path | None = None,
) -> Child:
    """Start `benchmarks._desktop_child MODE IDLE` (conf as the first stdin line; `bytecode`: see child_env)."""
    home.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240
    env = child_env(home, guard, bytecode)
    with (home / "stderr.log").open("wb") as stderr:  # the child keeps its own copy
        spawned = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks._desktop_child",
            mode,
            str(idle),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
            env=env,
            cwd=str(ROOT),
        )
    child = Child(proc, spawned, home)
    if conf is not None:
        await child.send(json.dumps(conf))
    return child


@dataclass
class Sims:
    """The PBX simulator and the HubSpot emulator the desktop app connects to, and its configuration."""

    pbx: Any
    crm: Any
    conf_base: dict[str, Any]

    def conf(self, home: Path) -> dict[str, Any]:
        return {**self.conf_base, "home": str(home)}


@contextlib.asynccontextmanager
async def sims(step: float = 0.2) -> AsyncIterator[Sims]:
    """Start the simulators, sign in to the CRM once and hand the tokens over as keyring entries."""
    from linkus_companion.crm.oauth import OAuthGrants
    from linkus_companion.secrets import SecretStore
    from linkus_companion.sim.browser import approving_browser
    from linkus_companion.sim.hubspot import HubSpotEmulator
    from linkus_companion.sim.memory_keyring import MemoryKeyring
    from linkus_companion.sim.pbx import PbxSimulator

    pbx = PbxSimulator(step=step)
    crm = HubSpotEmulator(seed=False, search_rate=100_000, burst_limit=100_000)
    await pbx.start()
    await crm.start()
    try:
        for ext in pbx.directory.extensions.values():
            first, _, last = ext.caller_id_name.partition(" ")
            crm.add_user(first, last or "Agent", ext.email_addr)
        with _rig.memory_keyring():
            import keyring

            ring = keyring.get_keyring()
            assert isinstance(ring, MemoryKeyring)
            async with httpx.AsyncClient(timeout=10) as http:
                grants = OAuthGrants(crm.oauth_provider(), crm.oauth_credentials(), http, SecretStore())
                redirect = f"http://localhost:{_rig.free_port()}/oauth/callback"
                crm.allow_redirect(redirect)
                await grants.authorize(approving_browser(http), redirect_uri=redirect, give_up_after=20)
            entries = [[s, u, p] for (s, u), p in ring.entries.items()]
        conf = {
            "keyring": entries,
            "pbx_url": pbx.base_url,
            "pbx_id": pbx.client_id,
            "pbx_secret": pbx.client_secret,
            "crm_url": crm.base_url,
            "crm_id": crm.oauth_client_id,
            "crm_secret": crm.oauth_client_secret,
            "hub_id": str(crm.hub_id),
            "extension": EXTENSION,
            "settings": {
                "pbx.url": pbx.base_url,
                "pbx.client_id": pbx.client_id,
                "pbx.extensions": [EXTENSION],
                "crm.kind": "hubspot",
                "crm.client_id": crm.oauth_client_id,
                "pop.trigger": "ringing",
                "match.region": "US",
                "ui.notifications": True,
            },
        }
        yield Sims(pbx, crm, conf)
    finally:
        await crm.stop()
        await pbx.stop()
