"""Gateway replicas for fail-over tests, benchmarks and demos: start a standby, kill the leader's lock session."""

from __future__ import annotations

import asyncio

import psycopg

from linkus_companion.gateway.demo import GatewayWorld
from linkus_companion.gateway.leadership import Leadership
from linkus_companion.gateway.server import Gateway
from linkus_companion.serving import free_port
from linkus_companion.store import Store


def kill_leader_session(url: str) -> None:
    """What SIGKILL of the leader's process does to its PostgreSQL session: it ends, the lock with it."""
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        ).fetchall()


async def start_replica(world: GatewayWorld, url: str, name: str) -> tuple[Gateway, int, asyncio.Task[None]]:
    """A new standby on the shared store and the site's public address; its port; its election."""
    standby, port = world.build(store=Store.open(url), public_url=world.url), free_port()
    await standby.listen(port=port, tls=world.tls)
    return standby, port, asyncio.create_task(standby.lead(Leadership(url, holder=name, poll=0.1)))


async def bury(gateway: Gateway) -> None:
    """Stop a killed leader's remains here: its engine, server and desktops went with its process."""
    await gateway.stop()
    gateway.host.store.close()
