"""A recording the PBX writes after the call ended is found in the CDR and patched into the call log."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from linkus_companion.demo import demo_world
from linkus_companion.engine.late_recordings import _Watched, search_windows

LINKS = {"calllog.recording_delivery": "link"}


@contextlib.asynccontextmanager
async def late_world(tmp_path: Path, delays: tuple[float, ...], **overrides: Any) -> AsyncIterator[Any]:
    """The Zoho demo world, connected, with a PBX that writes recordings after the call ends."""
    async with demo_world(
        "zoho", tmp_path, lambda _line: None, recording_delays=delays, **overrides
    ) as world:
        world.pbx.cdr_store.late_recordings = True
        await world.host.start()
        await asyncio.wait_for(world.host.connected(), 10)
        yield world


async def test_a_late_recording_is_patched_into_the_logged_call(tmp_path: Path) -> None:
    async with late_world(tmp_path, (1.0, 2.0), settings_overrides=LINKS) as world:
        call_id = await world.pbx.inbound("+14155550101", "1001", talk=0.2)
        crm = world.crm

        async def logged(with_recording: bool) -> str:
            """The call's log as soon as it is in the CRM (with its recording link, when asked)."""
            for _ in range(200):
                logs = [log for log in crm.call_logs() if log.idempotency_key == f"{call_id}:1001"]
                if logs and (logs[0].recording_url or not with_recording):
                    return logs[0].recording_url
                await asyncio.sleep(0.05)
            raise AssertionError("the call log did not reach the CRM")

        await logged(with_recording=False)
        assert [log.recording_url for log in crm.call_logs()] == [""], "the 30012 named no recording"
        assert world.pbx.cdr_store.publish_recordings() == [call_id]
        link = await logged(with_recording=True)
        assert link.startswith("http://127.0.0.1:") and "/recordings/" in link
        assert "access_token" not in link
        assert len(crm.call_logs()) == 1


async def test_a_late_recording_is_uploaded_when_it_arrives(tmp_path: Path) -> None:
    async with late_world(tmp_path, (1.0, 2.0)) as world:
        call_id = await world.pbx.inbound("+14155550101", "1001", talk=0.2)
        api = world.crm.api  # type: ignore[attr-defined]
        for _ in range(200):
            if world.crm.call_logs():
                break
            await asyncio.sleep(0.05)
        assert api.attachments == {}, "no recording yet"
        assert world.pbx.cdr_store.publish_recordings() == [call_id]
        for _ in range(200):
            if api.attachments:
                break
            await asyncio.sleep(0.05)
        [attachment] = api.attachments.values()
        assert attachment["Parent_Id"]["id"] == world.crm.call_logs()[0].id
        assert api.files.read(attachment["id"])[:4] == b"RIFF"
        [logged] = world.crm.call_logs()
        assert logged.recording_url.endswith(f"/Calls/{logged.id}/Attachments/{attachment['id']}")
        assert "127.0.0.1:" not in logged.description, "uploaded, not linked"


async def test_calls_ending_together_are_looked_for_in_one_cdr_search(tmp_path: Path) -> None:
    """A burst of calls without a file costs one CDR search per attempt, not one per call."""
    async with late_world(tmp_path, (1.0, 1.0), settings_overrides=LINKS) as world:
        searches: list[object] = []
        search = world.host.pbx.search_cdr

        async def counted(*args: object) -> object:
            searches.append(args)
            return await search(*args)  # type: ignore[arg-type]

        world.host.pbx.search_cdr = counted  # type: ignore[method-assign]
        numbers = ("+14155550101", "+14155550102", "+14155550103")
        calls = await asyncio.gather(*(world.pbx.inbound(n, "1001", talk=0.2) for n in numbers))
        for _ in range(100):
            if len(world.crm.call_logs()) == 3:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.5)
        assert len(searches) == 1, "the three calls share the first search"
        assert sorted(world.pbx.cdr_store.publish_recordings()) == sorted(calls)
        for _ in range(100):
            if all(log.recording_url for log in world.crm.call_logs()):
                break
            await asyncio.sleep(0.05)
        assert len(searches) == 2, "and the second"
        assert [bool(log.recording_url) for log in world.crm.call_logs()] == [True, True, True]


async def test_calls_ending_moments_apart_share_one_cdr_search(tmp_path: Path) -> None:
    """Every search reads the PBX's whole window of calls: calls of a burst that end a second or two
    apart are looked for together (a call center's storm cost a search per second and stalled the app)."""
    async with late_world(tmp_path, (8.0,), settings_overrides=LINKS) as world:
        searched: list[set[str]] = []
        search = world.host.pbx.search_cdr

        async def counted(start: Any, end: Any, uids: Any = None) -> Any:
            searched.append(set(uids))
            return await search(start, end, uids)

        world.host.pbx.search_cdr = counted  # type: ignore[method-assign]

        async def later(number: str, wait: float) -> str:
            await asyncio.sleep(wait)
            return await world.pbx.inbound(number, "1001", talk=0.2)

        first, second = await asyncio.gather(later("+14155550101", 0), later("+14155550102", 1.5))
        for _ in range(200):
            if searched:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)
        assert searched == [{first, second}]


async def test_the_search_asks_for_seconds_around_the_pbx_time_of_the_call_even_when_its_clock_is_off(
    tmp_path: Path,
) -> None:
    """The PBX's own time of the call (30012 `time_start`) sets the search window: a few seconds, not
    minutes around our receive time, and still the right ones when the PBX clock is 5 minutes fast."""
    async with late_world(tmp_path, (1.0, 2.0), settings_overrides=LINKS) as world:
        world.pbx.clock.skew = dt.timedelta(minutes=5)
        windows: list[tuple[dt.datetime, dt.datetime]] = []
        search = world.host.pbx.search_cdr

        async def watched(start: Any, end: Any, uids: Any = None) -> Any:
            windows.append((start, end))
            return await search(start, end, uids)

        world.host.pbx.search_cdr = watched  # type: ignore[method-assign]
        call_id = await world.pbx.inbound("+14155550101", "1001", talk=0.2)
        for _ in range(200):
            if world.crm.call_logs():
                break
            await asyncio.sleep(0.05)
        assert world.pbx.cdr_store.publish_recordings() == [call_id]
        for _ in range(200):
            if world.crm.call_logs()[0].recording_url:
                break
            await asyncio.sleep(0.05)
        assert world.crm.call_logs()[0].recording_url, "found, though our clock is 5 minutes behind the PBX's"
        [record] = [r for r in world.pbx.cdr_store.records if r.call_id == call_id]
        start, end = windows[-1]
        assert start <= record.started <= end and end - start < dt.timedelta(seconds=15), (start, end)


def test_calls_due_together_but_minutes_apart_are_searched_in_windows_of_their_own() -> None:
    """One burst's second search can fall due beside a later burst's first: one window over both would
    read every call the PBX had in between (up to 60 pages of 250 rows in a storm) to find a few."""
    t0 = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)

    def watched(call_id: str, start_s: float, talk_s: float = 20) -> tuple[int, _Watched]:
        start = t0 + dt.timedelta(seconds=start_s)
        return 1, _Watched(call_id, start - dt.timedelta(seconds=5), start + dt.timedelta(seconds=talk_s + 5))

    early = [watched("a", 0), watched("b", 1.5), watched("c", 24)]  # one burst: windows overlap in a chain
    late = [watched("d", 95), watched("e", 96)]  # 90 s on
    windows = search_windows([late[1], *early, late[0]])
    assert [[call.call_id for _n, call in window] for window in windows] == [["a", "b", "c"], ["d", "e"]]
    spans = [
        (min(call.since for _n, call in window), max(call.until for _n, call in window)) for window in windows
    ]
    assert spans[0][1] < spans[1][0], "nothing between the bursts is read"
