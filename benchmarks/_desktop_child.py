"""Child process for the desktop benchmarks: the floor app or the real desktop app, reporting JSON lines.

`floor`: a bare PySide6 window and tray on qasync with httpx, websockets, keyring and phonenumbers imported,
then (given the simulators' settings) a PBX login beside one CRM request and the PBX event subscription.
`app`: the desktop app (`run_app`, offscreen) on a LocalBackend whose engine talks to the simulators the
parent runs (settings given as JSON on stdin). Both print `{"event": "ready", ...}` once up, then idle;
`app` then follows the parent's commands on stdin (`lag SECONDS`, `rest SECONDS`, `prepare`, `calls N`, `modules`, `quit`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from typing import Any

START = time.perf_counter()
if os.environ.get("BENCH_START_PROFILE"):  # cProfile from here to "ready" (where the start's time goes)
    import cProfile

    _START_PROFILE: cProfile.Profile | None = cProfile.Profile()
    _START_PROFILE.enable()
else:
    _START_PROFILE = None


def say(event: str, **fields: Any) -> None:
    """One JSON line to the parent (with None's reference count: PySide6 6.12 on CPython 3.11 drops one
    per void method call, and the process aborts with `none_dealloc` when it reaches zero)."""
    global _START_PROFILE
    if event == "ready" and _START_PROFILE is not None:
        _START_PROFILE.disable()
        _START_PROFILE.dump_stats(os.environ["BENCH_START_PROFILE"])
        _START_PROFILE = None
    doc = {"event": event, "t": round(time.perf_counter() - START, 4), "none_refs": sys.getrefcount(None)}
    print(json.dumps({**doc, **fields}), flush=True)


def guard_none() -> None:
    """With BENCH_NONE_GUARD=1 (CPython < 3.12), lift None's refcount out of reach of that leak."""
    if os.environ.get("BENCH_NONE_GUARD") == "1" and sys.version_info < (3, 12):
        import ctypes

        ctypes.c_ssize_t.from_address(id(None)).value += 1 << 40


def rss_mb() -> float:
    for line in open("/proc/self/status", encoding="ascii"):
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


async def probe_lag(seconds: float, interval: float = 0.005) -> list[float]:
    """How late the loop wakes a coroutine sleeping `interval` (ms), for `seconds`."""
    lags: list[float] = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        before = time.perf_counter()
        await asyncio.sleep(interval)
        lags.append(max(0.0, (time.perf_counter() - before - interval) * 1000))
    return lags


_PROFILES: list[str] = []


@contextlib.contextmanager
def profiled() -> Iterator[None]:
    """With BENCH_PROFILE=PATH, cProfile the block and write its stats to PATH (where the loop's time goes)."""
    path = os.environ.get("BENCH_PROFILE")
    if path and "{n}" in path:  # one file per block: PATH with {n} = 1, 2, ...
        _PROFILES.append(path)
        path = path.format(n=len(_PROFILES))
    if not path:
        yield
        return
    import cProfile

    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        profile.dump_stats(path)


def deep_size(root: object, limit: int = 2_000_000) -> int:
    """Bytes of `root` and what only it reaches (approximate: stops at modules, classes, functions, Qt objects)."""
    import gc
    import types

    skip = (type, types.ModuleType, types.FunctionType, types.MethodType, types.BuiltinFunctionType)
    seen: set[int] = set()
    stack = [root]
    total = 0
    while stack and len(seen) < limit:
        obj = stack.pop()
        if (
            id(obj) in seen
            or isinstance(obj, skip)
            or type(obj).__module__.startswith(("PySide6", "shiboken"))
        ):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        stack.extend(gc.get_referents(obj))
    return total


def malloc_stats() -> dict[str, float]:
    """glibc's mallinfo2 in MB: the main heap (arena), its free chunks, mmapped blocks, what is in use."""
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [
            (name, ctypes.c_size_t)
            for name in (
                "arena",
                "ordblks",
                "smblks",
                "hblks",
                "hblkhd",
                "usmblks",
                "fsmblks",
                "uordblks",
                "fordblks",
                "keepcost",
            )
        ]

    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallInfo2
    info = libc.mallinfo2()
    mb = 1024 * 1024
    return {
        "arena_mb": round(info.arena / mb, 2),
        "in_use_mb": round(info.uordblks / mb, 2),
        "free_mb": round(info.fordblks / mb, 2),
        "free_chunks": info.ordblks,
        "mmapped_mb": round(info.hblkhd / mb, 2),
        "top_releasable_mb": round(info.keepcost / mb, 2),
    }


def free_chunk_sizes() -> dict[str, list[float]]:
    """glibc's free chunks by size (malloc_info), bucketed: {bucket: [count, MB]}."""
    import ctypes
    import re
    import tempfile

    libc = ctypes.CDLL("libc.so.6")
    libc.fopen.restype = ctypes.c_void_p
    libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
    libc.fclose.argtypes = [ctypes.c_void_p]
    with tempfile.NamedTemporaryFile(suffix=".xml") as out:
        handle = libc.fopen(out.name.encode(), b"w")
        libc.malloc_info(0, handle)
        libc.fclose(handle)
        xml = open(out.name, encoding="ascii").read()
    buckets: dict[str, list[float]] = {}
    for _from, size_to, total, count in re.findall(
        r'<size from="(\d+)" to="(\d+)" total="(\d+)" count="(\d+)"/>', xml
    ):
        top = int(size_to)
        name = next(
            b
            for b, limit in (("<1k", 1024), ("<4k", 4096), ("<64k", 65536), (">=64k", 1 << 62))
            if top < limit
        )
        bucket = buckets.setdefault(name, [0, 0.0])
        bucket[0] += int(count)
        bucket[1] = round(bucket[1] + int(total) / (1024 * 1024), 2)
    unsorted = re.findall(r'<unsorted from="(\d+)" to="(\d+)" total="(\d+)" count="(\d+)"/>', xml)
    buckets["unsorted"] = [
        sum(int(u[3]) for u in unsorted),
        round(sum(int(u[2]) for u in unsorted) / 1048576, 2),
    ]
    return buckets


def sqlite_mb() -> float:
    """SQLite's heap in use, all connections of the process (page caches, schema, statements)."""
    import ctypes

    lib = ctypes.CDLL("libsqlite3.so.0")
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    return round(lib.sqlite3_memory_used() / (1024 * 1024), 2)


def rss_by_kind() -> dict[str, float]:
    """The RSS (MB) split into the brk heap, other anonymous mappings (mmapped blocks, pymalloc arenas, thread
    arenas) and file-backed pages (code, fonts)."""
    kinds = {"heap": 0, "anonymous": 0, "files": 0}
    kind = "files"
    for line in open("/proc/self/smaps", encoding="ascii", errors="replace"):
        head = line.split()
        if not head:
            continue
        if "-" in head[0] and not head[0].endswith(":"):
            name = head[5] if len(head) > 5 else ""
            kind = "heap" if name == "[heap]" else "anonymous" if not name.startswith("/") else "files"
        elif head[0] == "Rss:":
            kinds[kind] += int(head[1])
    return {k: round(v / 1024, 1) for k, v in kinds.items()}


def count_trims() -> list[int]:
    """Count the app's heap trims (heap.trim_when_quiet): a one-item list the count is kept in.
    BENCH_NO_TRIM=1: the app trims nothing (what the trims give back, measured against it)."""
    from linkus_companion import heap

    trims = [0]
    make = heap._malloc_trim

    def counted() -> Any:
        trim = None if os.environ.get("BENCH_NO_TRIM") == "1" else make()
        if trim is None:
            return None

        def run() -> object:
            trims[0] += 1
            return trim()

        return run

    heap._malloc_trim = counted
    return trims


def memory_report(host: Any, backends: list[Any], arg: str) -> dict[str, Any]:
    """The sizes of what the app keeps between calls; with `trim`, the RSS after gc and `malloc_trim(0)`."""
    import ctypes
    import gc

    from PySide6.QtWidgets import QApplication

    from linkus_companion import texts

    stream = host._stream
    parts: dict[str, Any] = {
        "stream_seen_uids": getattr(stream, "_seen", {}),
        "stream_heard": getattr(stream, "_heard", {}),
        "engine_calls": host.engine._calls,
        "tracker_live": host.tracker._live,
        "tracker_ended": host.tracker._ended,
        "lookup_cache": host.lookup._cache,
        "late_recordings_due": getattr(host.late_recordings, "_due", []),
        "backend_recent": backends[0]._recent if backends else {},
        "texts_seen": texts._seen,
    }
    sizes = {name: [len(value), round(deep_size(value) / 1024, 1)] for name, value in parts.items()}
    before = rss_mb()
    heap = malloc_stats()
    trimmed: dict[str, float] = {}
    trim = arg in ("trim", "pixclear")
    if arg == "pixclear":
        from PySide6.QtGui import QPixmapCache

        QPixmapCache.clear()
    if trim:
        gc.collect()
        t0 = time.perf_counter()
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        trimmed = {"trim_ms": round((time.perf_counter() - t0) * 1000, 2), "rss_after_trim_mb": rss_mb()}
    return {
        "sizes_len_kb": sizes,
        "python_blocks": sys.getallocatedblocks(),
        "gc_objects": len(gc.get_objects()),
        "widgets": len(QApplication.allWidgets()),
        "sqlite_mb": sqlite_mb(),
        "malloc": heap,
        "free_chunk_sizes": free_chunk_sizes(),
        "rss_mb": before,
        "rss_by_kind_mb": rss_by_kind(),
        **trimmed,
    }


# --- the floor -------------------------------------------------------------------------------------


def floor(idle: float, conf: dict[str, Any] | None) -> int:
    """Window and tray (`shown`); with `conf`, then the network a ready desktop needs, done the
    quickest way (`ready`): a PBX login beside one CRM request, then the PBX event subscription."""
    import httpx
    import keyring  # noqa: F401
    import phonenumbers  # noqa: F401
    import qasync
    import websockets
    from PySide6.QtGui import QIcon, QPixmap
    from PySide6.QtWidgets import QApplication, QLabel, QMenu, QSystemTrayIcon

    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)

    async def connect(http: httpx.AsyncClient) -> Any:
        assert conf is not None
        login, _crm = await asyncio.gather(
            http.post(
                f"{conf['pbx_url']}/openapi/v1.0/get_token",
                json={"username": conf["pbx_id"], "password": conf["pbx_secret"]},
            ),
            http.get(f"{conf['crm_url']}/crm/v3/owners"),
        )
        token = login.json()["access_token"]
        ws_url = conf["pbx_url"].replace("http", "ws", 1) + f"/openapi/v1.0/subscribe?access_token={token}"
        socket = await websockets.connect(ws_url)
        await socket.send(json.dumps({"topic_list": [30011, 30012]}))
        while "errcode" not in json.loads(await socket.recv()):
            pass
        return socket, token

    async def main() -> None:
        window = QLabel("floor")
        window.show()
        pixmap = QPixmap(16, 16)
        tray = QSystemTrayIcon(QIcon(pixmap))
        menu = QMenu()
        menu.addAction("Quit")
        tray.setContextMenu(menu)
        tray.show()
        await asyncio.sleep(0)
        say("shown", rss_mb=rss_mb())
        async with httpx.AsyncClient() as http:
            socket, token = await connect(http) if conf is not None else (None, "")
            await asyncio.sleep(0)
            say("ready", rss_mb=rss_mb())
            lags = await probe_lag(idle)
            say("idle", rss_mb=rss_mb(), lag_ms=lags)
            if socket is not None and conf is not None:  # free the PBX's token slot, as the app's stop does
                await socket.close()
                await http.get(f"{conf['pbx_url']}/openapi/v1.0/del_token", params={"access_token": token})

    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        runner.run(main())
    return 0


# --- the desktop app -------------------------------------------------------------------------------


def desktop(conf: dict[str, Any], idle: float, qt: bool = True) -> int:
    import signal
    from collections.abc import AsyncIterator
    from pathlib import Path

    import keyring

    from linkus_companion.app import run_app
    from linkus_companion.config.settings import Settings
    from linkus_companion.config.userfile import UserFile
    from linkus_companion.crm.hubspot import HubSpotConnector
    from linkus_companion.crm.oauth import ClientCredentials, OAuthGrants
    from linkus_companion.crm.oauth_providers import hubspot
    from linkus_companion.engine.host import EngineHost
    from linkus_companion.local_backend import LocalBackend
    from linkus_companion.pbx.client import PbxClient
    from linkus_companion.runtime import crm_http_client, desktop_policies, desktop_store
    from linkus_companion.secrets import SecretStore
    from linkus_companion.sim.memory_keyring import MemoryKeyring

    ring = MemoryKeyring()
    for service, user, secret in conf["keyring"]:
        ring.set_password(service, user, secret)
    keyring.set_keyring(ring)
    home = Path(conf["home"])
    settings = Settings(UserFile(home / "settings.json"))
    for key, value in conf["settings"].items():
        settings.set_user(key, value)
    crm_url = conf["crm_url"]
    pops: list[int] = [0]
    trims = count_trims()

    class Opener:
        """The browser: counts pops (keeps none, so the growth runs measure the app, not this)."""

        def open(self, request: Any) -> None:
            pops[0] += 1

    @contextlib.asynccontextmanager
    async def open_host() -> AsyncIterator[EngineHost]:
        store = desktop_store(home / "app.db")
        try:
            async with (
                crm_http_client() as client,
                PbxClient(conf["pbx_url"], conf["pbx_id"], conf["pbx_secret"]) as pbx,
            ):
                grants = OAuthGrants(
                    hubspot(app_base=crm_url, api_base=crm_url),
                    ClientCredentials(conf["crm_id"], conf["crm_secret"]),
                    client,
                    SecretStore(),
                )
                connector = HubSpotConnector(
                    client, grants, region="US", hub_id=conf["hub_id"], web_base=crm_url
                )
                yield EngineHost(
                    pbx=pbx,
                    connector=connector,
                    store=store,
                    policies=desktop_policies(settings),
                    opener=Opener(),
                    crm_web_origins=(crm_url,),
                    extensions=(conf["extension"],),
                )
        finally:
            store.close()

    backends: list[LocalBackend] = []

    def backend_listeners(_host: EngineHost) -> list[Any]:
        return [listener for b in backends for listener in b._listeners]

    class BenchBackend(LocalBackend):
        async def start(self) -> None:
            say("shown", rss_mb=rss_mb())  # the shell shows the tray, then starts the backend
            backends.append(self)
            await super().start()
            host = self._host
            assert host is not None
            await host.connected()
            asyncio.get_running_loop().create_task(commands(host))

    async def commands(host: EngineHost) -> None:
        await asyncio.sleep(0)  # one turn of the loop, as the floor's ready
        say("ready", rss_mb=rss_mb())
        await asyncio.sleep(idle)
        say("idle", rss_mb=rss_mb(), lag_ms=await probe_lag(1.0))
        reader = asyncio.StreamReader()
        loop = asyncio.get_running_loop()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while line := (await reader.readline()).decode().strip():
            verb, _, arg = line.partition(" ")
            if verb == "lag":
                cpu = time.process_time()
                with profiled():
                    lags = await probe_lag(float(arg))
                cpu_s = round(time.process_time() - cpu, 3)
                say("lag", lag_ms=lags, pops=pops[0], rss_mb=rss_mb(), cpu_s=cpu_s)
            elif verb == "rest":
                cpu = time.process_time()
                each_second = []  # what the app still spends, as its heap trimmer sees it (heap.QUIET_CPU_S)
                end = loop.time() + float(arg)
                while (left := end - loop.time()) > 0.05:
                    mark = time.process_time()
                    await asyncio.sleep(min(1.0, left))
                    each_second.append(round(time.process_time() - mark, 3))
                cpu_s = round(time.process_time() - cpu, 3)
                say("rest", rss_mb=rss_mb(), pops=pops[0], cpu_s=cpu_s, cpu_s_each_second=each_second)
            elif verb == "prepare":
                await prepare_calls(host)
                say("prepared", rss_mb=rss_mb())
            elif verb == "calls":
                count, _, batch = arg.partition(" ")
                with profiled():  # BENCH_PROFILE: where a batch's time goes (the last batch's is kept)
                    await feed_calls(host, int(count), int(batch or 500))
            elif verb == "modules":
                import linecache

                say("modules", modules=sorted(sys.modules), sources_kept=sorted(linecache.cache))
            elif verb == "heap":  # with PYTHONTRACEMALLOC=1: where Python's memory grew since the last one
                import tracemalloc

                snapshot = tracemalloc.take_snapshot()
                before = state.get("heap")
                stats = snapshot.compare_to(before, "lineno") if before else snapshot.statistics("lineno")
                state["heap"] = snapshot
                say(
                    "heap",
                    top=[
                        [str(s.traceback[0]), s.size_diff if before else s.size, s.count] for s in stats[:40]
                    ],
                    total=sum(s.size for s in snapshot.statistics("filename")),
                )
            elif verb == "trim":  # how much of the RSS is freed memory glibc had kept (Linux)
                import ctypes
                import gc

                before = rss_mb()
                gc.collect()
                ctypes.CDLL("libc.so.6").malloc_trim(0)
                say("trim", before_mb=before, rss_mb=rss_mb())
            elif verb == "mem":  # what holds the idle RSS: the app's bounded structures, SQLite, glibc's heap
                say("mem", trims=trims[0], **memory_report(host, backends, arg))
            elif verb == "quit":
                break
        if qt:
            os.kill(os.getpid(), signal.SIGINT)
        else:
            finished.set()

    state: dict[str, Any] = {}

    async def prepare_calls(host: EngineHost) -> None:
        """Load the call feeder (the PBX simulator's frames, the instant CRM): the rig's memory, not the app's."""
        from benchmarks._sim_calls import CallFactory, instant
        from linkus_companion.pbx.calls import CallTracker

        if "factory" not in state:
            factory = CallFactory(conf["extension"])
            await factory.prepare()
            state.update(factory=factory, crm=instant(host), tracker=CallTracker((conf["extension"],)))

    async def feed_calls(host: EngineHost, count: int, size: int) -> None:
        """`count` simulated calls straight into the engine (as the event stream would deliver them)."""
        await prepare_calls(host)
        factory, crm, tracker = state["factory"], state["crm"], state["tracker"]
        engine = host.engine
        t0 = time.perf_counter()
        done = 0
        checkpoints = []
        while done < count:
            batch = min(size, count - done)
            for event in factory.events(batch):
                for update in tracker.feed(event):
                    engine.handle(update, event.received_at)
            done += batch
            await asyncio.sleep(0.001 if size > 10 else 0.005)  # Qt paints, tasks run, windows close
            if done % 10_000 < batch or done == count:
                checkpoints.append((done, rss_mb()))
        await engine.settled()
        await asyncio.sleep(0.5)
        say(
            "calls",
            calls=count,
            seconds=round(time.perf_counter() - t0, 2),
            rss_mb=rss_mb(),
            checkpoints=checkpoints,
            engine_calls=len(engine._calls),
            lookup_cache=len(host.lookup._cache),
            tracker_calls=len(getattr(tracker, "_calls", ())),
            crm_searches=crm.searches,
            crm_logs=crm.logs,
        )

    if qt:
        return run_app(lambda _s: BenchBackend(open_host, conf["extension"]), settings, ["linkus-companion"])

    async def headless() -> None:
        backend = BenchBackend(open_host, conf["extension"])
        await backend.start()
        await finished.wait()
        await backend.stop()

    finished = asyncio.Event()
    signal.signal(signal.SIGINT, lambda *_: finished.set())
    asyncio.run(headless())
    return 0


def main() -> int:
    guard_none()
    mode, idle = sys.argv[1], float(sys.argv[2])
    conf = json.loads(sys.stdin.readline())
    if mode == "floor":
        return floor(idle, conf or None)
    return desktop(conf, idle, qt=mode == "app")


if __name__ == "__main__":
    sys.exit(main())
