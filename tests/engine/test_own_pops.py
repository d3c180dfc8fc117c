"""A desktop's browser opens CRM pages only for its own user's calls, even when its host follows the office."""

from __future__ import annotations

import asyncio
from pathlib import Path

from linkus_companion.demo import demo_world, play_script
from linkus_companion.engine.screen_pop import OwnPops, PopRequest


class Browser:
    """Records the pages the desktop's browser was asked to open."""

    def __init__(self) -> None:
        self.opened: list[PopRequest] = []

    def open(self, request: PopRequest) -> None:
        self.opened.append(request)


async def test_the_demo_desktop_opens_pages_for_extension_1001_only(tmp_path: Path) -> None:
    browser = Browser()
    own = OwnPops(browser, frozenset({"1001"}))
    async with demo_world("hubspot", tmp_path, lambda _line: None, own) as world:
        await world.host.start()
        await asyncio.wait_for(world.host.connected(), 10)
        placed = await play_script(world, 6, lambda _line: None, talk=0.2, gap=0.3)
        labels = [p.label for p in placed]
        assert "1003 transfers a customer to 1004" in labels and "unknown caller to 1002" in labels
        for _ in range(100):
            if {p.extension for p in world.printer.pops} >= {"1001", "1002", "1003", "1004"}:
                break
            await asyncio.sleep(0.05)
    # the host follows the whole office: its pops include the other desks' (the demo reports them) ...
    assert {p.extension for p in world.printer.pops} >= {"1001", "1002", "1003", "1004"}
    # ... but this desktop's browser opened only 1001's pages: none for 1002's call or the transfer
    others = {p.call_id for p in placed if "1001" not in p.pops}
    assert browser.opened and {p.extension for p in browser.opened} == {"1001"}
    assert not others & {p.call_id for p in browser.opened}
    assert others & {p.call_id for p in world.printer.pops}
