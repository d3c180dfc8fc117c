"""Click to call in gateway mode: the desktop's answer to the browser extension goes through the gateway, which
dials from that desktop's own extension."""

from __future__ import annotations

from pathlib import Path

from gateway_rig import Site, until

from linkus_companion.click_to_call import ClickToCall
from linkus_companion.config.settings import Settings
from linkus_companion.config.userfile import UserFile


async def test_a_clicked_number_is_dialled_by_the_gateway_from_the_desktops_extension(
    site: Site, tmp_path: Path
) -> None:
    world = site.world
    calls = ClickToCall(world.desktops["1002"], Settings(UserFile(tmp_path / "desk.json")))
    answer = await calls.answer({"type": "dial", "number": "(628) 555-9004", "source": "salesforce"})
    assert answer == {"ok": True, "state": "dialling", "number": "+16285559004", "message": ""}
    assert world.pbx.dialled == [("1002", "+16285559004")]
    await until(lambda: any(c.number == "+16285559004" for c in site.seen["1002"].calls))
    again = await calls.answer({"type": "dial", "number": "+1 628 555 9004"})
    assert again["state"] == "repeated" and len(world.pbx.dialled) == 1
