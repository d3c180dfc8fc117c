"""The Yeastar P-Series PBX simulator: Open API, WebSocket events and scripted calls on 127.0.0.1."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from linkus_companion.serving import RunningServer, start_server
from linkus_companion.sim import pbx_scenarios as scenarios
from linkus_companion.sim.pbx_auth import LoginGuard, TokenStore, random_token
from linkus_companion.sim.pbx_calls import CallEngine
from linkus_companion.sim.pbx_cdr import CdrStore
from linkus_companion.sim.pbx_clock import PbxClock
from linkus_companion.sim.pbx_directory import Directory, seeded
from linkus_companion.sim.pbx_events import EventHub
from linkus_companion.sim.pbx_faults import ApiFaults
from linkus_companion.sim.pbx_http import build_app
from linkus_companion.sim.pbx_media import DownloadTickets
from linkus_companion.tls import TlsFiles

__all__ = ["PbxSimulator"]


class PbxSimulator:
    """A faithful local Yeastar P-Series PBX (see /work/shared/api/yeastar.md) with call scripting."""

    def __init__(
        self,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        tls: TlsFiles | None = None,
        idle_timeout: float = 60.0,
        access_ttl: float = 1800,
        refresh_ttl: float = 86400,
        step: float = 0.2,
        firmware: str = "83.21.0.66",
        sn: str = "3631A2124XXX",
        tz: dt.tzinfo = dt.UTC,
        date_format: str = "YYYY/MM/DD",
        time_format: str = "hh:mm:ss",
        directory: Directory | None = None,
    ) -> None:
        self.client_id = client_id or random_token()
        self.client_secret = client_secret or random_token()
        self.tls = tls
        self.firmware = firmware
        self.sn = sn
        self.clock = PbxClock(tz, date_format, time_format)
        self.tokens = TokenStore(self.clock.now, access_ttl, refresh_ttl)
        self.guard = LoginGuard()
        self.hub = EventHub(self.tokens, sn, idle_timeout, self.clock.now)
        self.directory = directory or seeded()
        self.cdr_store = CdrStore(self.clock)
        self.calls = CallEngine(self.hub, self.directory, self.clock, self.cdr_store, step)
        self.tickets = DownloadTickets(self.clock.now, firmware)
        self.downloads_flowing = asyncio.Event()
        self.downloads_flowing.set()
        self.recording_bytes: int | None = None
        """When set, every recording downloads as a WAV of this many bytes, generated as it streams
        (long calls: the real PBX keeps hours of audio; memory benchmarks)."""
        self.dial_results: dict[str, str] = {}
        """call/dial outcome per callee number (answered|busy|no_answer|failed; default answered)."""
        self.dial_talk = 1.0
        """Seconds a call/dial call talks before the far end hangs up."""
        self.dialled: list[tuple[str, str]] = []
        """Every accepted call/dial as (caller, callee), in order."""
        self.api_faults = ApiFaults()
        """Open API endpoints made to fail (dropped or held connections) until cleared."""
        self._booted = self.clock.now()
        self._server: RunningServer | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._address = ("127.0.0.1", 0)
        self._url = ""

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve the Open API, the subscribe socket and the control API on host:port (0 = any)."""
        self._server = await start_server(build_app(self), host, port, self.tls)
        self._address = (self._server.host, self._server.port)
        self._url = self._server.base_url

    async def stop(self) -> None:
        """Stop calls in progress, close sockets and the server (no client gets back in meanwhile)."""
        for task in list(self._background):
            task.cancel()
        if self._server is not None:
            self._server.stop_accepting()
        await self.calls.stop()
        await self.hub.close_all()
        if self._server is not None:
            await self._server.stop()
            self._server = None

    async def disconnect(self) -> None:
        """The network between the PBX and its clients fails: every connection drops and none gets
        through until `reconnect()`; calls on the PBX go on."""
        server = self._server
        if server is None:
            return
        server.stop_accepting()
        self.hub.drop_all()
        await self.hub.wait_empty()
        await server.stop()
        self._server = None

    async def reconnect(self) -> None:
        """The network is back: serve again on the same address."""
        if self._server is None:
            host, port = self._address
            self._server = await start_server(build_app(self), host, port, self.tls)

    async def shut_down(self) -> None:
        """The PBX goes down: connections drop, calls in progress are cut (each still gets its CDR),
        tokens are lost; the CDR, recordings and configuration survive for `reconnect()`."""
        cut = self.calls.hang_up_all()
        await self.disconnect()
        await cut
        self.tokens.expire_all()
        self._booted = self.clock.now()

    async def restart(self, down: float = 1.0) -> None:
        """Reboot: `shut_down()`, `down` seconds away, then back on the same address."""
        await self.shut_down()
        await asyncio.sleep(down)
        await self.reconnect()

    def restart_soon(self, down: float = 1.0) -> None:
        """Start `restart(down)` in the background (the control API answers before going down)."""
        task = asyncio.create_task(self.restart(down))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def __aenter__(self) -> PbxSimulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """`http(s)://host:port`, no trailing slash (also while it is disconnected)."""
        if not self._url:
            raise RuntimeError("the simulator is not running")
        return self._url

    @property
    def api_url(self) -> str:
        """`{base_url}/openapi/v1.0`."""
        return f"{self.base_url}/openapi/v1.0"

    @property
    def ws_url(self) -> str:
        """`ws(s)://host:port/openapi/v1.0/subscribe` (append `?access_token=`)."""
        return f"{self.base_url.replace('http', 'ws', 1)}/openapi/v1.0/subscribe"

    # -- scripted calls ----------------------------------------------------------------------

    async def inbound(
        self,
        caller: str,
        extension: str,
        *,
        answer: bool = True,
        hold: bool = False,
        talk: float = 1.0,
        record: bool = True,
        did: str | None = None,
    ) -> str:
        """External caller -> extension (answered or not); returns the call_id after the 30012."""
        return await self.calls.play(
            *scenarios.inbound(
                self.calls, caller, extension, answer=answer, hold=hold, talk=talk, record=record, did=did
            )
        )

    async def inbound_queue(
        self, caller: str, queue: str = "6400", *, answered_by: str | None, talk: float = 1.0
    ) -> str:
        """External caller -> queue; every agent rings, `answered_by` answers (None: nobody)."""
        return await self.calls.play(
            *scenarios.inbound_queue(self.calls, caller, queue, answered_by=answered_by, talk=talk)
        )

    async def inbound_ring_group(
        self, caller: str, group: str = "6300", *, answered_by: str | None, talk: float = 1.0
    ) -> str:
        """External caller -> ring group; every member rings, `answered_by` answers (None: nobody)."""
        return await self.calls.play(
            *scenarios.inbound_ring_group(self.calls, caller, group, answered_by=answered_by, talk=talk)
        )

    async def outbound(
        self, extension: str, callee: str, *, result: str = "answered", talk: float = 1.0
    ) -> str:
        """Extension -> external number: answered, busy, no_answer or failed."""
        return await self.calls.play(
            *scenarios.outbound(self.calls, extension, callee, result=result, talk=talk)
        )

    async def internal(
        self, caller_ext: str, callee_ext: str, *, answer: bool = True, talk: float = 1.0
    ) -> str:
        """Extension -> extension."""
        return await self.calls.play(
            *scenarios.internal(self.calls, caller_ext, callee_ext, answer=answer, talk=talk)
        )

    async def blind_transfer(
        self, caller: str, extension: str, to_extension: str, *, talk: float = 1.0
    ) -> str:
        """Inbound call answered by `extension`, blind-transferred to `to_extension` (same call_id)."""
        return await self.calls.play(
            *scenarios.blind_transfer(self.calls, caller, extension, to_extension, talk=talk)
        )

    async def attended_transfer(
        self, caller: str, extension: str, to_extension: str, *, talk: float = 1.0
    ) -> str:
        """Inbound call answered by `extension`, held, consulted and handed to `to_extension`."""
        return await self.calls.play(
            *scenarios.attended_transfer(self.calls, caller, extension, to_extension, talk=talk)
        )

    async def voicemail(self, caller: str, extension: str, *, talk: float = 1.0) -> str:
        """Inbound call nobody answers; the caller leaves a voicemail (status VOICEMAIL)."""
        return await self.calls.play(*scenarios.voicemail(self.calls, caller, extension, talk=talk))

    # -- faults and inspection ---------------------------------------------------------------

    async def drop_connections(self) -> None:
        """Drop every open WebSocket without a close frame; the server keeps running."""
        self.hub.drop_all()
        await self.hub.wait_empty()

    def expire_tokens(self) -> None:
        """Every access token becomes expired now (open sockets get a 10004 frame and close)."""
        self.tokens.expire_all()
        self.hub.tokens_changed()

    @property
    def stall_heartbeats(self) -> bool:
        """When True, `heartbeat` frames get no answer (and do not count as interaction)."""
        return self.hub.stall_heartbeats

    @stall_heartbeats.setter
    def stall_heartbeats(self, value: bool) -> None:
        self.hub.stall_heartbeats = value

    @property
    def stall_downloads(self) -> bool:
        """When True, recording downloads send their headers but no body until set back to False."""
        return not self.downloads_flowing.is_set()

    @stall_downloads.setter
    def stall_downloads(self, value: bool) -> None:
        if value:
            self.downloads_flowing.clear()
        else:
            self.downloads_flowing.set()

    @property
    def stall_cdrs(self) -> bool:
        """When True, calls that end keep their CDR (and 30012) until set back to False: a PBX whose
        call-record writer lags; `shut_down()` waits for the CDRs, so clear it first."""
        return not self.calls.cdrs_flowing.is_set()

    @stall_cdrs.setter
    def stall_cdrs(self, value: bool) -> None:
        if value:
            self.calls.cdrs_flowing.clear()
        else:
            self.calls.cdrs_flowing.set()

    @property
    def blocked_ips(self) -> set[str]:
        """IPs blocked after failed logins (discard one to unblock it)."""
        return self.guard.blocked_ips

    def live_tokens(self) -> int:
        """Number of valid access tokens."""
        return self.tokens.live_tokens()

    def cdr(self) -> list[dict[str, Any]]:
        """REST CDR rows so far (as cdr/list returns them)."""
        return self.cdr_store.rows()

    def system_information(self) -> dict[str, Any]:
        """The `data` of system/information."""
        now = self.clock.now()
        return {
            "device_name": "Yeastar P-Series Simulator",
            "model_name": "P-Series Software Edition",
            "sn": self.sn,
            "hardware_version": "",
            "firmware_version": self.firmware,
            "system_time": self.clock.system_time(now),
            "up_time": int((now - self._booted).total_seconds()),
            "system_date_format": self.clock.date_format,
            "system_time_format": self.clock.time_format,
            "timestamp": int(now.timestamp()),
        }

    async def system_event(self, event_type: int, name: str, kind: str, level: str, content: str) -> None:
        """Publish a 30034-30036 system event (`msg` is an object)."""
        await self.hub.publish(
            event_type,
            {
                "event_name": name,
                "event_type": kind,
                "event_level": level,
                "event_content": content,
                "create_time": self.clock.system_time(self.clock.now()),
            },
        )
