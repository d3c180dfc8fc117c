"""Screenshots of the browser extension on a CRM emulator's record page and of its popup, in English and Chinese.

    .venv/bin/python tests/ui/render_extension_screenshots.py docs/screenshots

Runs the desktop shell on the PBX simulator and the HubSpot emulator, headless Chromium with the unpacked
extension, clicks Grace Hopper's number (a real call through the simulator) and writes
`extension-record-<lang>.png` and `extension-popup-<lang>.png`.
"""

from __future__ import annotations

import asyncio
import base64
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtWidgets import QApplication

from linkus_companion import paths
from linkus_companion.config import Settings
from linkus_companion.config.userfile import UserFile
from linkus_companion.demo import throwaway_keyring
from linkus_companion.platform import single_instance
from linkus_companion.platform.native_messaging import CHROME_ORIGIN
from tests.ui.headless_chromium import Target, chromium
from tests.ui.test_desktop_acceptance import EXTENSION, running_desk

GRACE = "4155550102"
BUTTON = (
    "(() => { const b = document.querySelector('.linkus-call'); if (!b) return null;"
    " const r = b.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()"
)


async def shoot(page: Target, out: Path, width: int, height: int) -> None:
    await page.call(
        "Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False
    )
    await asyncio.sleep(0.3)
    shot = await page.call("Page.captureScreenshot", format="png")
    out.write_bytes(base64.b64decode(shot["data"]))  # noqa: ASYNC240 (a script, not the app)
    print(out)


async def render(out_dir: Path, home: Path) -> None:
    settings = Settings(UserFile(home / "user.json"))
    settings.set_user("pbx.extensions", (EXTENSION,))
    async with running_desk(home / "demo", settings) as desk:
        desk.world.pbx.dial_talk = 0.2
        server = single_instance.InstanceServer(single_instance.server_name())
        server.listen()
        server.got_request.connect(desk.shell.handle_request)
        hubspot = desk.world.crm
        record = desk.world.people.known[f"+1{GRACE}"]
        url = f"{hubspot.base_url}/contacts/{hubspot.hub_id}/record/0-1/{record}"  # type: ignore[attr-defined]
        try:
            for language in ("en", "zh_CN"):
                async with chromium(home / f"chromium-{language}", language=language) as browser:
                    async with browser.open(url) as page:
                        await page.call(
                            "Emulation.setDeviceMetricsOverride",
                            width=720,
                            height=330,
                            deviceScaleFactor=1,
                            mobile=False,
                        )
                        x, y = await page.until(BUTTON, "the call button")
                        await page.click(x, y)
                        await page.until("!!document.querySelector('.linkus-toast')", "the dial result")
                        await shoot(page, out_dir / f"extension-record-{language}.png", 720, 330)
                    await asyncio.sleep(1.5)
                    async with browser.open(f"{CHROME_ORIGIN}popup.html") as popup:
                        await popup.until("document.getElementById('pbx')?.textContent", "the popup")
                        await shoot(popup, out_dir / f"extension-popup-{language}.png", 340, 200)
        finally:
            server.close()


def main() -> None:
    out_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots").resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="linkus-shots-") as tmp, throwaway_keyring():
        os.environ[paths.HOME_ENV] = tmp
        with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
            runner.run(render(out_dir, Path(tmp)))


if __name__ == "__main__":
    main()
