"""What each simulator process serves (`_remote`): the PBX simulator, a CRM emulator, the delay proxy.

The PBX child remembers when it published each frame; the CRM child logs every HTTP request its
emulator answers, with the emulator's own time for it, and reaches its listeners only through the
proxy child, whose port it advertises as its own. Times are `time.perf_counter()`, one clock for every
process on the machine (CLOCK_MONOTONIC).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from benchmarks._delay_proxy import DelayProxy
from benchmarks._remote import Channel


@dataclass
class RequestLog:
    """Every HTTP request the emulator answered, in arrival order."""

    requests: list[tuple[str, str, str]] = field(default_factory=list)
    """(method, path, query)."""
    ports: list[int] = field(default_factory=list)
    """The client port each request came from (one per client connection)."""
    served_ms: list[float] = field(default_factory=list)
    """The emulator's own time for each request (request in -> response sent), ms."""

    def wrap(self, app: Any) -> Any:
        """`app`, with each HTTP request logged and timed."""

        async def counted(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            self.requests.append(
                (scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1"))
            )
            self.ports.append(int((scope.get("client") or ("", 0))[1]))
            index = len(self.served_ms)
            self.served_ms.append(0.0)
            started = time.perf_counter()
            try:
                await app(scope, receive, send)
            finally:
                self.served_ms[index] = (time.perf_counter() - started) * 1000

        return counted

    def mark(self) -> int:
        """A position in the log."""
        return len(self.requests)

    def since(self, mark: int) -> list[tuple[str, str, str, int, float]]:
        """(method, path, query, client port, served ms) of each request after `mark`."""
        return [
            (*request, port, ms)
            for request, port, ms in zip(
                self.requests[mark:], self.ports[mark:], self.served_ms[mark:], strict=True
            )
        ]


@dataclass
class _Proxied:
    """A RunningServer reached only through the proxy child: its address is the proxy's."""

    inner: Any
    port: int

    @property
    def host(self) -> str:
        return str(self.inner.host)

    @property
    def scheme(self) -> str:
        return str(self.inner.scheme)

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def stop_accepting(self) -> None:
        self.inner.stop_accepting()

    async def stop(self) -> None:
        await self.inner.stop()


CRM_FACTS = (
    "kind",
    "base_url",
    "web_origin",
    "ca_file",
    "admin_token",
    "admin_refresh_token",
    "oauth_client_id",
    "oauth_client_secret",
    "accounts_server",
)


class CrmSide:
    """The CRM child: one emulator, its request log, its listeners behind the proxy child."""

    def __init__(self, crm: Any, log: RequestLog, proxy: Channel) -> None:
        self.crm = crm
        self.log = log
        self._proxy = proxy

    @classmethod
    async def build(cls, config: dict[str, Any]) -> CrmSide:
        from benchmarks._rig import make_emulator
        from linkus_companion import serving

        kind = config["kind"]
        log = RequestLog()
        proxy = await Channel.connect(config["proxy_port"])
        real = serving.start_server

        async def start(app: Any, *args: Any, **kwargs: Any) -> Any:
            inner = await real(log.wrap(app), *args, **kwargs)
            return _Proxied(inner, await proxy.call("relay", inner.port))

        crm = make_emulator(kind, real_limits=config.get("real_limits", False))
        with mock.patch(f"linkus_companion.sim.{kind}.start_server", start):
            await crm.start()
        return cls(crm, log, proxy)

    async def facts(self) -> dict[str, Any]:
        """Addresses and credentials the benchmark and the SDK baselines use (None where this CRM has none)."""
        facts = {name: getattr(self.crm, name, None) for name in CRM_FACTS}
        facts["ca_file"] = str(facts["ca_file"]) if facts["ca_file"] else None
        return facts

    def searches_served_since(self, mark: int) -> float:
        """The emulator's own time (ms) for the searches after `mark`."""
        from benchmarks._rig import classify

        return sum(
            ms
            for method, path, query, _, ms in self.log.since(mark)
            if classify(method, path, query) == "search"
        )

    async def close(self) -> None:
        await self.crm.stop()
        await self._proxy.close()


@dataclass
class FrameClock:
    """When the PBX simulator published each frame (perf_counter)."""

    frames: list[tuple[float, int, dict[str, Any]]] = field(default_factory=list)
    """(published at, event type, message), in order."""

    def install(self, pbx: Any) -> None:
        hub = pbx.hub
        publish = hub.publish

        async def timed(event_type: int, msg: dict[str, Any]) -> None:
            self.frames.append((time.perf_counter(), event_type, msg))
            await publish(event_type, msg)

        hub.publish = timed

    def of(self, call_id: str) -> list[tuple[float, int, dict[str, Any]]]:
        """The frames of `call_id`, in order."""
        return [frame for frame in self.frames if frame[2].get("call_id") == call_id]


class PbxSide:
    """The PBX child: the simulator and its frame clock."""

    def __init__(self, sim: Any, frames: FrameClock) -> None:
        self.sim = sim
        self.frames = frames

    @classmethod
    async def build(cls, config: dict[str, Any]) -> PbxSide:
        from linkus_companion.sim.pbx import PbxSimulator

        sim = PbxSimulator(step=config["step"], directory=config.get("directory"))
        await sim.start()
        frames = FrameClock()
        frames.install(sim)
        return cls(sim, frames)

    async def facts(self) -> dict[str, Any]:
        sim = self.sim
        return {
            "base_url": sim.base_url,
            "client_id": sim.client_id,
            "client_secret": sim.client_secret,
            "extensions": {n: [e.caller_id_name, e.email_addr] for n, e in sim.directory.extensions.items()},
        }

    async def close(self) -> None:
        await self.sim.stop()


class ProxySide:
    """The proxy child: a delay proxy per CRM listener, all delayed by one RTT."""

    def __init__(self) -> None:
        self.rtt = 0.0
        self.proxies: list[DelayProxy] = []

    @classmethod
    async def build(cls, config: dict[str, Any]) -> ProxySide:
        side = cls()
        side.rtt = float(config.get("rtt", 0.0))
        return side

    async def facts(self) -> dict[str, Any]:
        return {}

    async def relay(self, target_port: int) -> int:
        """Start a proxy in front of 127.0.0.1:`target_port`; returns the port clients use."""
        proxy = DelayProxy(target_port, lambda: self.rtt / 2)
        await proxy.start()
        self.proxies.append(proxy)
        return proxy.port

    def set_rtt(self, seconds: float) -> None:
        """Each chunk waits `seconds / 2` in each direction from now on."""
        self.rtt = seconds

    def connections(self) -> int:
        """TCP connections clients opened so far."""
        return sum(p.connections for p in self.proxies)

    async def close(self) -> None:
        for proxy in self.proxies:
            await proxy.stop()


ROLES: dict[str, Callable[[dict[str, Any]], Awaitable[Any]]] = {
    "crm": CrmSide.build,
    "pbx": PbxSide.build,
    "proxy": ProxySide.build,
}
