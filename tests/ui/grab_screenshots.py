"""Grab the desktop app's real windows on a virtual screen with a tray host, in English and Chinese.

    .venv/bin/python tests/ui/grab_screenshots.py docs/screenshots [en] [zh_CN]

Needs Xvfb, openbox, trayer, xdotool and ImageMagick (`apt-get install xvfb openbox trayer xdotool
imagemagick fonts-noto-cjk`). For each language it starts a screen (Xvfb) with a window manager and a
tray host, runs the desktop app for extension 1001 on the PBX simulator and the HubSpot emulator (the
`linkus-companion demo` world), places calls on the simulator, opens windows as a user does (clicks on
the tray icon, its menu and the settings list, typing and keys through xdotool) and grabs what the X
server shows with `import`. Writes `<view>-<lang>.png`: the call panel with a known, an unknown and a
missed call (with the tray), Add to CRM, a card with a note, a CRM outage (panel and tray menu), the
tray menu, the call history and every settings page.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREEN = (1400, 900)
NOTE = {"en": "Wants a quote for 40 seats by Friday.", "zh_CN": "希望周五前收到 40 个席位的报价。"}
TOOLS = ("Xvfb", "openbox", "trayer", "xdotool", "import")


def main(argv: list[str]) -> int:
    """Grab every view in each language asked for (default both), each in a fresh app and screen."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing or len(argv) < 2:
        print(__doc__, file=sys.stderr)
        print(f"missing: {', '.join(missing)}" if missing else "", file=sys.stderr)
        return 2
    out = Path(argv[1]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for language in argv[2:] or ["en", "zh_CN"]:
        with screen() as display:
            env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT)}
            done = subprocess.run(
                [sys.executable, __file__, "--app", language, str(out)], env=env, timeout=300, check=False
            )
            failed += done.returncode != 0
    return 1 if failed else 0


@contextlib.contextmanager
def screen() -> Iterator[str]:
    """A free X display with openbox and trayer (docked bottom right) on it."""
    number = next(n for n in range(90, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    display = f":{number}"
    started: list[subprocess.Popen[bytes]] = []
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    try:
        size = f"{SCREEN[0]}x{SCREEN[1]}x24"
        started.append(subprocess.Popen(["Xvfb", display, "-screen", "0", size, "-nolisten", "tcp"], **quiet))
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        env = {**os.environ, "DISPLAY": display}
        started.append(subprocess.Popen(["openbox"], env=env, **quiet))
        time.sleep(0.5)
        tray = ["trayer", "--edge", "bottom", "--align", "right", "--widthtype", "request", "--height", "32"]
        tray += [
            "--transparent",
            "false",
            "--tint",
            "0x333333",
            "--SetDockType",
            "true",
            "--SetPartialStrut",
            "true",
        ]
        started.append(subprocess.Popen(tray, env=env, **quiet))
        time.sleep(0.8)
        yield display
    finally:
        for process in reversed(started):
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(5)


# --- inside the app's process ----------------------------------------------------------------------


def app(language: str, out: Path) -> int:
    """The desktop app on the demo world, with the grabbing script running beside it."""
    from linkus_companion.app import run_app
    from linkus_companion.config.settings import Settings
    from linkus_companion.config.userfile import UserFile
    from linkus_companion.demo import throwaway_keyring
    from linkus_companion.local_backend import LocalBackend

    with tempfile.TemporaryDirectory(prefix="linkus-shots-") as tmp, throwaway_keyring():
        home = Path(tmp)
        os.environ["LINKUS_COMPANION_HOME"] = tmp
        settings = Settings(UserFile(home / "settings.json"))
        settings.set_user("pbx.extensions", ("1001",))
        settings.set_user("ui.language", language)
        return run_app(
            lambda app_settings: LocalBackend(lambda: _host(home, app_settings, language, out), "1001"),
            settings,
            [sys.argv[0]],
        )


@contextlib.asynccontextmanager
async def _host(home: Path, settings: object, language: str, out: Path) -> AsyncIterator[object]:
    from linkus_companion import demo

    say = lambda line: print(line, flush=True)  # noqa: E731
    overrides = {"create.mode": "manual"}  # the unknown caller stays unknown: its card offers Add to CRM
    async with demo.demo_world(
        "hubspot", home, say, settings=settings, settings_overrides=overrides
    ) as world:
        async with demo.running(Grabber(world, language, out).run()):
            yield world.host


class Grabber:
    """Places the calls and opens the windows of each view, then grabs the screen."""

    def __init__(self, world: object, language: str, out: Path) -> None:
        self.world = world
        self.language = language
        self.out = out

    async def run(self) -> None:
        try:
            await self.world.host.connected()
            await asyncio.sleep(2.0)  # the tray host embeds the icon
            await self.calls()
            await self.add_dialog()
            await self.note()
            await self.tray_menu("tray-menu")
            await self.outage()
            await self.history()
            await self.settings()
        except Exception:
            import traceback

            traceback.print_exc()
            os._exit(1)
        finally:
            self.world.pbx.calls.hang_up_all()
        os.kill(os.getpid(), signal.SIGINT)

    # -- views --------------------------------------------------------------------------------------

    async def calls(self) -> None:
        """A missed call, a known caller talking and an unknown caller ringing."""
        pbx, known = self.world.pbx, list(self.world.people.known)
        await pbx.inbound(known[3], "1001", answer=False)
        self._play(pbx.inbound(known[0], "1001", talk=3600))
        await asyncio.sleep(1.0)
        pbx.calls.step = 3600  # the next call rings until the end
        self._play(pbx.inbound("+16285550188", "1001", answer=False))
        await asyncio.sleep(2.5)
        await self.grab_scene("call-panel")

    async def add_dialog(self) -> None:
        """Add to CRM on the unknown caller's card, the name typed in."""
        card = next(c for c in self._panel().cards() if c._add.isVisible())
        await self.click(card._add)
        await asyncio.sleep(1.0)
        dialog = self._window("AddRecordDialog")
        for field, text in (
            (dialog.first_name, "Carol"),
            (dialog.last_name, "Danvers"),
            (dialog.company, "Stark"),
        ):
            await self.click(field)
            await self.xdotool("type", "--delay", "30", text)
        await asyncio.sleep(0.5)
        await self.grab_window(dialog, "add-dialog")
        await self.xdotool("key", "Escape")
        await asyncio.sleep(0.5)

    async def note(self) -> None:
        """The user types a note on the known caller's card, picks an outcome and saves it."""
        card = next(c for c in self._panel().cards() if c.call.chosen is not None)
        await self.click(card._note)
        await self.xdotool("type", "--delay", "40", NOTE[self.language])
        await self.xdotool("key", "Tab", "Down", "Down", "Tab", "Return")
        await asyncio.sleep(1.5)
        await self.grab_window(self._panel(), "call-panel-note")

    async def outage(self) -> None:
        """The CRM goes down: the next caller's lookup fails, the status and the panel say so."""
        self.world.crm.set_outage(True)
        for card in self._panel().cards():
            if card.call.phase.value == "ended":
                await self.click(card._dismiss)
        pbx = self.world.pbx
        pbx.calls.step = 0.05
        pbx.calls.hang_up_all()
        await asyncio.sleep(1.5)  # two call logs now wait for HubSpot
        pbx.calls.step = 3600
        self._play(pbx.inbound(list(self.world.people.known)[1], "1001", answer=False))
        await asyncio.sleep(4.0)
        await self.grab_scene("call-panel-crm-failing")
        await self.tray_menu("tray-crm-failing")

    async def history(self) -> None:
        """The calls so far, two of them waiting for HubSpot; the panel emptied first (it stays on top)."""
        pbx = self.world.pbx
        pbx.calls.step = 0.05
        pbx.calls.hang_up_all()
        await asyncio.sleep(1.5)
        await self.close_balloon()
        await self.click(self._panel()._dismiss_all)
        await asyncio.sleep(0.5)
        await self.menu_item("history_action")
        await asyncio.sleep(1.5)
        await self.grab_window(self._window("HistoryWindow"), "history")
        await self.xdotool("key", "Escape")

    async def settings(self) -> None:
        """Every page of the settings, chosen in the page list."""
        from linkus_companion.ui.settings.dialog import PAGES

        self.world.crm.set_outage(False)
        await self.menu_item("settings_action")
        await asyncio.sleep(1.5)
        dialog = self._window("SettingsDialog")
        for row, (title, _groups) in enumerate(PAGES):
            item = dialog.nav.item(row)
            rect = dialog.nav.visualItemRect(item)
            await self.click(dialog.nav.viewport(), rect.center())
            await asyncio.sleep(0.6)
            await self.grab_window(dialog, "settings-" + str(title).lower().replace(" ", "-"))

    # -- user input -----------------------------------------------------------------------------------

    async def tray_menu(self, name: str) -> None:
        """Right-click the tray icon and grab the menu with the tray."""
        from PySide6.QtWidgets import QApplication

        await self.open_tray_menu()
        menu = QApplication.activePopupWidget()
        if menu is None:
            await self._run("import", "-window", "root", "/tmp/panel/debug.png")
            raise RuntimeError("no menu")
        await self.grab_region(name, menu.frameGeometry())
        await self.xdotool("key", "Escape")
        await asyncio.sleep(0.3)

    async def open_tray_menu(self) -> None:
        x, y = await self.tray_icon()
        await self.xdotool("mousemove", str(x), str(y), "click", "3")
        await asyncio.sleep(0.8)

    async def menu_item(self, name: str) -> None:
        """Open the tray menu and click one of its items."""
        from PySide6.QtWidgets import QApplication

        await self.open_tray_menu()
        menu = QApplication.activePopupWidget()
        rect = menu.actionGeometry(getattr(menu, name))
        await self.click(menu, rect.center())

    async def tray_icon(self) -> tuple[int, int]:
        """The middle of our icon in the tray host, where Qt says the host put it."""
        rect = self._panel().locate_tray()
        if rect.isEmpty():
            raise RuntimeError("the tray host has not embedded the icon")
        return rect.center().x(), rect.center().y()

    async def close_balloon(self) -> None:
        """Click the incoming-call notification away (it brings the panel up), if one is shown."""
        from PySide6.QtWidgets import QApplication

        for widget in QApplication.topLevelWidgets():
            if widget.metaObject().className() == "QBalloonTip" and widget.isVisible():
                await self.click(widget)
                await asyncio.sleep(0.5)

    async def click(self, widget: object, point: object | None = None) -> None:
        from PySide6.QtCore import QPoint

        where = widget.mapToGlobal(point or QPoint(widget.width() // 2, widget.height() // 2))
        await self.xdotool("mousemove", str(where.x()), str(where.y()), "click", "1")
        await asyncio.sleep(0.3)

    async def xdotool(self, *args: str) -> str:
        return await self._run("xdotool", *args)

    # -- grabbing -------------------------------------------------------------------------------------

    async def grab_window(self, widget: object, name: str) -> None:
        """The window with its frame, as the window manager draws it."""
        await self.close_balloon()
        await self._run("import", "-frame", "-window", str(int(widget.winId())), self._path(name))

    async def grab_region(self, name: str, *rects: object) -> None:
        """The part of the screen around `rects` and the tray (bottom right)."""
        from PySide6.QtCore import QRect

        x, y = await self.tray_icon()
        box = QRect(x - 16, y - 16, 32, 32)
        for rect in rects:
            box = box.united(rect)
        box = box.adjusted(-12, -12, 12, 12).intersected(QRect(0, 0, *SCREEN))
        crop = f"{box.width()}x{box.height()}+{box.x()}+{box.y()}"
        with tempfile.NamedTemporaryFile(suffix=".png") as whole:
            await self._run("import", "-window", "root", whole.name)
            await self._run("convert", whole.name, "-crop", crop, "+repage", self._path(name))

    async def grab_scene(self, name: str) -> None:
        """The call panel docked by the tray."""
        await self.close_balloon()
        self._panel().flush()
        await asyncio.sleep(0.6)
        await self.grab_region(name, self._panel().frameGeometry())

    def _path(self, name: str) -> str:
        path = self.out / f"{name}-{self.language}.png"
        print(f"grabbed {path.name}", flush=True)
        return str(path)

    # -- helpers --------------------------------------------------------------------------------------

    def _play(self, call: object) -> None:
        task = asyncio.ensure_future(call)
        task.add_done_callback(lambda t: t.cancelled() or t.exception())

    def _panel(self) -> object:
        return self._window("CallPanel", shown=False)

    @staticmethod
    def _window(kind: str, shown: bool = True) -> object:
        from PySide6.QtWidgets import QApplication

        found = [
            w
            for w in QApplication.topLevelWidgets()
            if type(w).__name__ == kind and (w.isVisible() or not shown)
        ]
        if not found:
            raise RuntimeError(f"no {kind} window is open")
        return found[-1]

    @staticmethod
    async def _run(*command: str) -> str:
        process = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        stdout, stderr = await process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {stderr.decode(errors='replace').strip()}")
        return stdout.decode()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--app"]:
        sys.exit(app(sys.argv[2], Path(sys.argv[3])))
    sys.exit(main(sys.argv))
