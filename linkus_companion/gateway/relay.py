"""Replicas talk through PostgreSQL: the leader's desktop messages out to the standbys, their engine requests in."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import psycopg

from linkus_companion.crm.base import CrmError
from linkus_companion.engine.core import EngineError
from linkus_companion.gateway import protocol
from linkus_companion.pbx.errors import PbxError
from linkus_companion.store import Store, StoreError
from linkus_companion.store_postgres import CONNECT_TIMEOUT
from linkus_companion.texts import Text, text_of

log = logging.getLogger(__name__)

MESSAGES = "linkus_desktops"
REQUESTS = "linkus_requests"
REPLIES = "linkus_replies"
PAYLOAD_LIMIT = 7900
"""PostgreSQL refuses NOTIFY payloads of 8000 bytes or more."""
PATIENCE = 10.0
"""Seconds a standby waits for the leader's answer to a desktop request."""

Answer = Callable[[str, str, dict[str, Any]], Awaitable[Any]]


def notify(store: Store, channel: str, data: dict[str, Any]) -> bool:
    """Send `data` to every replica listening on `channel` (on commit); False when it could not be sent."""
    payload = json.dumps(data, separators=(",", ":"))
    if len(payload.encode()) > PAYLOAD_LIMIT:
        log.warning("a message on %s is too large to relay between replicas", channel)
        return False
    try:
        with store.transaction() as db:
            db.execute("SELECT pg_notify(?, ?)", (channel, payload))
    except (StoreError, psycopg.Error) as exc:
        log.warning("could not relay a message on %s: %s", channel, exc)
        return False
    return True


class Publisher:
    """The leader's desktop messages to the standbys: queued without blocking the engine, sent in order on a
    connection of their own, as many to a NOTIFY as fit (a burst costs one round trip, not one per message).
    """

    def __init__(self, url: str, password: str | None) -> None:
        self._url, self._password = url, password
        self._queue: list[str] = []
        self._waiting = asyncio.Event()

    def __call__(self, extension: str, message: dict[str, Any]) -> None:
        """Queue a message the leader's hub sent its desktops."""
        item = json.dumps({"extension": extension, "message": message}, separators=(",", ":"))
        if len(item.encode()) + 2 > PAYLOAD_LIMIT:
            log.warning("a message on %s is too large to relay between replicas", MESSAGES)
            return
        self._queue.append(item)
        self._waiting.set()

    async def run(self) -> None:
        """Send what is queued until cancelled (reconnecting; what was queued while the database was away
        is dropped, as the standbys' desktops get the live calls again from their next messages)."""
        while True:
            try:
                async with await _listener(self._url, self._password, name="linkus relay out") as connection:
                    while True:
                        await self._waiting.wait()
                        self._waiting.clear()
                        for payload in _batches(self._queue):
                            await connection.execute("SELECT pg_notify(%s, %s)", (MESSAGES, payload))
            except psycopg.Error as exc:
                log.warning("could not relay desktop messages to the standbys: %s", exc)
                self._queue.clear()
                await asyncio.sleep(1.0)


def _batches(queue: list[str]) -> Iterator[str]:
    """Empty `queue` into JSON arrays of at most PAYLOAD_LIMIT bytes, oldest first."""
    items = queue[:]
    queue.clear()
    batch: list[str] = []
    size = 2
    for item in items:
        if batch and size + len(item.encode()) + 1 > PAYLOAD_LIMIT:
            yield "[" + ",".join(batch) + "]"
            batch, size = [], 2
        batch.append(item)
        size += len(item.encode()) + 1
    if batch:
        yield "[" + ",".join(batch) + "]"


class Requests:
    """A standby's `open`, `choose` and `create` requests, answered by the leader's engine."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}

    async def ask(self, op: str, extension: str, args: dict[str, Any]) -> Any:
        """The leader's result for the request; EngineError with its reason, or when it does not answer."""
        token = secrets.token_hex(8)
        answer = self._waiting[token] = asyncio.get_running_loop().create_future()
        try:
            request = {"id": token, "op": op, "extension": extension, "args": args}
            if not notify(self._store, REQUESTS, request):
                raise EngineError(Text("The gateway could not reach its leader; try again in a moment."))
            reply = await asyncio.wait_for(answer, PATIENCE)
        except TimeoutError:
            raise EngineError(
                Text("The gateway's leader did not answer in time; try again in a moment.")
            ) from None
        finally:
            self._waiting.pop(token, None)
        if not reply.get("ok"):
            raise EngineError(
                protocol.parse_sentence(reply, "error") or Text("The gateway's leader could not do that.")
            )
        return reply.get("result")

    def replied(self, reply: dict[str, Any]) -> None:
        """A reply from the leader (for this replica or another: each standby hears them all)."""
        waiting = self._waiting.get(str(reply.get("id")))
        if waiting is not None and not waiting.done():
            waiting.set_result(reply)


async def follow(
    url: str,
    password: str | None,
    deliver: Callable[[str, dict[str, Any]], None],
    replied: Callable[[dict[str, Any]], None],
    ready: Callable[[], None],
) -> None:
    """A standby: LISTEN for the leader's desktop messages and replies until cancelled."""
    async with await _listener(url, password, MESSAGES, REPLIES) as connection:
        ready()
        async for notice in connection.notifies():
            try:
                data = json.loads(notice.payload)
                if notice.channel == REPLIES:
                    replied(dict(data))
                    continue
                for item in data:  # a batch, oldest first
                    deliver(str(item["extension"]), dict(item["message"]))
            except (ValueError, KeyError, TypeError):
                log.warning("ignored a malformed message from the leader")


async def serve(url: str, password: str | None, store: Store, answer: Answer) -> None:
    """The leader: answer the standbys' requests until cancelled."""
    tasks: set[asyncio.Task[None]] = set()

    async def reply(request: dict[str, Any]) -> None:
        token = request.get("id")
        try:
            result = await answer(str(request["op"]), str(request["extension"]), dict(request["args"]))
        except (EngineError, CrmError, PbxError) as exc:
            notify(store, REPLIES, {"id": token, "ok": False, **protocol.sentence("error", text_of(exc))})
        except Exception:
            log.exception("a forwarded %r request failed", request.get("op"))
            failed = protocol.sentence("error", Text("The gateway failed to do that; its log says why."))
            notify(store, REPLIES, {"id": token, "ok": False, **failed})
        else:
            notify(store, REPLIES, {"id": token, "ok": True, "result": result})

    async with await _listener(url, password, REQUESTS) as connection:
        async for notice in connection.notifies():
            try:
                request = dict(json.loads(notice.payload))
            except (ValueError, TypeError):
                log.warning("ignored a malformed request from a standby")
                continue
            task = asyncio.create_task(reply(request))
            tasks.add(task)
            task.add_done_callback(tasks.discard)


async def _listener(
    url: str, password: str | None, *channels: str, name: str = "linkus relay"
) -> psycopg.AsyncConnection[Any]:
    connection = await psycopg.AsyncConnection.connect(
        url,
        password=password,
        autocommit=True,
        connect_timeout=CONNECT_TIMEOUT,
        application_name=name,
    )
    for channel in channels:
        await connection.execute(f"LISTEN {channel}")
    return connection
