"""The call history window over the real engine: calls from the local store, their log's state, search
and actions (call back, open in CRM, add to CRM)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest

from linkus_companion.engine.history import Delivery
from tests.ui.conftest import until
from tests.ui.test_desktop_acceptance import ADA_NUMBER, EXTENSION, Desk, desk_for  # noqa: F401

pytestmark = pytest.mark.asyncio(loop_factories=["qt"])
UNKNOWN = "+16285550111"
OTHER = "+16285550122"


async def test_history_lists_calls_with_date_outcome_and_log_state_and_acts_on_them(
    desk_for: Callable[[], contextlib.AbstractAsyncContextManager[Desk]],  # noqa: F811
) -> None:
    async with desk_for() as desk:
        shell, world = desk.shell, desk.world
        known = await world.pbx.inbound(ADA_NUMBER, EXTENSION, talk=1.2)
        missed = await world.pbx.inbound(UNKNOWN, EXTENSION, answer=False)
        busy = await world.pbx.outbound(EXTENSION, OTHER, result="busy")
        await until(
            lambda: (
                {i.call.call_id: i.log for i in desk.backend.history()}.get(known) is Delivery.DELIVERED
                and {missed, busy} <= {i.call.call_id for i in desk.backend.history()}
                and any(i.call.call_id == missed and i.call.chosen for i in desk.backend.history())
            ),
            what="the calls in the history, the answered one logged, the missed caller created",
        )
        window = shell.show_history()
        assert window.isVisible() and window.windowTitle() == "Call history"
        texts = [[window.table.item(r, c).text() for c in range(6)] for r in range(window.table.rowCount())]
        missed_row = next(t for t in texts if "0111" in t[2])
        assert missed_row[0].startswith("Today "), "date and time"
        assert missed_row[1] == "Incoming call · missed", "the panel's words"
        assert missed_row[4] == "—"
        known_row = next(t for t in texts if t[3] == "Ada Lovelace")
        assert missed_row[3].startswith("Automatic New Contact"), "the demo auto-creates unknown callers"
        busy_row = next(t for t in texts if "0122" in t[2])
        assert busy_row[1] == "Outgoing call · busy" and busy_row[3] == "No CRM record", "never an empty name"
        assert known_row[5] == "Logged in HubSpot" and known_row[4].startswith("0:0"), "talk time"
        assert missed_row[2] == "(628) 555-0111", "the number as people write it"

        window.search.setText("0122")
        window.refresh()
        assert window.table.rowCount() == 1 and window.selected().call.call_id == busy
        assert window.add_button.isEnabled() and not window.open_button.isEnabled()
        window.add_button.click()
        assert shell.add_dialogs.get(busy) is not None, "Add to CRM opened for the unknown number"
        shell.add_dialogs[busy].close()

        dialled: list[str] = []
        shell.dial = dialled.append  # the PBX dial itself is covered by the click-to-call tests
        window.call_back_button.click()
        assert dialled == [OTHER]

        window.search.setText(known_row[3].split()[0])  # by name
        window.refresh()
        assert window.table.rowCount() >= 1 and all(
            window.table.item(r, 3).text() == known_row[3] for r in range(window.table.rowCount())
        )
        row = next(r for r in range(window.table.rowCount()) if window.table.item(r, 3).text())
        window.table.selectRow(row)
        assert window.open_button.isEnabled()
        pops = len(world.printer.pops)
        window.open_button.click()
        await until(lambda: len(world.printer.pops) > pops, what="the record opened from the history")

        assert window.note_button.isEnabled()
        window.note_button.click()  # the answered call with Ada, logged already: the note updates that log
        window.note_dialog.setTextValue("Wants a quote by Friday")
        window.note_dialog.accept()

        def bodies() -> list[str]:
            return [str(c["properties"].get("hs_call_body", "")) for c in world.crm.call_engagements()]

        await until(
            lambda: any("Wants a quote by Friday" in b for b in bodies()), what="the note in the CRM log"
        )
        assert sum("Wants a quote by Friday" in b for b in bodies()) == 1, "one call log, updated"
        window.close()


async def test_a_call_the_crm_could_not_be_asked_about_shows_its_record_once_the_log_found_it(
    desk_for: Callable[[], contextlib.AbstractAsyncContextManager[Desk]],  # noqa: F811
) -> None:
    """Never "No CRM record" (with Add to CRM, a duplicate waiting to happen) for a known customer who
    called during a CRM outage: not looked up, then the record the delivered log was linked to."""
    async with desk_for() as desk:
        world = desk.world
        world.crm.set_outage(True)
        call_id = await world.pbx.inbound(ADA_NUMBER, EXTENSION, answer=False)

        def name() -> str:
            window = desk.shell.show_history()
            rows = [r for r in range(window.table.rowCount()) if "0101" in window.table.item(r, 2).text()]
            return window.table.item(rows[0], 3).text() if rows else ""

        await until(
            lambda: name() == "Not looked up (CRM unreachable)", what="the failed lookup in the history"
        )
        world.crm.set_outage(False)
        world.host.outbox.retry_now()
        await until(
            lambda: (
                {i.call.call_id: i.log for i in desk.backend.history()}.get(call_id) is Delivery.DELIVERED
            ),
            what="the log delivered",
        )
        assert name() == "Ada Lovelace"
        desk.shell.history_window.close()
