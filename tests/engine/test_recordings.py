"""Recording links: stable, token-free URLs that stream the PBX recording, with clear failure pages."""

from __future__ import annotations

import dataclasses
import io
import logging
import wave
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from linkus_companion import paths
from linkus_companion.engine.recordings import RecordingLinks
from linkus_companion.pbx.client import PbxClient
from linkus_companion.serving import RunningServer, serving
from linkus_companion.sim.pbx import PbxSimulator
from linkus_companion.store import Store

PUBLIC = "https://calls.example.test/linkus"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
AUDIO_TAG = {"Accept": "audio/webm,audio/ogg,audio/wav,audio/*;q=0.9,*/*;q=0.5"}


@dataclass
class Setup:
    sim: PbxSimulator
    pbx: PbxClient
    links: RecordingLinks
    server: RunningServer
    http: httpx.AsyncClient
    store: Store

    def local(self, link: str) -> str:
        """Where the link's path is served in this test (the public base is a made-up host)."""
        return self.server.base_url + urlsplit(link).path.removeprefix("/linkus")

    async def recorded_call(self) -> tuple[str, str]:
        """An answered inbound call; returns its call id and recording file name."""
        call_id = await self.sim.inbound("+14155550132", "1001", talk=0.05)
        row = next(r for r in self.sim.cdr() if r["uid"] == call_id)
        return call_id, str(row["record_file"])


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[Setup]:
    store = Store.open(tmp_path / "store.db")
    async with (
        PbxSimulator(step=0.02) as sim,
        PbxClient(sim.base_url, sim.client_id, sim.client_secret) as pbx,
        httpx.AsyncClient(timeout=10) as http,
    ):
        links = RecordingLinks(store, pbx, PUBLIC)
        async with serving(links.app()) as server:
            yield Setup(sim, pbx, links, server, http, store)
    store.close()


def channels_and_rate(audio: bytes) -> tuple[int, int, int]:
    with wave.open(io.BytesIO(audio)) as wav:
        return wav.getnchannels(), wav.getframerate(), wav.getnframes()


async def test_a_link_plays_the_recording_and_carries_no_pbx_secret(
    setup: Setup, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    call_id, file = await setup.recorded_call()
    link = setup.links.link_for(call_id, file)
    token = (await setup.pbx.token()).access
    assert link.startswith(PUBLIC + "/recordings/")
    for secret in (token, file, call_id, setup.sim.base_url):
        assert secret not in link
    response = await setup.http.get(setup.local(link), headers=AUDIO_TAG)
    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/wav"
    assert channels_and_rate(response.content) == (1, 8000, 8000)
    assert all(token not in record.getMessage() for record in caplog.records)


async def test_the_link_is_stable_and_keeps_playing_after_pbx_download_urls_expire(setup: Setup) -> None:
    call_id, file = await setup.recorded_call()
    link = setup.links.link_for(call_id, file)
    assert setup.links.link_for(call_id, file) == link
    other_call, other_file = await setup.recorded_call()
    assert setup.links.link_for(other_call, other_file) != link
    first = await setup.http.get(setup.local(link))
    setup.sim.tickets.expire_all()
    again = await setup.http.get(setup.local(link))
    assert first.status_code == again.status_code == 200
    assert again.content == first.content


async def test_a_browser_gets_a_player_page_whose_audio_plays(setup: Setup) -> None:
    link = setup.links.link_for(*await setup.recorded_call())
    page = await setup.http.get(setup.local(link), headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<audio controls" in page.text
    assert (await setup.pbx.token()).access not in page.text
    source = page.text.split('src="', 1)[1].split('"', 1)[0]
    audio = await setup.http.get(str(page.url.join(source)), headers=AUDIO_TAG)
    assert audio.status_code == 200
    assert channels_and_rate(audio.content)[1] == 8000


async def test_the_player_and_its_refusals_are_in_the_browsers_language(setup: Setup) -> None:
    link = setup.links.link_for(*await setup.recorded_call())
    chinese = BROWSER | {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
    page = await setup.http.get(setup.local(link), headers=chinese)
    assert page.status_code == 200 and '<html lang="zh-CN">' in page.text
    assert "通话录音" in page.text and "下载录音" in page.text and "Download" not in page.text
    assert page.headers["content-language"] == "zh-CN" and "<audio controls" in page.text
    english = await setup.http.get(setup.local(link), headers=BROWSER | {"Accept-Language": "de, en;q=0.5"})
    assert "Download the recording" in english.text and '<html lang="en">' in english.text
    unknown = await setup.http.get(setup.server.base_url + "/recordings/not-a-link", headers=chinese)
    assert unknown.status_code == 404 and "此录音链接未知" in unknown.text and "unknown" not in unknown.text
    # A player (an <audio> element, the CRM's own player) is refused in the listener's language too.
    played = await setup.http.get(
        setup.server.base_url + "/recordings/not-a-link", headers=AUDIO_TAG | {"Accept-Language": "zh-CN"}
    )
    assert played.status_code == 404 and played.headers["content-type"].startswith("text/plain")
    assert "此录音链接未知" in played.text and "unknown" not in played.text
    assert played.headers["content-language"] == "zh-CN"


async def test_an_unknown_link_is_not_found(setup: Setup) -> None:
    link = setup.links.link_for(*await setup.recorded_call())
    forged = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")
    for url in (
        setup.local(forged),
        setup.server.base_url + "/recordings/not-a-link",
        setup.local(link) + "x",
    ):
        response = await setup.http.get(url, headers=BROWSER)
        assert response.status_code == 404
        assert "unknown" in response.text


async def test_a_recording_deleted_on_the_pbx_says_so(setup: Setup) -> None:
    call_id, file = await setup.recorded_call()
    link = setup.links.link_for(call_id, file)
    records = setup.sim.cdr_store.records
    records[:] = [dataclasses.replace(r, recording="") if r.recording == file else r for r in records]
    for headers in (BROWSER, AUDIO_TAG):
        response = await setup.http.get(setup.local(link), headers=headers)
        assert response.status_code == 410
        assert "This recording was deleted on the PBX" in response.text
        assert "Traceback" not in response.text


async def test_an_unreachable_pbx_gives_a_sentence_not_a_stack_trace(setup: Setup) -> None:
    link = setup.links.link_for(*await setup.recorded_call())
    await setup.sim.stop()
    response = await setup.http.get(setup.local(link), headers=BROWSER)
    assert response.status_code == 502
    assert "could not be fetched from the PBX" in response.text
    assert "Traceback" not in response.text


async def test_a_listener_who_gives_up_on_a_slow_pbx_does_not_block_the_next_one(setup: Setup) -> None:
    link = setup.links.link_for(*await setup.recorded_call())
    setup.sim.stall_downloads = True
    with pytest.raises(httpx.ReadTimeout):
        await setup.http.get(setup.local(link), timeout=0.5)
    setup.sim.stall_downloads = False
    replay = await setup.http.get(setup.local(link))
    assert replay.status_code == 200
    assert channels_and_rate(replay.content)[2] == 8000


async def test_a_player_gets_ranges_and_a_revoked_or_expired_link_stops_playing(setup: Setup) -> None:
    call_id, file = await setup.recorded_call()
    link = setup.links.link_for(call_id, file)
    whole = await setup.http.get(setup.local(link), headers=AUDIO_TAG)
    part = await setup.http.get(setup.local(link), headers={**AUDIO_TAG, "Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == whole.content[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(whole.content)}"
    assert whole.headers["referrer-policy"] == "no-referrer" and "set-cookie" not in whole.headers
    assert setup.links.revoke_call(call_id) == 1
    for headers in (AUDIO_TAG, BROWSER):
        gone = await setup.http.get(setup.local(link), headers=headers)
        assert gone.status_code == 410 and "withdrawn" in gone.text
    assert not list((paths.cache_dir() / "recording-cache").glob("*")), "its cached audio is gone too"
    expiring = RecordingLinks(setup.store, setup.pbx, PUBLIC, link_days=1)
    other = expiring.link_for(*await setup.recorded_call())
    with setup.store.transaction() as db:
        db.execute("UPDATE recording_links SET expires_at = '2000-01-01T00:00:00+00:00'")
    assert (await setup.http.get(setup.local(other), headers=AUDIO_TAG)).status_code == 410


async def test_admin_deletes_a_calls_recording_on_request(
    setup: Setup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from linkus_companion.cli import main

    call_id, file = await setup.recorded_call()
    link = setup.links.link_for(call_id, file)
    assert (await setup.http.get(setup.local(link), headers=AUDIO_TAG)).status_code == 200
    assert list((paths.cache_dir() / "recording-cache").glob("*")), "played once: cached"
    assert main(["admin", "delete-recording", call_id, "--store", str(tmp_path / "store.db")]) == 0
    assert "1 link(s) withdrawn" in capsys.readouterr().out
    assert (await setup.http.get(setup.local(link), headers=AUDIO_TAG)).status_code == 410
    assert not list((paths.cache_dir() / "recording-cache").glob("*"))
