"""Queues and ring groups: `queue/list` (agents) and `ring_group/list` (members)."""

from __future__ import annotations

from typing import Any

from linkus_companion.sim.pbx_api import ApiRequest, Routes, envelope
from linkus_companion.sim.pbx_directory import Directory, Group

QUEUE_KEY, RING_GROUP_KEY = "queue_list", "ring_group_list"
"""The list keys: `queue_list` as the developer guide's query-queue-list page shows; the ring-group
list is assumed to follow the same shape (`ring_group_list`, `member_list`)."""


def _member(d: Directory, number: str) -> dict[str, str]:
    """`{text: name, text2: number, value: extension id, type: extension}`."""
    ext = d.extensions.get(number)
    return {
        "text": ext.caller_id_name if ext else "",
        "text2": number,
        "value": str(ext.id) if ext else "",
        "type": "extension",
    }


def groups_routes(d: Directory) -> Routes:
    """Read-only routes over the directory's queues and ring groups."""

    def rows(kind: str) -> list[tuple[int, Group]]:
        return [(i, g) for i, g in enumerate(d.groups.values(), 1) if g.kind == kind]

    async def queue_list(req: ApiRequest) -> dict[str, Any]:
        queues = [
            {
                "id": i,
                "number": g.number,
                "name": g.name,
                "ring_strategy": "ring_all",
                "static_agent_list": [_member(d, m) for m in g.members],
                "dynamic_agent_list": [],
                "manager_list": [],
            }
            for i, g in rows("queue")
        ]
        return {**envelope(total_number=len(queues)), QUEUE_KEY: queues}

    async def ring_group_list(req: ApiRequest) -> dict[str, Any]:
        groups = [
            {
                "id": i,
                "number": g.number,
                "name": g.name,
                "ring_strategy": "ring_all",
                "member_list": [_member(d, m) for m in g.members],
            }
            for i, g in rows("ring_group")
        ]
        return {**envelope(total_number=len(groups)), RING_GROUP_KEY: groups}

    return {("GET", "queue/list"): queue_list, ("GET", "ring_group/list"): ring_group_list}
