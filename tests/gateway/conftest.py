"""Gateway fixtures: the simulators, a gateway over TLS and three enrolled desktops (1001, 1002, 1003)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from gateway_rig import Seen, Site

from linkus_companion.gateway.demo import gateway_world
from linkus_companion.sim import scenario


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    lines: list[str] = []
    async with gateway_world("hubspot", tmp_path / "site", lines.append) as world:
        seen: dict[str, Seen] = {}
        for extension in scenario.AGENTS:
            backend = await world.desktop(extension, lines.append)
            seen[extension] = Seen()
            backend.add_listener(seen[extension])
        yield Site(world, seen, lines)
