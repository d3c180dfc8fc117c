"""Queues and ring groups: `queue/list` (agents) and `ring_group/list` (members)."""

from __future__ import annotations

from typing import Any

from linkus_companion.sim.pbx_api import ApiRequest, Handler, Routes, envelope
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

    def listing(kind: str, key: str, members: dict[str, str]) -> Handler:
        """A list endpoint of the groups of `kind`: each list in `members` marked 'members' holds them."""

        async def handler(req: ApiRequest) -> dict[str, Any]:
            groups = [
                {
                    "id": i,
                    "number": g.number,
                    "name": g.name,
                    "ring_strategy": "ring_all",
                    **{
                        name: [_member(d, m) for m in g.members] if role == "members" else []
                        for name, role in members.items()
                    },
                }
                for i, g in rows(kind)
            ]
            return {**envelope(total_number=len(groups)), key: groups}

        return handler

    queue_members = {"static_agent_list": "members", "dynamic_agent_list": "", "manager_list": ""}
    return {
        ("GET", "queue/list"): listing("queue", QUEUE_KEY, queue_members),
        ("GET", "ring_group/list"): listing("ring_group", RING_GROUP_KEY, {"member_list": "members"}),
    }
