"""The app between the PBX simulator and a CRM emulator, the faults it must come back from, and the calls to count
(tests/engine/test_recovery.py and the soak benchmark share them)."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from benchmarks._rig import memory_keyring
from linkus_companion.config.settings import Settings
from linkus_companion.config.userfile import UserFile
from linkus_companion.crm.base import AccessGrant, Connector, GrantSource
from linkus_companion.crm.hubspot import HubSpotConnector, SearchPacer
from linkus_companion.crm.oauth import OAuthGrants
from linkus_companion.engine.host import EngineHost
from linkus_companion.engine.policies import Policies
from linkus_companion.engine.screen_pop import PopRequest
from linkus_companion.pbx.client import PbxClient
from linkus_companion.pbx_token_keyring import KeyringTokenVault
from linkus_companion.secrets import SecretStore
from linkus_companion.serving import free_port
from linkus_companion.sim import pbx_scenarios as scenarios
from linkus_companion.sim.browser import approving_browser
from linkus_companion.sim.crm_emulator import CrmEmulator
from linkus_companion.sim.hubspot import HubSpotEmulator
from linkus_companion.sim.hubspot_api import DISPOSITIONS
from linkus_companion.sim.hubspot_api import Fault as HubSpotFault
from linkus_companion.sim.pbx import PbxSimulator
from linkus_companion.sim.pbx_calls import Call, CallEngine, Script
from linkus_companion.sim.pbx_oracle import Due, Tally, due_logs, tally
from linkus_companion.sim.salesforce import SalesforceEmulator
from linkus_companion.sim.zoho import ZohoEmulator
from linkus_companion.store import Store

STEP = 0.05
"""Seconds: one ring step of the simulator."""
CUSTOMER = "+1415555{:04d}"
STRANGER = "+1628555{:04d}"
CRMS = ("hubspot", "salesforce", "zoho")
MISSED_OUTCOMES = {
    "hubspot": {guid for guid, name in DISPOSITIONS.items() if name == "No answer"},
    "salesforce": {"No Answer"},
    "zoho": {"No response"},
}
"""Each CRM's call outcome value for a missed call (HubSpot's disposition, CallDisposition, Call_Result)."""
SEARCH_RATE = 1000
"""HubSpot searches per second the emulator allows and our connector paces to in these tests."""


def emulator(kind: str) -> CrmEmulator:
    """A CRM emulator without sample data and with room for every request a test makes."""
    if kind == "hubspot":
        return HubSpotEmulator(seed=False, search_rate=SEARCH_RATE, burst_limit=100_000)
    if kind == "salesforce":
        return SalesforceEmulator(seed=False)
    return ZohoEmulator(seed=False, credits=10_000_000, concurrency=1_000)


def connector(crm: CrmEmulator, http: httpx.AsyncClient, grants: GrantSource | None = None) -> Connector:
    """Our connector with the administrator's grant (default: the emulator's ready token); on HubSpot
    searches paced to the emulator's (raised) search limit instead of the real 4 per second, so hundreds
    of calls finish in seconds."""
    grants = grants or FixedGrant(admin_grant(crm))
    if isinstance(crm, HubSpotEmulator):
        pacer = SearchPacer(rate=SEARCH_RATE, period=1.0)
        return HubSpotConnector(http, grants, hub_id=str(crm.hub_id), web_base=crm.base_url, pacer=pacer)
    return crm.connector(http, grants)


def admin_grant(crm: CrmEmulator) -> AccessGrant:
    """The signed-in administrator's grant."""
    if isinstance(crm, HubSpotEmulator):
        return AccessGrant(crm.admin_token, crm.base_url, {"hub_id": str(crm.hub_id)})
    if isinstance(crm, SalesforceEmulator):
        return AccessGrant(crm.session_for(crm.admin_user_id), crm.base_url)
    assert isinstance(crm, ZohoEmulator)
    return AccessGrant(crm.admin_token, crm.base_url, {"web_base": crm.web_url})


@dataclass
class FixedGrant:
    """The emulator's ready admin token."""

    grant: AccessGrant

    async def current(self) -> AccessGrant:
        return self.grant

    async def refreshed(self, stale: AccessGrant) -> AccessGrant:
        return self.grant


@dataclass
class Discard:
    """The headless browser: pops are not what these tests count."""

    pops: list[PopRequest] = field(default_factory=list)

    def open(self, request: PopRequest) -> None:
        self.pops.append(request)


@dataclass
class App:
    """One run of the app (a process): its own clients, the shared database file."""

    host: EngineHost
    http: httpx.AsyncClient
    pbx: PbxClient
    grants: GrantSource

    async def stop(self) -> None:
        """A clean exit."""
        await self.host.stop()
        await self.pbx.close()
        await self.http.aclose()

    async def kill(self) -> None:
        """SIGKILL: every task dies where it stands; nothing is flushed, no token is revoked."""
        host = self.host
        stream = host._stream
        tasks = [*host._tasks, *host.engine._tasks]
        if stream is not None and stream._task is not None:
            tasks.append(stream._task)
        if host.late_recordings is not None and host.late_recordings._worker is not None:
            tasks.append(host.late_recordings._worker)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if host._server is not None:
            await host._server.stop()
        await self.pbx._transport.aclose()
        await self.http.aclose()


@dataclass
class World:
    """The PBX, the CRM and the app between them."""

    pbx: PbxSimulator
    crm: CrmEmulator
    home: Path
    store: Store
    owners: dict[str, str]
    contacts: dict[str, str]
    recording_base: str
    app: App | None = None
    customers: int = 0
    names: dict[str, str] = field(default_factory=dict)
    """Call id -> what the test made of it, for failure messages."""
    round: str = ""
    """Which round of a soak the calls placed now belong to (", round 3: sigkill"), for the messages."""
    _at_count: tuple[dict[str, str], list[str]] = ({}, [])
    """What the outbox still held and which calls were open when `settled` counted."""
    signed_in: bool = False
    """The app holds a grant from the CRM's OAuth sign-in (kept in the keyring, refreshed when it
    expires), not the emulator's ready token."""

    async def start_app(self) -> None:
        """Start the app (again) on the same database and settings."""
        settings = Settings(UserFile(self.home / "settings.json"))
        ca = self.crm.ca_file
        http = httpx.AsyncClient(timeout=10, verify=ssl.create_default_context(cafile=ca) if ca else True)
        pbx = PbxClient(self.pbx.base_url, self.pbx.client_id, self.pbx.client_secret)
        pbx.keep_own_tokens_in(
            KeyringTokenVault(SecretStore(), pbx.base_url, self.pbx.client_id)
        )  # as run does
        grants: GrantSource = FixedGrant(admin_grant(self.crm))
        if self.signed_in:
            grants = OAuthGrants(self.crm.oauth_provider(), self.crm.oauth_credentials(), http, SecretStore())
        host = EngineHost(
            pbx=pbx,
            connector=connector(self.crm, http, grants),
            store=self.store,
            policies=Policies.from_settings(settings),
            opener=Discard(),
            crm_web_origins=(self.crm.web_origin,),
            recording_base=self.recording_base,
            stream_options={"backoff_initial": 0.05, "backoff_max": 0.2},
            outbox_options={"backoff_base": 0.05, "backoff_cap": 0.2, "lease": 0.5, "quota_poll": 0.3},
            watch_every=0.05,
        )
        self.app = App(host, http, pbx, grants)
        await host.start()

    async def sign_in(self) -> None:
        """The administrator signs in to the CRM through its OAuth pages (the grant goes to the keyring);
        the app started from now on uses and refreshes that grant."""
        ca = self.crm.ca_file
        async with httpx.AsyncClient(
            timeout=10, verify=ssl.create_default_context(cafile=ca) if ca else True
        ) as http:
            grants = OAuthGrants(self.crm.oauth_provider(), self.crm.oauth_credentials(), http, SecretStore())
            redirect = f"http://localhost:{free_port()}/oauth/callback"
            self.crm.allow_redirect(redirect)
            await grants.authorize(approving_browser(http), redirect_uri=redirect, give_up_after=20)
        self.signed_in = True

    async def connected(self) -> None:
        assert self.app is not None
        await asyncio.wait_for(self.app.host.connected(), 10)

    def customer(self) -> str:
        """A new caller who is a contact in the CRM."""
        self.customers += 1
        number = CUSTOMER.format(self.customers)
        self.contacts[number] = self.crm.seed_contact(number, "Customer", str(self.customers))
        return number

    def stranger(self) -> str:
        """A new caller the CRM has no record of."""
        self.customers += 1
        return STRANGER.format(self.customers)

    async def settled(self, bound: float = 20.0) -> Tally:
        """The count once every PBX call is over and the app is idle (`idle`), or when `bound` seconds have
        passed (then `held` tells the logs still waiting from the lost ones)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + bound
        while loop.time() < deadline and (self.pbx.calls.live or not self.idle()):  # noqa: ASYNC110 (no event for it)
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # a double would arrive now
        result = self.count(due_logs(self.pbx.cdr_store.records, self.owners))
        self._at_count = (self._undelivered(), self.open_calls())  # `explain` may come after the app stopped
        return result

    def idle(self) -> bool:
        """The app has taken in every PBX event, holds no call open, and its outbox is empty."""
        if self.app is None:
            return False
        host = self.app.host
        stream = host._stream
        return (
            stream is not None
            and stream.caught_up()
            and not host.engine._enders
            and not self.open_calls()
            and not host.outbox.status().waiting
        )

    def without_cdr(self) -> list[str]:
        """The calls placed that the PBX kept no CDR of (the count would owe them nothing), by name."""
        recorded = {record.call_id for record in self.pbx.cdr_store.records}
        return [f"no CDR: {name}" for call_id, name in self.names.items() if call_id not in recorded]

    def open_calls(self) -> list[str]:
        """The calls the app holds open (seen, not yet logged or found to need no log), by name."""
        if self.app is None:
            return []
        return [self.names.get(c.call_id, c.call_id) for c in self.app.host.journal.open_calls()]

    def count(self, due: list[Due]) -> Tally:
        with self.store.transaction() as db:
            links = {
                str(link): str(call)
                for link, call in db.execute("SELECT link_id, call_id FROM recording_links")
            }
        logs = self.crm.call_logs()
        missed = MISSED_OUTCOMES[self.crm.kind]
        return tally(
            due, logs, self.owners, self.contacts, recordings=True, missed_outcomes=missed, link_calls=links
        )

    def held(self, result: Tally) -> dict[str, str]:
        """Of the logs not in the CRM, those still in the outbox: what it says of each, by key."""
        held = self._at_count[0]
        return {key: held[key] for key in result.lost if key in held}

    def explain(self, result: Tally) -> str:
        """The count with each faulty log named by the call the test made: a log not in the CRM is
        "waiting" while the outbox holds it (late), "lost" when it never reached the outbox."""
        lines = [str(result.summary())]
        held = self.held(result)
        if held:
            lines.append(f"{len(held)} logs still waiting in the outbox (attempts, last error)")
        problems = (
            "lost",
            "doubled",
            "unexpected",
            "wrong_owner",
            "wrong_link",
            "no_recording",
            "wrong_outcome",
            "wrong_recording",
        )
        for problem in problems:
            for key in getattr(result, problem):
                call_id, extension = key.split(":")
                label, where = problem, ""
                if problem == "lost":
                    label, where = (
                        ("waiting", f" ({held[key]})") if key in held else ("lost", " (not in the outbox)")
                    )
                lines.append(
                    f"{label}: {self.names.get(call_id, call_id)} [{call_id}] for {extension}{where}"
                )
        still_open = self._at_count[1]
        if still_open:
            lines.append(f"{len(still_open)} calls still open in the app: {', '.join(still_open[:20])}")
        return "\n".join(lines)

    def _undelivered(self) -> dict[str, str]:
        """What the outbox says of each call log it still holds, by key (`call_id:extension`)."""
        if self.app is None:
            return {}
        return {
            job.key: f"{'parked' if job.parked else 'waiting'} in the outbox after {job.attempts} attempt(s)"
            + (f": {job.last_error}" if job.last_error else "")
            for job in self.app.host.outbox.pending()
        }


@contextlib.asynccontextmanager
async def world(home: Path, kind: str, *, signed_in: bool = False) -> AsyncIterator[World]:
    """Simulators up, every extension bound to a CRM user of the same e-mail, the app running (with
    `signed_in`, on a grant from the CRM's OAuth sign-in instead of the emulator's ready token)."""
    pbx = PbxSimulator(step=STEP)
    await pbx.start()
    crm = emulator(kind)
    await crm.start()
    owners = {
        number: crm.add_user(ext.first_name, ext.last_name, ext.email_addr)
        for number, ext in pbx.directory.extensions.items()
    }
    settings = Settings(UserFile(home / "settings.json"))
    options = {
        "pop.enabled": False,
        "calllog.skip_unanswered_agents": True,
        "calllog.recording_delivery": "link",
    }
    for key, value in options.items():
        settings.set_user(key, value)
    store = Store.open(home / "app.db")
    w = World(pbx, crm, home, store, owners, {}, f"http://127.0.0.1:{free_port()}")
    try:
        with memory_keyring():  # the app's saved PBX token pair: never the user's keyring
            try:
                if signed_in:
                    await w.sign_in()
                await w.start_app()
                await w.connected()
                yield w
            finally:
                if w.app is not None:
                    with contextlib.suppress(Exception):
                        await w.app.stop()
    finally:
        store.close()
        await crm.stop()
        await pbx.stop()


SHORT, LONG, CDR_LAG, GAP = 0.2, 1.0, 1.0, 0.4
"""Seconds: a short and a long talk, how late the CDR of an 'ended before its CDR' call comes, and how
long a fault lasts at least."""

Shape = Callable[[CallEngine, str, float], tuple[Call, Script]]
SHAPES: dict[str, Shape] = {
    "inbound answered": lambda e, c, t: scenarios.inbound(e, c, "1001", talk=t),
    "inbound missed": lambda e, c, t: scenarios.inbound(e, c, "1002", answer=False),
    "inbound unknown caller": lambda e, c, t: scenarios.inbound(e, c, "1004", talk=t),
    "outbound": lambda e, c, t: scenarios.outbound(e, "1003", c, talk=t),
    "queue answered": lambda e, c, t: scenarios.inbound_queue(e, c, "6400", answered_by="1002", talk=t),
    "queue unanswered": lambda e, c, t: scenarios.inbound_queue(e, c, "6400", answered_by=None),
    "ring group answered": lambda e, c, t: scenarios.inbound_ring_group(
        e, c, "6300", answered_by="1005", talk=t
    ),
    "ring group unanswered": lambda e, c, t: scenarios.inbound_ring_group(e, c, "6300", answered_by=None),
    "blind transfer 1003->1004": lambda e, c, t: scenarios.blind_transfer(e, c, "1003", "1004", talk=t),
    "attended transfer 1001->1005": lambda e, c, t: scenarios.attended_transfer(e, c, "1001", "1005", talk=t),
    "voicemail": lambda e, c, t: scenarios.voicemail(e, c, "1005", talk=t),
    "internal": lambda e, c, t: scenarios.internal(e, "1002", "1004", talk=t),
}
STRANGERS = {"inbound unknown caller"}
"""Shapes whose caller is in no CRM record (their log links to nothing; the app creates none)."""
ANSWERED = {
    "inbound answered",
    "inbound unknown caller",
    "outbound",
    "queue answered",
    "ring group answered",
    "voicemail",
} | {name for name in SHAPES if "transfer" in name}
"""Shapes whose call is answered (the 'talking' phase applies to them)."""


async def _kill(w: World) -> Callable[[], Awaitable[None]]:
    assert w.app is not None
    await w.app.kill()
    return w.start_app


async def _pbx_restart(w: World) -> Callable[[], Awaitable[None]]:
    await w.pbx.shut_down()
    return w.pbx.reconnect


async def _ws_drop(w: World) -> Callable[[], Awaitable[None]]:
    await w.pbx.disconnect()
    return w.pbx.reconnect


async def _token_expiry(w: World) -> Callable[[], Awaitable[None]]:
    w.pbx.expire_tokens()
    await w.pbx.disconnect()
    return w.pbx.reconnect


async def _crm_outage(w: World) -> Callable[[], Awaitable[None]]:
    w.crm.set_outage(True)

    async def back() -> None:
        w.crm.set_outage(False)

    return back


LOST_ANSWERS, STORM = 3, 5000
"""A rate-limit storm: the answers of this many POSTs are lost after the CRM did the work, and up to
this many requests are refused while it lasts."""


async def _crm_storm(w: World) -> Callable[[], Awaitable[None]]:
    """The CRM refuses requests for its rate limit (HubSpot and Zoho 429, Salesforce's 403
    REQUEST_LIMIT_EXCEEDED) after losing the answers of a few POSTs it carried out."""
    crm = w.crm
    if isinstance(crm, HubSpotEmulator):
        faults = [
            HubSpotFault(502, method="POST", after_processing=True, remaining=LOST_ANSWERS),
            HubSpotFault(429, retry_after=1.0, remaining=STORM),
        ]
        crm.api.faults.extend(faults)

        async def calm() -> None:
            crm.api.faults[:] = [f for f in crm.api.faults if f not in faults]

        return calm
    if isinstance(crm, SalesforceEmulator):
        crm.fail_next(LOST_ANSWERS, status=502, method="POST", after_processing=True)
        limit = "ConcurrentPerOrgLongTxn Limit exceeded."
        crm.fail_next(STORM, status=403, error_code="REQUEST_LIMIT_EXCEEDED", message=limit)

        async def calm_salesforce() -> None:
            crm._failures.clear()

        return calm_salesforce
    assert isinstance(crm, ZohoEmulator)
    crm.inject(500, "INTERNAL_ERROR", "Internal server error", count=LOST_ANSWERS, after=True, method="POST")
    crm.inject(429, "TOO_MANY_REQUESTS", "you have exceeded the concurrency limit", count=STORM)

    async def calm_zoho() -> None:
        crm.guard.faults.clear()

    return calm_zoho


async def _crm_token_expiry(w: World) -> Callable[[], Awaitable[None]]:
    """The access token the app holds expires at the CRM (its hour is up before the app thought)."""
    assert w.app is not None and w.signed_in, "CRM token expiry needs the OAuth grant (world(signed_in=True))"
    token = (await w.app.grants.current()).access_token
    crm = w.crm
    if isinstance(crm, HubSpotEmulator):
        crm.expire_token(token)
    elif isinstance(crm, SalesforceEmulator):
        crm.expire_sessions(token)
    else:
        assert isinstance(crm, ZohoEmulator)
        crm.expire_access_token(token)

    async def nothing() -> None:
        """The app refreshes the grant itself."""

    return nothing


Fault = Callable[[World], Awaitable[Callable[[], Awaitable[None]]]]
"""Starts a fault; returns what ends it."""
FAULTS: dict[str, Fault] = {
    "sigkill": _kill,
    "pbx restart": _pbx_restart,
    "websocket drop": _ws_drop,
    "token expiry": _token_expiry,
    "crm outage": _crm_outage,
    "crm rate-limit storm": _crm_storm,
    "crm token expiry": _crm_token_expiry,
}


async def until(w: World, calls: Iterable[Call], there: Callable[[Call], bool], what: str) -> None:
    """Wait until every one of `calls` is in the phase (60 s at most: load slows the calls, it does not stop them)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60.0
    while not all(there(c) for c in calls):
        if loop.time() > deadline:
            late = [w.names.get(c.call_id, c.call_id) for c in calls if not there(c)]
            raise AssertionError(f"the calls never reached the phase {what}: {late}")
        await asyncio.sleep(0.005)


def place(
    w: World, phase: str, talk: float, cdr_delay: float | None = None, shapes: Iterable[str] = SHAPES
) -> dict[str, Call]:
    """One call of every shape (or of `shapes`), each from a new caller: a contact in the CRM but for `STRANGERS`."""
    calls = {}
    for name in shapes:
        caller = w.stranger() if name in STRANGERS else w.customer()
        call, script = SHAPES[name](w.pbx.calls, caller, talk)
        call.cdr_delay = cdr_delay
        w.pbx.calls.spawn(call, script)
        calls[name] = call
        w.names[call.call_id] = f"{name} ({phase}{w.round})"
    return calls


async def every_phase(w: World, fault: Fault) -> None:
    """Calls ended before their CDR, talking and ringing when the fault starts; more during it."""
    ended = place(w, "ended before its CDR", SHORT, cdr_delay=CDR_LAG)
    talking = place(w, "talking", LONG)
    await until(w, ended.values(), lambda c: c.hung_up, "ended before CDR")
    await until(w, [talking[name] for name in ANSWERED], lambda c: c.answered is not None, "talking")
    ringing = place(w, "ringing", SHORT)
    await until(w, ringing.values(), lambda c: bool(c.legs), "ringing")
    end = await fault(w)
    during = place(w, "CDR only", SHORT)
    await asyncio.gather(asyncio.sleep(GAP), *(c.finished.wait() for c in during.values()))
    await end()
