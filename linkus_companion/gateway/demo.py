"""`linkus-companion demo --gateway`: the simulators, a gateway over TLS, and one enrolled desktop per extension."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import secrets
import ssl
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from linkus_companion import demo
from linkus_companion.config.settings import Settings
from linkus_companion.config.userfile import UserFile
from linkus_companion.crm.base import Connector
from linkus_companion.crm.oauth import OAuthGrants
from linkus_companion.engine.policies import Policies
from linkus_companion.engine.screen_pop import PrintingOpener
from linkus_companion.gateway.client import GatewayBackend
from linkus_companion.gateway.credentials import GatewayCredentials
from linkus_companion.gateway.server import Gateway
from linkus_companion.gateway.tokens import ACCESS_TTL, load_signing_key, shared_signing_key
from linkus_companion.pbx.client import PbxClient
from linkus_companion.secrets import SecretStore
from linkus_companion.serving import free_port
from linkus_companion.sim import scenario
from linkus_companion.sim.browser import approving_browser
from linkus_companion.sim.crm_emulator import CrmEmulator
from linkus_companion.sim.pbx import PbxSimulator
from linkus_companion.store import Store
from linkus_companion.texts import Text
from linkus_companion.tls import TlsFiles, generate

DESKTOPS = (*scenario.AGENTS, scenario.MANUAL)


@dataclass
class GatewayWorld:
    """The simulators, the running gateway and the desktops enrolled with it."""

    pbx: PbxSimulator
    crm: CrmEmulator
    people: scenario.Cast
    tls: TlsFiles
    build: Callable[..., Gateway]
    """A new gateway on the world's store and address, or on `store=` and `public_url=` (a replica)."""
    gateway: Gateway
    desktops: dict[str, GatewayBackend] = field(default_factory=dict)
    openers: dict[str, PrintingOpener] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The gateway's public address."""
        return self.gateway.public_url

    async def restart(self, down: Callable[[], Any] | None = None) -> None:
        """Stop the gateway, run `down()` while it is away, start a new one on the same state and port."""
        await self.gateway.stop()
        if down is not None:
            await down()
        self.gateway = self.build()
        await self.gateway.start(tls=self.tls)
        await asyncio.wait_for(self.gateway.host.connected(), 10)

    async def desktop(
        self, extension: str, say: Callable[[str], None], *, url: str = "", **options: Any
    ) -> GatewayBackend:
        """Enroll a desktop for `extension` (its own keyring entries) and connect it (to `url`: a replica)."""
        email = self.pbx.directory.extensions[extension].email_addr
        code = self.gateway.authority.enroll(extension, email).link(url or self.url)
        credentials = GatewayCredentials(
            url or self.url, SecretStore(f"desktop-{extension}"), tls=self.tls.client_context()
        )
        await credentials.enroll(code)
        opener = self.openers[extension] = PrintingOpener(say)
        options = {"backoff_initial": 0.1, "backoff_max": 1.0, **options}
        backend = GatewayBackend(credentials, opener, **options)
        self.desktops[extension] = backend
        await backend.start()
        await asyncio.wait_for(backend.connected(), 10)
        return backend


@contextlib.asynccontextmanager
async def gateway_world(
    kind: str,
    home: Path,
    say: Callable[[str], None],
    *,
    access_ttl: dt.timedelta = ACCESS_TTL,
    revocation_check: float = 0.2,
    state: str = "",
) -> AsyncIterator[GatewayWorld]:
    """Start the simulators, sign the gateway in to the CRM as its admin, and start the gateway over TLS.

    With `state` (a PostgreSQL URL) the gateway is a replica that wins the election before it leads.
    """
    pbx_sim = PbxSimulator(step=0.05)
    crm = demo.make_emulator(kind)
    await pbx_sim.start()
    await crm.start()
    tls = generate(home / "tls")
    store = Store.open(state or home / "gateway.db")
    world: GatewayWorld | None = None
    try:
        people = scenario.cast(crm, pbx_sim)
        settings = Settings(UserFile(home / "settings.json"))
        for key, value in {
            **demo.DEMO_SETTINGS,
            "binding": {scenario.MANUAL: people.users[scenario.MANUAL]},
        }.items():
            settings.set_user(key, value)
        verify = ssl.create_default_context(cafile=str(crm.ca_file)) if crm.ca_file else True
        async with (
            httpx.AsyncClient(verify=verify, timeout=10) as http,
            PbxClient(pbx_sim.base_url, pbx_sim.client_id, pbx_sim.client_secret) as pbx,
        ):
            connector = await _signed_in(crm, http)
            public_url = f"https://127.0.0.1:{free_port()}"
            signing_key = (
                shared_signing_key(store, secrets.token_urlsafe(32))
                if state
                else load_signing_key(home / "signing-key.pem")
            )

            def build(**replica: Any) -> Gateway:
                return Gateway.assemble(
                    pbx=pbx,
                    connector=connector,
                    crm_web_origins=(crm.web_origin,),
                    store=replica.get("store", store),
                    policies=Policies.from_settings(settings),
                    signing_key=signing_key,
                    public_url=replica.get("public_url", public_url),
                    host_options={
                        "stream_options": {"backoff_initial": 0.1, "backoff_max": 1.0},
                        "outbox_options": {"backoff_base": 0.5, "backoff_cap": 2.0},
                    },
                    access_ttl=access_ttl,
                    revocation_check=revocation_check,
                )

            world = GatewayWorld(pbx_sim, crm, people, tls, build, build())
            say(
                Text(
                    "signed the gateway in to the {kind} emulator at {url} as the CRM admin",
                    kind=kind,
                    url=crm.base_url,
                )
            )
            if state:
                from linkus_companion.gateway.leadership import Leadership

                await world.gateway.listen(tls=tls)
                await world.gateway.lead(Leadership(state, holder="replica-a", poll=0.1))
            else:
                await world.gateway.start(tls=tls)
            await asyncio.wait_for(world.gateway.host.connected(), 10)
            say(Text("gateway listening on {url}", url=world.url))
            try:
                yield world
            finally:
                for backend in world.desktops.values():
                    await backend.stop()
                await world.gateway.stop()
    finally:
        store.close()
        await crm.stop()
        await pbx_sim.stop()


async def _signed_in(crm: CrmEmulator, http: httpx.AsyncClient) -> Connector:
    """The admin's CRM grant, through the OAuth loopback flow against the emulator."""
    grants = OAuthGrants(crm.oauth_provider(), crm.oauth_credentials(), http, SecretStore("gateway"))
    redirect = f"http://localhost:{free_port()}/oauth/callback"
    crm.allow_redirect(redirect)
    await grants.authorize(approving_browser(http), redirect_uri=redirect, give_up_after=20)
    return crm.connector(http, grants)


async def run_gateway_headless(kind: str, calls: int, say: Callable[[str], None]) -> dict[str, Any]:
    """The embedded demo's scripted calls through a gateway and four desktops; the same report."""
    with tempfile.TemporaryDirectory(prefix="linkus-gateway-demo-") as tmp, demo.throwaway_keyring():
        async with gateway_world(kind, Path(tmp), say) as world:
            for extension in DESKTOPS:
                await world.desktop(extension, say)
            say(Text("desktops {desktops} enrolled and connected", desktops=", ".join(DESKTOPS)))
            host = world.gateway.host
            for unbound in host.bindings.unbound:
                say(
                    Text(
                        "extension {extension} is not bound: {why}",
                        extension=unbound.extension,
                        why=unbound.reason,
                    )
                )
            view = demo.DemoWorld(world.pbx, world.crm, world.people, host, PrintingOpener(say))
            placed = await demo.play_script(view, calls, say)
            return await settled_report(world, view, placed, kind, say, "gateway")


async def settled_report(
    world: GatewayWorld,
    view: demo.DemoWorld,
    placed: list[scenario.Expected],
    kind: str,
    say: Callable[[str], None],
    topology: str,
) -> dict[str, Any]:
    """Let the engine of `view.host` and the desktops finish, then the demo's report with every desktop's pops."""
    await view.host.engine.settled()  # lookups and pops still in flight finish
    for backend in world.desktops.values():
        await backend.flush()
    pops = [pop for opener in world.openers.values() for pop in opener.pops]
    await demo.wait_delivered(view, scenario.expected_keys(placed), say)
    report = scenario.report(kind, placed, world.crm, world.people, pops)
    report["topology"] = topology
    return report
