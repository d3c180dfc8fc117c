"""Click to call end to end: headless Chromium with the unpacked extension opens each CRM emulator's record and
list pages; a real click on the added button reaches the desktop app (native host, single-instance channel) and
the PBX simulator receives exactly one call/dial from the user's extension to the number in E.164."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from linkus_companion.click_to_call import REPEAT_SECONDS
from linkus_companion.config import Settings
from linkus_companion.demo import make_emulator
from linkus_companion.model import RecordKind
from linkus_companion.platform import single_instance
from linkus_companion.platform.native_messaging import CHROME_ORIGIN
from linkus_companion.sim.crm_emulator import CrmEmulator
from tests.ui.headless_chromium import Browser, Target, chromium
from tests.ui.test_desktop_acceptance import EXTENSION, Desk, running_desk

pytestmark = pytest.mark.asyncio(loop_factories=["qt"])

BUTTON = """(() => {{
  const b = [...document.querySelectorAll('.linkus-call')]
    .filter(b => b.dataset.linkusNumber.replace(/\\D/g, '').endsWith('{digits}'));
  if (b.length !== 1) return null;
  b[0].scrollIntoView({{block: 'center'}});
  const r = b[0].getBoundingClientRect();
  return [r.x + r.width / 2, r.y + r.height / 2];
}})()"""
COUNT = "[...document.querySelectorAll('.linkus-call')].filter(b => b.dataset.linkusNumber.replace(/\\D/g, '').endsWith('{digits}')).length"


@contextlib.asynccontextmanager
async def world(
    tmp_path: Path, settings: Settings
) -> AsyncIterator[tuple[Desk, Browser, dict[str, CrmEmulator]]]:
    """The desktop on the PBX simulator (HubSpot signed in), Salesforce and Zoho emulators, and Chromium."""
    settings.set_user("pbx.extensions", (EXTENSION,))
    async with running_desk(tmp_path / "demo", settings) as desk, contextlib.AsyncExitStack() as stack:
        desk.world.pbx.dial_talk = 0.1
        server = single_instance.InstanceServer(single_instance.server_name())
        server.listen()
        stack.callback(server.close)
        server.got_request.connect(desk.shell.handle_request)
        crms: dict[str, CrmEmulator] = {"hubspot": desk.world.crm}
        for kind in ("salesforce", "zoho"):
            crm = make_emulator(kind)
            await crm.start()
            stack.push_async_callback(crm.stop)
            crms[kind] = crm
        trusted = [crm.ca_file for crm in crms.values() if crm.ca_file is not None]
        browser = await stack.enter_async_context(chromium(tmp_path / "chromium", trusted))
        yield desk, browser, crms


def pages(crms: dict[str, CrmEmulator]) -> list[tuple[str, str, str]]:
    """(record page, list page, E.164 number shown on both) for each CRM, each with its own customer."""
    hubspot, salesforce, zoho = crms["hubspot"], crms["salesforce"], crms["zoho"]
    hs_id = hubspot.seed_contact("+1 (628) 555-0131", "Hedy", "Lamarr")
    sf_id = salesforce.seed_contact("(628) 555-0132", "Joan", "Clarke")
    zo_id = zoho.seed_contact("628.555.0133", "Ida", "Rhodes", RecordKind.CONTACT)
    return [
        (*hubspot.contact_pages(hs_id), "+16285550131"),
        (*salesforce.contact_pages(sf_id), "+16285550132"),
        (*zoho.contact_pages(zo_id), "+16285550133"),
    ]


async def settle(desk: Desk) -> None:
    """Wait until the previous dial's call is over (the app refuses to dial during a live call)."""
    for _ in range(400):
        if all(call.ended_at is not None for call in desk.backend.recent_calls()):
            return
        await asyncio.sleep(0.025)
    raise AssertionError("the previous call did not end")


async def dialled_once(desk: Desk, before: int, number: str) -> None:
    pbx = desk.world.pbx
    for _ in range(400):
        if len(pbx.dialled) > before:
            break
        await asyncio.sleep(0.025)
    await asyncio.sleep(0.3)
    assert pbx.dialled[before:] == [(EXTENSION, number)]
    await settle(desk)
    await asyncio.sleep(REPEAT_SECONDS)  # the same number again now is a new call, not a repeated click


async def click_number(page: Target, digits: str, clicks: int = 1) -> None:
    x, y = await page.until(BUTTON.format(digits=digits), f"one call button for …{digits}")
    await page.click(x, y, clicks)


async def test_clicking_a_number_on_each_crm_page_dials_it_once(tmp_path: Path, settings: Settings) -> None:
    async with world(tmp_path, settings) as (desk, browser, crms):
        for record_url, list_url, number in pages(crms):
            digits = number[-10:]
            for url in (record_url, list_url):
                async with browser.open(url) as page:
                    before = len(desk.world.pbx.dialled)
                    await click_number(page, digits, clicks=2)
                    await dialled_once(desk, before, number)
                    toast = await page.until(
                        "document.querySelector('.linkus-toast')?.textContent", "a result"
                    )
                    assert number in toast


async def test_page_scripts_re_renders_and_the_context_menu(tmp_path: Path, settings: Settings) -> None:
    async with world(tmp_path, settings) as (desk, browser, crms):
        record_url, _list_url, number = pages(crms)[1]
        digits = number[-10:]
        pbx = desk.world.pbx
        async with browser.open(record_url) as page:
            await page.until(COUNT.format(digits=digits), "a call button")
            await page.evaluate("document.querySelector('.linkus-call').click()")
            await asyncio.sleep(0.5)
            assert pbx.dialled == []
            # The page re-renders the row (a copy without our listener) and then the cell's text.
            await page.evaluate(
                "(() => { const td = [...document.querySelectorAll('td')].find(td => td.querySelector('.linkus-call'));"
                " const tr = td.parentElement; tr.replaceWith(tr.cloneNode(true)); })()"
            )
            await asyncio.sleep(0.3)
            await page.evaluate(
                "(() => { const td = [...document.querySelectorAll('td')].find(td => td.querySelector('.linkus-call'));"
                " td.textContent = td.textContent; })()"
            )
            await asyncio.sleep(0.3)
            assert await page.evaluate(COUNT.format(digits=digits)) == 1
            # The page rewrites the button's attributes: a click still dials the number shown.
            await page.evaluate(
                "document.querySelector('.linkus-call').dataset.linkusNumber = '+19005550199'"
            )
            await click_number(page, "9005550199")
            await dialled_once(desk, 0, number)
            selected = await page.evaluate(
                "(() => { const td = document.querySelector('.linkus-call').parentElement;"
                " getSelection().selectAllChildren(td); return getSelection().toString(); })()"
            )
        async with browser.service_worker() as worker:
            reply = await worker.evaluate(
                f"linkusMenuClicked({{menuItemId: 'linkus-call-selection', selectionText: {selected!r}}})"
            )
            assert reply["state"] == "dialling"
            await dialled_once(desk, 1, number)
            refused = await worker.evaluate(
                "linkusMenuClicked({menuItemId: 'linkus-call-selection', selectionText: 'call me maybe'})"
            )
            assert refused["state"] == "invalid"
            assert len(pbx.dialled) == 2
        async with browser.open(f"{CHROME_ORIGIN}popup.html") as popup:
            shown = await popup.until(
                "document.getElementById('pbx')?.textContent && [...document.querySelectorAll('dd')]"
                ".map(d => d.textContent)",
                "the popup's status",
            )
            assert shown == ["Running", "Connected", EXTENSION, "That is not a phone number."]
