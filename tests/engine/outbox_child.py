"""Run an OutboxWorker in its own process and freeze it at a call-log create, to be killed with SIGKILL.

Usage: python -m tests.engine.outbox_child DB_PATH {request|response} N, with the CRM in $OUTBOX_CHILD_CRM
(JSON: kind, api_base, token, extras, ca_file). At the N-th create of a call activity it prints `FROZEN`
and blocks: before the request leaves (`request`) or after the CRM wrote it (`response`).
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import sys
import time
from dataclasses import dataclass
from typing import Any

import httpx

from linkus_companion.crm.base import AccessGrant
from linkus_companion.crm.hubspot import HubSpotConnector
from linkus_companion.crm.salesforce import SalesforceConnector
from linkus_companion.crm.zoho import ZohoConnector
from linkus_companion.engine.outbox import CallWriter, OutboxWorker
from linkus_companion.store import Store

CREATES = ("calls", "Task", "Calls")
"""Last path segment of a call-activity create: HubSpot calls, Salesforce Task, Zoho Calls."""


@dataclass
class Grant:
    """A ready grant that cannot be refreshed (the test keeps the token valid)."""

    grant: AccessGrant

    async def current(self) -> AccessGrant:
        return self.grant

    async def refreshed(self, stale: AccessGrant) -> AccessGrant:
        return self.grant


def connector(spec: dict[str, Any], client: httpx.AsyncClient) -> CallWriter:
    grants = Grant(AccessGrant(str(spec["token"]), str(spec["api_base"]), dict(spec["extras"])))
    if spec["kind"] == "hubspot":
        return HubSpotConnector(client, grants)
    if spec["kind"] == "salesforce":
        return SalesforceConnector(client, grants, instance_url=str(spec["api_base"]))
    return ZohoConnector(client, grants)


async def main(db_path: str, moment: str, nth: int) -> None:
    spec = json.loads(os.environ["OUTBOX_CHILD_CRM"])
    seen = 0

    async def freeze_at_create(event: httpx.Request | httpx.Response) -> None:
        nonlocal seen
        request = event if isinstance(event, httpx.Request) else event.request
        if request.method == "POST" and request.url.path.rstrip("/").rsplit("/", 1)[-1] in CREATES:
            seen += 1
            if seen == nth:
                print("FROZEN", flush=True)
                time.sleep(600)  # block the whole process, as a hung or dying one would  # noqa: ASYNC251

    hooks = {moment: [freeze_at_create]}
    verify: ssl.SSLContext | bool = (
        ssl.create_default_context(cafile=spec["ca_file"]) if spec["ca_file"] else True
    )
    async with httpx.AsyncClient(verify=verify, timeout=10, event_hooks=hooks) as client:
        worker = OutboxWorker(Store.open(db_path), connector(spec, client))
        await worker.run()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
