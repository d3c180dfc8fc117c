"""A headless Chromium from the system packages with our unpacked extension, driven over the DevTools protocol."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import shutil
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from linkus_companion.platform.extension_pack import extension_dir
from linkus_companion.platform.native_manifest import Registration
from linkus_companion.tls import spki_pin

BINARIES = ("chromium", "chromium-browser")


def chromium_binary() -> str:
    """The system Chromium; a skip on a developer machine without it, a failure on CI (.ci/run installs it)."""
    for name in BINARIES:
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail("Chromium is missing: .ci/run installs the Debian package `chromium`")
    pytest.skip("no system Chromium (apt-get install chromium)")


class Target:
    """One page or service worker, over its own DevTools WebSocket."""

    def __init__(self, socket: Any) -> None:
        self._socket = socket
        self._ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command and return its result (events in between are ignored)."""
        ident = next(self._ids)
        await self._socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(await asyncio.wait_for(self._socket.recv(), 20))
            if message.get("id") == ident:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))

    async def evaluate(self, expression: str) -> Any:
        """The JSON value of `expression` in the page (promises awaited); page errors fail the test."""
        result = await self.call(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression[:80]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def until(self, expression: str, what: str) -> Any:
        """Poll `expression` until it is truthy (at most ~10 s)."""
        for _ in range(200):
            value = await self.evaluate(expression)
            if value:
                return value
            await asyncio.sleep(0.05)
        raise AssertionError(f"{what} did not happen in the page")

    async def click(self, x: float, y: float, count: int = 1) -> None:
        """A real (trusted) mouse click at page coordinates, as a user's."""
        for _ in range(count):
            for kind in ("mousePressed", "mouseReleased"):
                await self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)


class Browser:
    """The running browser's HTTP DevTools endpoint."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"

    async def targets(self) -> list[dict[str, Any]]:
        async with httpx.AsyncClient() as http:
            return list((await http.get(f"{self.base}/json/list")).json())

    @contextlib.asynccontextmanager
    async def open(self, url: str) -> AsyncIterator[Target]:
        """A new tab on `url`, closed afterwards."""
        async with httpx.AsyncClient() as http:
            tab = (await http.put(f"{self.base}/json/new?{url}")).json()
        try:
            async with websockets.connect(tab["webSocketDebuggerUrl"], max_size=None) as socket:
                yield Target(socket)
        finally:
            async with httpx.AsyncClient() as http:
                await http.get(f"{self.base}/json/close/{tab['id']}")

    @contextlib.asynccontextmanager
    async def service_worker(self) -> AsyncIterator[Target]:
        """The extension's background service worker."""
        for _ in range(100):
            workers = [t for t in await self.targets() if t["type"] == "service_worker"]
            if workers:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the extension's service worker did not start")
        async with websockets.connect(workers[0]["webSocketDebuggerUrl"], max_size=None) as socket:
            yield Target(socket)


@contextlib.asynccontextmanager
async def chromium(
    profile: Path, trusted: Sequence[Path] = (), language: str = "en"
) -> AsyncIterator[Browser]:
    """Chromium headless with the unpacked extension and our native host registered in its profile.

    `trusted` CA files are pinned by their public key hash (TLS verification stays on for every other one);
    `language` is the browser's UI language (what the extension's _locales follow).
    """
    args = _command(profile, trusted)
    env = {**os.environ, "LANGUAGE": language, "LANG": f"{language}.UTF-8", "LC_ALL": f"{language}.UTF-8"}
    args.insert(1, f"--lang={language.replace('_', '-')}")
    proc = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL, env=env
    )
    try:
        port_file = profile / "DevToolsActivePort"
        for _ in range(400):
            if port_file.exists() and port_file.read_text().strip():
                break
            if proc.returncode is not None:
                raise AssertionError(f"Chromium exited with {proc.returncode}")
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("Chromium did not open its DevTools port")
        yield Browser(int(port_file.read_text().split()[0]))
    finally:
        if proc.returncode is None:
            proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()


def _command(profile: Path, trusted: Sequence[Path]) -> list[str]:
    """The browser's command line, after registering our host in `profile`."""
    binary = chromium_binary()
    profile.mkdir(parents=True, exist_ok=True)
    Registration(profile=profile).install(browsers=("chromium",))
    source = str(extension_dir())
    args = [
        binary,
        "--headless",
        f"--user-data-dir={profile}",
        "--remote-debugging-port=0",
        "--remote-allow-origins=*",
        f"--load-extension={source}",
        f"--disable-extensions-except={source}",
        "--disable-features=DisableLoadExtensionCommandLineSwitch",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--window-size=1200,900",
        "about:blank",
    ]
    if trusted:
        args.insert(1, f"--ignore-certificate-errors-spki-list={','.join(spki_pin(p) for p in trusted)}")
    if os.geteuid() == 0:
        args.insert(1, "--no-sandbox")
    return args
