"""Child process for the fan-out benchmark: many desktop WebSocket connections to the gateway, timing arrivals.

stdin line 1: {"desktops": [["<ext>", "ws://.../desktop", "<access token>"], ...]}. Prints
{"event": "ready"} once every socket got its hello; on the stdin line `report` prints
{"event": "report", "arrivals": [[ext, call_id, type, wall_time], ...]} and exits.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from websockets.asyncio.client import connect


async def desktop(url: str, ext: str, token: str, hello: asyncio.Event, out: list[Any]) -> None:
    async with connect(url, additional_headers={"Authorization": f"Bearer {token}"}, max_size=None) as ws:
        async for text in ws:
            now = time.time()
            msg = json.loads(text)
            kind = msg.get("type")
            if kind == "hello":
                hello.set()
            elif kind == "call":
                out.append([ext, msg["call"].get("call_id"), kind, now])
            elif kind == "pop":
                out.append([ext, msg["pop"].get("call_id"), kind, now])


async def main() -> None:
    conf = json.loads(sys.stdin.readline())
    arrivals: list[Any] = []
    hellos: list[asyncio.Event] = []
    tasks = []
    for ext, url, token in conf["desktops"]:
        hello = asyncio.Event()
        hellos.append(hello)
        tasks.append(asyncio.create_task(desktop(url, ext, token, hello, arrivals)))
        await asyncio.sleep(0.002)  # do not stampede the listener's backlog
    await asyncio.wait_for(asyncio.gather(*(h.wait() for h in hellos)), 120)
    failed = sum(1 for t in tasks if t.done())
    print(json.dumps({"event": "ready", "connections": len(tasks) - failed}), flush=True)
    reader = asyncio.StreamReader()
    await asyncio.get_running_loop().connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
    )
    while line := (await reader.readline()).decode().strip():
        if line == "report":
            break
    print(json.dumps({"event": "report", "arrivals": arrivals}), flush=True)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


if __name__ == "__main__":
    asyncio.run(main())
