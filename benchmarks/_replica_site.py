"""A gateway site of real processes: PostgreSQL, replicas run as `linkus-companion gateway --config FILE`
subprocesses behind a TCP balancer, the PBX simulator and the Salesforce emulator, three desktop clients.

The replicas read their settings, secrets and CRM grant the way a server install does (a TOML file and
owner-only secret files, the CRM grant from `gateway authorize`); they are killed with SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from secrets import token_urlsafe
from typing import Any

import httpx

from linkus_companion.demo import DEMO_SETTINGS
from linkus_companion.engine.screen_pop import PopRequest
from linkus_companion.gateway import commands
from linkus_companion.gateway.client import GatewayBackend
from linkus_companion.gateway.config import SIGNING_SECRET, load
from linkus_companion.gateway.credentials import GatewayCredentials
from linkus_companion.gateway.server_secrets import ServerSecrets
from linkus_companion.gateway.tokens import TokenAuthority, shared_signing_key
from linkus_companion.runtime import CRM_SECRET, PBX_SECRET
from linkus_companion.secrets import SecretStore
from linkus_companion.serving import free_port
from linkus_companion.sim import scenario
from linkus_companion.sim.balancer import Balancer
from linkus_companion.sim.browser import approving_browser
from linkus_companion.sim.pbx import PbxSimulator
from linkus_companion.sim.salesforce import SalesforceEmulator
from linkus_companion.store import Store
from linkus_companion.tls import TlsFiles, generate

ROOT = Path(__file__).resolve().parent.parent
LEASE = 2
"""The replicas' `leader_lease`, seconds: how long a frozen leader is waited for."""


class Pops:
    """A desktop's browser: the pops it got, and when each call's first pop arrived."""

    def __init__(self) -> None:
        self.pops: list[PopRequest] = []
        self.at: dict[str, float] = {}

    def open(self, request: PopRequest) -> None:
        """Remember the pop (no browser here)."""
        self.pops.append(request)
        self.at.setdefault(request.call_id, time.monotonic())


@dataclass
class Replica:
    """One gateway process; its JSON log lines go to `log`."""

    name: str
    port: int
    config: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def spawn(self, env: dict[str, str]) -> None:
        """Start `linkus-companion gateway --config FILE`."""
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "linkus_companion", "gateway", "--config", str(self.config)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
                env=env,
                cwd=ROOT,
            )

    def kill(self) -> None:
        """SIGKILL, and reap it."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def wait(self, timeout: float) -> int:
        """Its exit status once it ended by itself (TimeoutExpired after `timeout` s)."""
        assert self.process is not None
        return self.process.wait(timeout)

    def signal(self, number: int) -> None:
        """Send `number` (SIGSTOP, SIGCONT)."""
        assert self.process is not None
        os.kill(self.process.pid, number)

    @property
    def pid(self) -> int:
        """The process id."""
        assert self.process is not None
        return self.process.pid


@dataclass
class Site:
    """The running site; `replicas` holds the live ones, the leader first once elected."""

    pbx: PbxSimulator
    crm: SalesforceEmulator
    people: scenario.Cast
    store: Store
    balancer: Balancer
    tls: TlsFiles
    home: Path
    env: dict[str, str]
    http: httpx.AsyncClient
    desktops: dict[str, GatewayBackend] = field(default_factory=dict)
    browsers: dict[str, Pops] = field(default_factory=dict)
    replicas: list[Replica] = field(default_factory=list)
    everyone: list[Replica] = field(default_factory=list)
    """Every replica started, live or not."""
    spawned: int = 0

    @property
    def url(self) -> str:
        """The site's public address (the balancer)."""
        return f"https://127.0.0.1:{self.balancer.port}"

    async def health(self, replica: Replica) -> dict[str, Any]:
        """Its /health answer; {} while it does not answer."""
        try:
            answer = await self.http.get(f"https://127.0.0.1:{replica.port}/health", timeout=2)
            body = answer.json()
        except (httpx.HTTPError, ValueError):
            return {}
        return dict(body) if isinstance(body, dict) else {}

    async def role(self, replica: Replica) -> str:
        """`leader`, `standby`, or "" while it does not answer /health."""
        return str((await self.health(replica)).get("role", ""))

    async def desktops_back(self, patience: float = 20) -> None:
        """Wait until the live replicas count every desktop among theirs (a desktop that was on a dead or
        frozen replica has reconnected through the balancer)."""
        deadline = time.monotonic() + patience
        while sum([int((await self.health(r)).get("desktops", 0)) for r in self.replicas]) != len(
            self.desktops
        ):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the desktops did not all reconnect within {patience} s")
            await asyncio.sleep(0.05)

    async def until_role(self, replica: Replica, role: str, patience: float = 60) -> float:
        """Wait until `replica` says `role`; when it did (monotonic)."""
        deadline = time.monotonic() + patience
        while (said := await self.role(replica)) != role:
            code = replica.process.poll() if replica.process else None
            if code is not None or time.monotonic() > deadline:
                tail = replica.log.read_text(encoding="utf-8", errors="replace")[-3000:]
                raise RuntimeError(
                    f"{replica.name} is {said or 'silent'} (exit {code}); its log ends:\n{tail}"
                )
            await asyncio.sleep(0.02)
        return time.monotonic()

    async def add_replica(self) -> Replica:
        """Start one more replica process and put it behind the balancer (it answers /health when up)."""
        self.spawned += 1
        name, port = f"replica-{self.spawned}", free_port()
        config = self.home / f"{name}.toml"
        config.write_text(_config(self, port), encoding="utf-8")
        replica = Replica(name, port, config, self.home / f"{name}.log")
        replica.spawn(self.env)
        self.replicas.append(replica)
        self.everyone.append(replica)
        self.balancer.backends.append(port)
        return replica

    def kill(self, replica: Replica) -> float:
        """SIGKILL `replica` (what a crash or the OOM killer does); when it died (monotonic)."""
        replica.kill()
        self.replicas.remove(replica)
        self.balancer.backends.remove(replica.port)
        return time.monotonic()

    def freeze(self, replica: Replica) -> float:
        """SIGSTOP `replica` (a paused VM, a machine gone silent: its TCP sessions stay open); the
        balancer's health check drops it at once. When it froze (monotonic)."""
        replica.signal(signal.SIGSTOP)
        self.replicas.remove(replica)
        self.balancer.backends.remove(replica.port)
        return time.monotonic()

    async def desktop(self, extension: str) -> GatewayBackend:
        """Enroll a desktop for `extension` (its own keyring entries) and connect it through the balancer."""
        email = self.pbx.directory.extensions[extension].email_addr
        key = shared_signing_key(self.store, str(ServerSecrets(self.home / "state").get(SIGNING_SECRET)))
        authority = TokenAuthority(self.store, key, self.url)
        credentials = GatewayCredentials(
            self.url, SecretStore(f"desktop-{extension}"), tls=self.tls.client_context()
        )
        await credentials.enroll(authority.enroll(extension, email).link(self.url))
        self.browsers[extension] = Pops()
        backend = self.desktops[extension] = GatewayBackend(credentials, self.browsers[extension])
        await backend.start()
        await asyncio.wait_for(backend.connected(), 30)
        return backend

    def pops(self) -> list[PopRequest]:
        """Every pop every desktop got."""
        return [pop for browser in self.browsers.values() for pop in browser.pops]


def _config(site: Site, port: int) -> str:
    settings = {
        **DEMO_SETTINGS,
        "pbx.url": site.pbx.base_url,
        "pbx.client_id": site.pbx.client_id,
        "crm.kind": "salesforce",
        "crm.client_id": site.crm.oauth_client_id,
        "crm.salesforce_login": site.crm.base_url,
        "crm.redirect_uri": site.env["LINKUS_BENCH_REDIRECT"],
    }
    lines = [
        "[gateway]",
        f'public_url = "{site.url}"',
        f"port = {port}",
        f'tls_cert = "{site.tls.cert_file}"',
        f'tls_key = "{site.tls.key_file}"',
        f'state_dir = "{site.home / "state"}"',
        f'state = "{site.env["LINKUS_BENCH_STATE"]}"',
        f"leader_lease = {LEASE}",
        f"extensions = {list(scenario.AGENTS)!r}".replace("'", '"'),
        "[settings]",
    ]
    for key, value in settings.items():
        text = ("true" if value else "false") if isinstance(value, bool) else f'"{value}"'
        lines.append(f'"{key}" = {text}')
    return "\n".join(lines) + "\n"


@contextlib.asynccontextmanager
async def site(home: Path, state: str) -> AsyncIterator[Site]:
    """The simulators, the CRM authorised for the gateway, the balancer; no replica yet."""
    pbx = PbxSimulator(step=0.05)
    crm = SalesforceEmulator(seed=False)
    await pbx.start()
    await crm.start()
    balancer = await Balancer([]).start()
    store = Store.open(state)
    tls = generate(home / "tls")
    redirect = f"http://localhost:{free_port()}/oauth/callback"
    crm.allow_redirect(redirect)
    env = {
        **os.environ,
        "SSL_CERT_FILE": str(crm.ca_file),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "PYTHONPATH": str(ROOT),
        "LINKUS_BENCH_REDIRECT": redirect,
        "LINKUS_BENCH_STATE": state,
    }
    trust = ssl.create_default_context(cafile=str(tls.ca_file))
    try:
        async with httpx.AsyncClient(verify=trust) as http:
            the_site = Site(pbx, crm, scenario.cast(crm, pbx), store, balancer, tls, home, env, http)
            secrets = ServerSecrets(home / "state")
            secrets.set(PBX_SECRET, pbx.client_secret)
            secrets.set(CRM_SECRET, crm.oauth_client_secret)
            secrets.set(SIGNING_SECRET, token_urlsafe(32))
            first = home / "authorize.toml"
            first.write_text(_config(the_site, free_port()), encoding="utf-8")
            crm_trust = ssl.create_default_context(cafile=str(crm.ca_file))
            async with httpx.AsyncClient(verify=crm_trust, timeout=10) as browser:
                with contextlib.redirect_stdout(io.StringIO()):  # the sign-in link printed for an admin
                    await commands.authorize_crm(
                        load(first), opener=approving_browser(browser), verify=crm_trust, give_up_after=20
                    )
            try:
                yield the_site
            finally:
                for backend in the_site.desktops.values():
                    await backend.stop()
                for replica in the_site.everyone:
                    if replica.process is not None and replica.process.poll() is None:
                        replica.signal(signal.SIGCONT)
                        replica.kill()
    finally:
        await balancer.stop()
        store.close()
        await crm.stop()
        await pbx.stop()
