"""Shared benchmark rig: JSON output, percentiles, RSS, the CRM behind a TCP delay proxy, simulated worlds."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import importlib
import json
import os
import platform
import ssl
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import keyring

from benchmarks._remote import Channel, Child, child_env
from linkus_companion.demo import emulated_host
from linkus_companion.serving import free_port

RESULTS = Path(__file__).resolve().parent / "results"
CRM_KINDS = ("hubspot", "salesforce", "zoho")


# --- command line and output ------------------------------------------------------------------


def parser(description: str) -> argparse.ArgumentParser:
    """The options every benchmark script takes."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="tiny run for CI (seconds; timings not meaningful)")
    p.add_argument("--out", type=Path, default=None, help="JSON output path (default benchmarks/results/)")
    return p


def machine() -> dict[str, Any]:
    """Where the figures came from."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "load_avg_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }


def write(name: str, out: Path | None, quick: bool, command: str, body: dict[str, Any]) -> Path:
    """Write one benchmark's JSON (`name`, `quick`, `machine`, `command`, `when` + `body`); return the path."""
    path = out or RESULTS / (f"{name}.quick.json" if quick else f"{name}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "benchmark": name,
        "quick": quick,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "command": command,
        **body,
    }
    path.write_text(json.dumps(doc, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"{name}: wrote {path}", file=sys.stderr)
    return path


def save(name: str, args: argparse.Namespace, body: dict[str, Any]) -> Path:
    """`write` the result of `python -m benchmarks.<name>` run with this command line."""
    command = " ".join([f"python -m benchmarks.{name}", *sys.argv[1:]])
    return write(name, args.out, args.quick, command, body)


def as_installed() -> None:
    """Run this benchmark again in place with bytecode written and loaded, as an installed app runs
    (pip compiles at install), when PYTHONDONTWRITEBYTECODE is set; its children inherit that."""
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], child_env())


def pct(values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100, nearest-rank on sorted data); None without samples."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return round(ordered[rank], 3)


def summary(values: list[float]) -> dict[str, Any]:
    """n, p50, p99, max and mean of a sample (ms or whatever unit it is in)."""
    return {
        "n": len(values),
        "p50": pct(values, 50),
        "p99": pct(values, 99),
        "max": round(max(values), 3) if values else None,
        "mean": round(statistics.fmean(values), 3) if values else None,
    }


def ratio(a: float | None, b: float | None) -> float | None:
    """a / b rounded, or None."""
    if a is None or not b:
        return None
    return round(a / b, 3)


def rss_mb(pid: int | str = "self") -> float:
    """Resident set size in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmRSS")


# --- the simulators, each in a process of its own ---------------------------------------------


CONNECTORS = {
    "hubspot": ("linkus_companion.crm.hubspot", "HubSpotConnector"),
    "salesforce": ("linkus_companion.crm.salesforce", "SalesforceConnector"),
    "zoho": ("linkus_companion.crm.zoho", "ZohoConnector"),
}


class Wan:
    """The CRM's network as the benchmark sees it: the delay proxy child's RTT and connection count,
    and the CRM child's log of every HTTP request its emulator answered (the request counts)."""

    def __init__(self, crm: Channel, proxy: Channel) -> None:
        self._crm = crm
        self._proxy = proxy
        self.rtt = 0.0
        """Seconds; each chunk waits `rtt / 2` in each direction (`set_rtt` changes it)."""

    async def set_rtt(self, seconds: float) -> None:
        self.rtt = seconds
        await self._proxy.call("set_rtt", seconds)

    async def connections(self) -> int:
        """TCP connections clients opened to the CRM so far."""
        return int(await self._proxy.call("connections"))

    async def mark(self) -> int:
        """A position in the request log (read what came after it with `since`)."""
        return int(await self._crm.call("log.mark"))

    async def log_since(self, mark: int) -> list[tuple[str, str, str, int, float]]:
        """(method, path, query, client port, the emulator's own ms) of each request after `mark`."""
        return list(await self._crm.call("log.since", mark))

    async def since(self, mark: int) -> list[tuple[str, str, str]]:
        """(method, path, query) of each request after `mark`."""
        return [(m, p, q) for m, p, q, _, _ in await self.log_since(mark)]

    async def searches_served_since(self, mark: int) -> float:
        """The emulator's own time (ms) for the searches after `mark`."""
        return float(await self._crm.call("searches_served_since", mark))


class RemoteCrm:
    """The CRM emulator in its child process: its addresses and credentials read once; any other
    method is forwarded (`await crm.seed_contact(...)`, `await crm.value("traffic")`)."""

    def __init__(
        self, channel: Channel, facts: dict[str, Any], extra: tuple[Any, Any, dict[str, str]]
    ) -> None:
        self._channel = channel
        self.kind: str = facts["kind"]
        self.base_url: str = facts["base_url"]
        self.web_origin: str = facts["web_origin"]
        self.ca_file: Path | None = Path(facts["ca_file"]) if facts["ca_file"] else None
        self.admin_token: str = facts["admin_token"]
        self.admin_refresh_token: str | None = facts["admin_refresh_token"]
        self.oauth_client_id: str | None = facts["oauth_client_id"]
        self.oauth_client_secret: str | None = facts["oauth_client_secret"]
        self.accounts_server: str | None = facts["accounts_server"]
        self._provider, self._credentials, self._options = extra

    @classmethod
    async def attach(cls, channel: Channel, facts: dict[str, Any]) -> RemoteCrm:
        extra = await asyncio.gather(
            channel.call("crm.oauth_provider"),
            channel.call("crm.oauth_credentials"),
            channel.call("crm.connector_options"),
        )
        return cls(channel, facts, (extra[0], extra[1], extra[2]))

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        return self._channel.method(f"crm.{name}")

    async def value(self, name: str) -> Any:
        """An attribute of the emulator."""
        return await self._channel.get(f"crm.{name}")

    def oauth_provider(self) -> Any:
        return self._provider

    def oauth_credentials(self) -> Any:
        return self._credentials

    def connector(self, client: httpx.AsyncClient, grants: Any, *, region: str = "US") -> Any:
        """Our connector for this CRM, pointed at the emulator (as the emulator's own `connector`)."""
        module, name = CONNECTORS[self.kind]
        return getattr(importlib.import_module(module), name)(client, grants, region=region, **self._options)


class RemotePbx:
    """The PBX simulator in its child process: address and credentials read once; scenarios forwarded
    (`await pbx.inbound(caller, "1001", talk=0.05)` returns the call id after the call ended)."""

    def __init__(self, channel: Channel, facts: dict[str, Any]) -> None:
        self._channel = channel
        self.base_url: str = facts["base_url"]
        self.client_id: str = facts["client_id"]
        self.client_secret: str = facts["client_secret"]
        self.extensions: dict[str, list[str]] = facts["extensions"]
        """Number -> [caller id name, e-mail] of every extension."""

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        return self._channel.method(f"sim.{name}")

    async def first_frame(self, call_id: str, check: Callable[[int, dict[str, Any]], bool]) -> float | None:
        """When the first frame of `call_id` that `check` accepts was published (perf_counter)."""
        for at, event_type, msg in await self._channel.call("frames.of", call_id):
            if check(event_type, msg):
                return float(at)
        return None


@dataclass
class Sims:
    """Channels to the simulator processes of one world (see `sims`)."""

    kind: str
    pbx: Channel
    crm: Channel
    proxy: Channel
    facts: dict[str, dict[str, Any]]
    """role -> what its child said when ready (`port` included)."""

    def address(self) -> dict[str, Any]:
        """What another process needs to `attach` to the same simulators."""
        return {"kind": self.kind, "facts": self.facts}

    @classmethod
    async def attach(cls, address: dict[str, Any]) -> Sims:
        facts = address["facts"]
        pbx, crm, proxy = [await Channel.connect(facts[r]["port"]) for r in ("pbx", "crm", "proxy")]
        return cls(address["kind"], pbx, crm, proxy, facts)

    async def close(self) -> None:
        for channel in (self.pbx, self.crm, self.proxy):
            await channel.close()


@contextlib.asynccontextmanager
async def sims(
    kind: str, *, step: float = 0.05, directory: Any = None, real_limits: bool = False
) -> AsyncIterator[Sims]:
    """The PBX simulator, the `kind` CRM emulator and the delay proxy in front of it, each in a process
    of its own (`_sims`), so none of them takes CPU time from the engine's loop. Every PBX extension
    gets a CRM user with the same e-mail (bound automatically)."""
    proxy = await Child.start("proxy", {})
    children = [proxy]
    try:
        started = await asyncio.gather(
            Child.start("pbx", {"step": step, "directory": directory}),
            Child.start("crm", {"kind": kind, "proxy_port": proxy.port, "real_limits": real_limits}),
            return_exceptions=True,
        )
        children += [c for c in started if isinstance(c, Child)]
        for failed in started:
            if isinstance(failed, BaseException):
                raise failed
        pbx, crm = (c for c in started if isinstance(c, Child))
        facts = {"pbx": pbx.facts, "crm": crm.facts, "proxy": proxy.facts}
        for name, email in pbx.facts["extensions"].values():
            first, _, last = name.partition(" ")
            await crm.channel.call("crm.add_user", first, last or "Agent", email)
        yield Sims(kind, pbx.channel, crm.channel, proxy.channel, facts)
    finally:
        for child in reversed(children):
            await child.stop()


def classify(method: str, path: str, query: str) -> str:
    """search | create | log | auth | users | other, for any of the three CRMs."""
    low = path.lower()
    if "oauth" in low or "/token" in low or "access-tokens" in low or "account-info" in low:
        return "auth"
    if "search" in low or (method == "GET" and "q=" in query and "/query" not in low):
        return "search"
    if "/query" in low and "task" in query.lower():
        return "log-check"
    if "owners" in low or "/users" in low or "sobjects/user" in low or "query" in low:
        return "users/other-query"
    if method in ("POST", "PATCH", "PUT") and ("/calls" in low or "/task" in low):
        return "log"
    if method == "POST" and any(k in low for k in ("/contacts", "/leads", "/contact", "/lead")):
        return "create"
    return "other"


def make_emulator(kind: str, *, real_limits: bool = False) -> Any:
    """A fresh emulator; HubSpot's search rate limit is lifted unless `real_limits` (4 searches a second)."""
    if kind == "hubspot":
        from linkus_companion.sim.hubspot import HubSpotEmulator

        if real_limits:
            return HubSpotEmulator(seed=False)
        return HubSpotEmulator(seed=False, search_rate=100_000, burst_limit=100_000)
    from linkus_companion.demo import make_emulator as demo_emulator

    return demo_emulator(kind)


@contextlib.contextmanager
def memory_keyring() -> Iterator[None]:
    """A throwaway in-memory keyring (never the user's)."""
    from linkus_companion.sim.memory_keyring import MemoryKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@dataclass
class Pop:
    """A pop as the benchmark's opener saw it."""

    request: Any
    at: float
    """perf_counter when the opener got it."""


@dataclass
class RecordingOpener:
    """The browser: remembers every pop with the time it arrived."""

    pops: list[Pop] = field(default_factory=list)
    waiters: list[tuple[Callable[[Any], bool], asyncio.Future[Pop]]] = field(default_factory=list)

    def open(self, request: Any) -> None:
        pop = Pop(request, time.perf_counter())
        self.pops.append(pop)
        for check, future in list(self.waiters):
            if not future.done() and check(request):
                future.set_result(pop)

    async def wait(self, check: Callable[[Any], bool], patience: float = 10.0) -> Pop:
        """The first pop (already seen or coming) that `check` accepts."""
        for pop in self.pops:
            if check(pop.request):
                return pop
        future: asyncio.Future[Pop] = asyncio.get_running_loop().create_future()
        entry = (check, future)
        self.waiters.append(entry)
        try:
            return await asyncio.wait_for(future, patience)
        finally:
            self.waiters.remove(entry)


@dataclass
class World:
    """The simulators (each in its own process), the engine host in this one and the instruments."""

    kind: str
    pbx: RemotePbx
    crm: RemoteCrm
    host: Any
    opener: RecordingOpener
    wan: Wan
    sign_in_again: Callable[[], Awaitable[None]]
    """Sign in to the CRM again as the app's Settings do (a grant of their own, kept in the keyring),
    then restart the engine host as the app then does, its grant restored from the keyring."""


@contextlib.asynccontextmanager
async def world(
    kind: str,
    home: Path,
    *,
    rtt: float = 0.0,
    settings: dict[str, object] | None = None,
    step: float = 0.05,
    directory: Any = None,
    extensions: tuple[str, ...] | None = None,
    recording: bool = False,
    real_limits: bool = False,
    crm_down_at_start: bool = False,
    idle_expiry: float | None = None,
    keep_ready_every: float | None = None,
    attach: dict[str, Any] | None = None,
) -> AsyncIterator[World]:
    """A PBX simulator, a CRM emulator behind `rtt`, OAuth sign-in and a started EngineHost on them.

    The simulators and the delay proxy run in processes of their own (`sims`), or with `attach` (a
    `Sims.address()`) the world uses those another process started. With
    `crm_down_at_start` the CRM's API answers 503 from after the sign-in until the test lifts it.
    `idle_expiry` (default runtime.CRM_KEEPALIVE) and `keep_ready_every` (default host.KEEP_READY):
    how long the client keeps an idle CRM connection, and how often the host warms the connector up.
    """
    async with contextlib.AsyncExitStack() as stack:
        if attach is None:
            s = await stack.enter_async_context(
                sims(kind, step=step, directory=directory, real_limits=real_limits)
            )
        else:
            s = await Sims.attach(attach)
            stack.push_async_callback(s.close)
        pbx_sim = RemotePbx(s.pbx, s.facts["pbx"])
        crm = await RemoteCrm.attach(s.crm, s.facts["crm"])
        wan = Wan(s.crm, s.proxy)
        yield await stack.enter_async_context(
            _engine(
                kind,
                home,
                pbx_sim,
                crm,
                wan,
                rtt,
                settings,
                extensions,
                recording,
                crm_down_at_start,
                idle_expiry,
                keep_ready_every,
            )
        )


@contextlib.asynccontextmanager
async def _engine(
    kind: str,
    home: Path,
    pbx_sim: RemotePbx,
    crm: RemoteCrm,
    wan: Wan,
    rtt: float,
    settings: dict[str, object] | None,
    extensions: tuple[str, ...] | None,
    recording: bool,
    crm_down_at_start: bool,
    idle_expiry: float | None,
    keep_ready_every: float | None,
) -> AsyncIterator[World]:
    """Sign in to `crm` and start an EngineHost on `pbx_sim` in this process (see `world`)."""
    from linkus_companion.config.settings import Settings
    from linkus_companion.config.userfile import UserFile
    from linkus_companion.crm.oauth import OAuthGrants
    from linkus_companion.engine.host import EngineHost
    from linkus_companion.pbx.client import PbxClient
    from linkus_companion.runtime import CRM_KEEPALIVE
    from linkus_companion.secrets import SecretStore
    from linkus_companion.sim.browser import approving_browser
    from linkus_companion.store import Store

    store = None
    try:
        with memory_keyring():
            conf = Settings(UserFile(home / "settings.json"))
            base: dict[str, object] = {
                "pop.trigger": "ringing",
                "create.mode": "auto",
                "create.inbound": True,
                "calllog.skip_unanswered_agents": True,
                "calllog.recording_link": recording,
                "match.region": "US",
            }
            for key, value in {**base, **(settings or {})}.items():
                conf.set_user(key, value)
            verify = ssl.create_default_context(cafile=str(crm.ca_file)) if crm.ca_file else True
            async with (
                httpx.AsyncClient(
                    verify=verify,
                    timeout=30,
                    limits=httpx.Limits(keepalive_expiry=idle_expiry or CRM_KEEPALIVE),
                ) as http,
                PbxClient(pbx_sim.base_url, pbx_sim.client_id, pbx_sim.client_secret) as pbx,
            ):
                grants = OAuthGrants(crm.oauth_provider(), crm.oauth_credentials(), http, SecretStore())
                redirect = f"http://localhost:{free_port()}/oauth/callback"
                await crm.allow_redirect(redirect)
                await grants.authorize(approving_browser(http), redirect_uri=redirect, give_up_after=20)
                opener = RecordingOpener()
                store = Store.open(home / f"bench-{kind}.db")

                async def started(grant_source: OAuthGrants) -> EngineHost:
                    assert store is not None
                    host = emulated_host(
                        crm,
                        conf,
                        pbx=pbx,
                        connector=crm.connector(http, grant_source),
                        store=store,
                        opener=opener,
                        extensions=extensions,
                        recording_base=f"http://127.0.0.1:{free_port()}" if recording else "",
                        stream_options={"backoff_initial": 0.1, "backoff_max": 1.0},
                        outbox_options={"backoff_base": 0.2, "backoff_cap": 1.0},
                        **({"keep_ready_every": keep_ready_every} if keep_ready_every else {}),
                    )
                    await host.start()
                    await asyncio.wait_for(host.connected(), 10)
                    return host

                async def sign_in_again() -> None:
                    await OAuthGrants(
                        crm.oauth_provider(), crm.oauth_credentials(), http, SecretStore()
                    ).authorize(approving_browser(http), redirect_uri=redirect, give_up_after=20)
                    await w.host.stop()
                    restored = OAuthGrants(crm.oauth_provider(), crm.oauth_credentials(), http, SecretStore())
                    w.host = await started(restored)
                    await asyncio.wait_for(w.host.prepared(), 10)  # on kept users it runs beside the stream

                await crm.set_outage(crm_down_at_start)
                w = World(kind, pbx_sim, crm, await started(grants), opener, wan, sign_in_again)
                try:
                    await wan.set_rtt(rtt)
                    yield w
                finally:
                    await wan.set_rtt(0.0)
                    await w.host.stop()
    finally:
        if store is not None:
            store.close()


async def delivered(w: World, count: int, patience: float = 30.0) -> None:
    """Wait until the CRM holds `count` call logs and the outbox is idle."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if len(await w.crm.call_logs()) >= count and not w.host.outbox.status().waiting:
            return
        w.host.outbox.retry_now()
        await asyncio.sleep(0.05)
    raise TimeoutError(f"only {len(await w.crm.call_logs())} of {count} call logs reached the CRM")


def phone(i: int) -> str:
    """A distinct valid US number for customer `i` (NANP 555-01xx style)."""
    return f"+1415{2000000 + i:07d}"


# --- recorded PBX traffic -------------------------------------------------------------------------


async def pbx_frames(calls: int, *, customers: int = 500, extension_share: str | None = None) -> list[str]:
    """The WebSocket frames the PBX simulator sends for `calls` calls of a realistic mix (step 0).

    The mix: direct inbound (answered and missed), queue and ring-group calls, outbound, internal and
    blind transfers; callers drawn from `customers` numbers. With `extension_share`, every call
    involves that extension (the desktop's own calls).
    """
    from linkus_companion.sim.pbx import PbxSimulator
    from linkus_companion.sim.pbx_events import frame

    sim = PbxSimulator(step=0.0)
    out: list[str] = []

    async def collect(event_type: int, msg: dict[str, Any]) -> None:
        out.append(frame(event_type, sim.sn, msg))

    sim.hub.publish = collect  # type: ignore[method-assign]
    exts = ["1001", "1002", "1003", "1004", "1005"]
    for i in range(calls):
        caller = phone(i % customers)
        ext = extension_share or exts[i % len(exts)]
        other = "1002" if ext != "1002" else "1003"
        pick = i % 8
        if pick in (0, 1, 2):
            await sim.inbound(caller, ext, talk=0.0, record=bool(i % 2))
        elif pick == 3:
            await sim.inbound(caller, ext, answer=False, talk=0.0)
        elif pick == 4:
            await sim.inbound_queue(caller, "6400", answered_by=extension_share or "1002", talk=0.0)
        elif pick == 5:
            await sim.outbound(ext, caller, talk=0.0)
        elif pick == 6:
            await sim.blind_transfer(caller, ext, other, talk=0.0)
        else:
            await sim.internal(ext, other, talk=0.0)
    return out
