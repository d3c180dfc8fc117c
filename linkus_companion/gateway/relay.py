"""Desktop messages across gateway replicas: the leader publishes with `pg_notify`, standbys LISTEN and deliver."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import psycopg

from linkus_companion.store import Store, StoreError
from linkus_companion.store_postgres import CONNECT_TIMEOUT

log = logging.getLogger(__name__)

CHANNEL = "linkus_desktops"
PAYLOAD_LIMIT = 7900
"""PostgreSQL refuses NOTIFY payloads of 8000 bytes or more."""


def publisher(store: Store) -> Callable[[str, dict[str, Any]], None]:
    """What the leader's hub calls for every desktop message: a NOTIFY every standby hears on commit."""

    def publish(extension: str, message: dict[str, Any]) -> None:
        payload = json.dumps({"extension": extension, "message": message}, separators=(",", ":"))
        if len(payload.encode()) > PAYLOAD_LIMIT:
            log.warning("a %s message for %s is too large to relay to standbys", message["type"], extension)
            return
        try:
            with store.transaction() as db:
                db.execute("SELECT pg_notify(?, ?)", (CHANNEL, payload))
        except (StoreError, psycopg.Error) as exc:
            log.warning("could not relay a %s message to the standbys: %s", message["type"], exc)

    return publish


async def follow(
    url: str, password: str | None, deliver: Callable[[str, dict[str, Any]], None], ready: Callable[[], None]
) -> None:
    """LISTEN on a dedicated connection and `deliver` each relayed message until cancelled."""
    async with await psycopg.AsyncConnection.connect(
        url,
        password=password,
        autocommit=True,
        connect_timeout=CONNECT_TIMEOUT,
        application_name="linkus relay",
    ) as connection:
        await connection.execute(f"LISTEN {CHANNEL}")
        ready()
        async for notice in connection.notifies():
            try:
                relayed = json.loads(notice.payload)
                deliver(str(relayed["extension"]), dict(relayed["message"]))
            except (ValueError, KeyError, TypeError):
                log.warning("ignored a malformed relayed message")
