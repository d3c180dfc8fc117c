"""`linkus-companion demo`: the whole product on a local PBX simulator and CRM emulator, no account needed."""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import keyring

from linkus_companion.config.settings import Settings
from linkus_companion.config.userfile import UserFile
from linkus_companion.crm.oauth import OAuthGrants
from linkus_companion.demo_browser import open_browser
from linkus_companion.engine.host import EngineHost
from linkus_companion.engine.policies import Policies
from linkus_companion.engine.screen_pop import OwnPops, PopRequest, PrintingOpener, UrlOpener
from linkus_companion.pbx.client import PbxClient
from linkus_companion.runtime import PBX_SECRET
from linkus_companion.secrets import SecretStore
from linkus_companion.serving import free_port
from linkus_companion.sim import scenario
from linkus_companion.sim.browser import approving_browser
from linkus_companion.sim.crm_emulator import CrmEmulator
from linkus_companion.sim.memory_keyring import MemoryKeyring
from linkus_companion.sim.pbx import PbxSimulator
from linkus_companion.texts import Text

CRMS = ("hubspot", "salesforce", "zoho")
DEMO_SETTINGS: dict[str, object] = {
    "pop.trigger": "ringing",
    "create.mode": "auto",
    "create.inbound": True,
    "calllog.skip_unanswered_agents": True,
    "match.region": "US",
}


def make_emulator(kind: str) -> CrmEmulator:
    """A fresh, empty emulator of `kind`."""
    if kind == "hubspot":
        from linkus_companion.sim.hubspot import HubSpotEmulator

        return HubSpotEmulator(seed=False)
    if kind == "salesforce":
        from linkus_companion.sim.salesforce import SalesforceEmulator

        return SalesforceEmulator(seed=False)
    from linkus_companion.sim.zoho import ZohoEmulator

    return ZohoEmulator(seed=False)


@contextlib.contextmanager
def throwaway_keyring() -> Any:
    """Use an in-memory keyring for the demo: the user's real one is never read or written."""
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@dataclass
class _Both:
    """Remember every pop for the report and also hand it to the real browser."""

    printer: PrintingOpener
    browser: UrlOpener

    def open(self, request: PopRequest) -> None:
        self.printer.open(request)
        self.browser.open(request)


@dataclass
class DemoWorld:
    """The simulators, the CRM people and the running engine host."""

    pbx: PbxSimulator
    crm: CrmEmulator
    people: scenario.Cast
    host: EngineHost
    printer: PrintingOpener


def emulated_host(crm: CrmEmulator, settings: Settings, **options: Any) -> EngineHost:
    """An engine on the emulators (demo, tests, benchmarks): the policies of `settings`, pops allowed on
    `crm`'s pages, quick retries (`stream_options`, `outbox_options` and the rest as EngineHost takes them)."""
    fast: dict[str, Any] = {
        "stream_options": {"backoff_initial": 0.05},
        "outbox_options": {"backoff_base": 0.05, "backoff_cap": 0.2},
    }
    return EngineHost(
        policies=Policies.from_settings(settings), crm_web_origins=(crm.web_origin,), **(fast | options)
    )


@contextlib.asynccontextmanager
async def demo_world(
    kind: str,
    home: Path,
    say: Callable[[str], None],
    opener: UrlOpener | None = None,
    *,
    settings: Settings | None = None,
    settings_overrides: Mapping[str, object] | None = None,
    **host_options: Any,
) -> AsyncIterator[DemoWorld]:
    """Start the PBX simulator and the CRM emulator, sign in to the CRM, and run the engine on them.

    `settings` (the desktop app's) then show the demo's real configuration: PBX address, Client ID,
    CRM, binding and the auto-create mode the engine runs with.
    """
    pbx_sim = PbxSimulator(step=0.05)
    crm = make_emulator(kind)
    await pbx_sim.start()
    await crm.start()
    try:
        people = scenario.cast(crm, pbx_sim)
        settings = settings or Settings(UserFile(home / "settings.json"))
        for key, value in {
            **DEMO_SETTINGS,
            "binding": {scenario.MANUAL: people.users[scenario.MANUAL]},
            "pbx.url": pbx_sim.base_url,
            "pbx.client_id": pbx_sim.client_id,
            "crm.kind": kind,
            "crm.client_id": crm.oauth_credentials().client_id,
            **(settings_overrides or {}),
        }.items():
            settings.set_user(key, value)
        SecretStore().set(PBX_SECRET, pbx_sim.client_secret)
        verify: ssl.SSLContext | bool = (
            ssl.create_default_context(cafile=str(crm.ca_file)) if crm.ca_file else True
        )
        async with (
            httpx.AsyncClient(verify=verify, timeout=10) as http,
            PbxClient(pbx_sim.base_url, pbx_sim.client_id, pbx_sim.client_secret) as pbx,
        ):
            grants = OAuthGrants(crm.oauth_provider(), crm.oauth_credentials(), http, SecretStore())
            redirect = f"http://localhost:{free_port()}/oauth/callback"
            crm.allow_redirect(redirect)
            await grants.authorize(approving_browser(http), redirect_uri=redirect, give_up_after=20)
            say(
                Text(
                    "signed in to the {kind} emulator at {url} through the OAuth loopback flow",
                    kind=kind,
                    url=crm.base_url,
                )
            )
            printer = PrintingOpener(say)
            browser = opener or printer
            from linkus_companion.store import Store

            store = Store.open(home / "demo.db")
            host = emulated_host(
                crm,
                settings,
                pbx=pbx,
                connector=crm.connector(http, grants),
                store=store,
                opener=_Both(printer, browser) if browser is not printer else printer,
                recording_base=f"http://127.0.0.1:{free_port()}",
                stream_options={"backoff_initial": 0.1, "backoff_max": 1.0},
                outbox_options={"backoff_base": 0.5, "backoff_cap": 2.0},
                **host_options,
            )
            try:
                yield DemoWorld(pbx_sim, crm, people, host, printer)
            finally:
                await host.stop()
                store.close()
    finally:
        await crm.stop()
        await pbx_sim.stop()


async def run_headless(kind: str, calls: int, say: Callable[[str], None]) -> dict[str, Any]:
    """Play the scripted calls and return the report computed from the CRM emulator's final state."""
    with tempfile.TemporaryDirectory(prefix="linkus-demo-") as tmp, throwaway_keyring():
        async with demo_world(kind, Path(tmp), say) as world:
            await world.host.start()
            await asyncio.wait_for(world.host.connected(), 10)
            for unbound in world.host.bindings.unbound:
                say(
                    Text(
                        "extension {extension} is not bound: {why}",
                        extension=unbound.extension,
                        why=unbound.reason,
                    )
                )
            placed = await play_script(world, calls, say)
            await wait_delivered(world, scenario.expected_keys(placed), say)
            return scenario.report(kind, placed, world.crm, world.people, world.printer.pops)


async def play_script(
    world: DemoWorld, calls: int, say: Callable[[str], None], *, talk: float = 0.3, gap: float = 0.5
) -> list[scenario.Expected]:
    """Place the scripted calls on the world's PBX, `gap` seconds apart."""
    return await scenario.play(
        world.pbx,
        world.crm,
        world.people,
        calls=calls,
        talk=talk,
        say=say,
        settle=lambda: asyncio.sleep(gap),
        resumed=lambda: asyncio.wait_for(world.host.connected(), 10),
    )


async def wait_delivered(
    world: DemoWorld, keys: set[str], say: Callable[[str], None], patience: float = 60
) -> None:
    """Wait until every expected call log reached the CRM (or the timeout passed)."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        present = {log.idempotency_key for log in world.crm.call_logs()}
        if keys <= present and not world.host.outbox.status().waiting:
            return
        world.host.outbox.retry_now()
        await asyncio.sleep(0.25)
    say(Text("some call logs were still undelivered when the demo stopped waiting"))


@contextlib.asynccontextmanager
async def running(work: Coroutine[Any, Any, object]) -> AsyncIterator[None]:
    """Run `work` beside the block (a script playing calls); it is cancelled when the block ends."""
    task = asyncio.create_task(work)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@contextlib.asynccontextmanager
async def _desktop_host(
    kind: str, home: Path, calls: int, say: Callable[[str], None], opener: UrlOpener, settings: Settings
) -> AsyncIterator[EngineHost]:
    """The demo world for the desktop app: once connected, a browser with our extension opens a customer's
    CRM page (click to call) and the scripted calls start."""
    async with demo_world(kind, home, say, opener, settings=settings) as world:
        browser: list[subprocess.Popen[bytes]] = []

        async def play() -> None:
            await world.host.connected()
            customer = world.people.known[scenario.KNOWN[1][2]]
            ca_files = [world.crm.ca_file] if world.crm.ca_file else []
            opened = open_browser(home / "browser", ca_files, world.crm.contact_pages(customer), say)
            browser.extend([opened] if opened else [])
            placed = await play_script(world, calls, say, talk=3.0, gap=2.0)
            await wait_delivered(world, scenario.expected_keys(placed), say)
            result = scenario.report(kind, placed, world.crm, world.people, world.printer.pops)
            say(summary(result))

        try:
            async with running(play()):
                yield world.host
        finally:
            for process in browser:
                process.terminate()


def run_desktop(kind: str, calls: int, say: Callable[[str], None]) -> int:
    """The desktop app for extension 1001 on the simulators, in a throwaway profile."""
    from linkus_companion.app import BrowserOpener, run_app
    from linkus_companion.local_backend import LocalBackend

    with tempfile.TemporaryDirectory(prefix="linkus-demo-") as tmp, throwaway_keyring():
        home = Path(tmp)
        os.environ["LINKUS_COMPANION_HOME"] = tmp
        settings = Settings(UserFile(home / "settings.json"))
        settings.set_user("pbx.extensions", ("1001",))
        say(
            Text(
                "Linkus Companion demo: extension 1001, {kind} emulator, {calls} scripted calls; quit from the tray.",
                kind=kind,
                calls=calls,
            )
        )
        opener = OwnPops(BrowserOpener(), frozenset({"1001"}))  # the demo follows every extension
        return run_app(
            lambda app_settings: LocalBackend(
                lambda: _desktop_host(kind, home, calls, say, opener, app_settings), "1001"
            ),
            settings,
            [sys.argv[0]],
        )


def summary(result: dict[str, Any]) -> str:
    """One line: calls, lost, duplicated, created, pops, errors."""
    return Text(
        "{crm}: {calls} calls, {lost} lost, {duplicated} duplicated, {created} records created, {pops} pops,"
        " {errors} errors",
        crm=result["crm"],
        calls=result["calls"],
        lost=result["lost"],
        duplicated=result["duplicated"],
        created=len(result["created"]),
        pops=len(result["pops"]),
        errors=len(result["errors"]),
    )
