"""The desktop demo's click to call: a Chromium with our extension in a throwaway profile, on the CRM emulator."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from linkus_companion.platform.extension_pack import extension_dir
from linkus_companion.platform.native_manifest import Registration
from linkus_companion.texts import Text
from linkus_companion.tls import spki_pin

BROWSERS = ("chromium", "chromium-browser", "microsoft-edge", "google-chrome")
"""Tried in order; branded Chrome 137+ ignores --load-extension, so it comes last."""


def browser_command(binary: str, profile: Path, ca_files: Sequence[Path], urls: Sequence[str]) -> list[str]:
    """Chromium-family command line: our extension only, the emulator's CA trusted by its key, the pages open."""
    source = str(extension_dir())
    args = [
        binary,
        f"--user-data-dir={profile}",
        f"--load-extension={source}",
        f"--disable-extensions-except={source}",
        "--disable-features=DisableLoadExtensionCommandLineSwitch",
        "--no-first-run",
        "--no-default-browser-check",
    ]
    if ca_files:
        args.append(f"--ignore-certificate-errors-spki-list={','.join(spki_pin(p) for p in ca_files)}")
    return [*args, *urls]


def open_browser(
    profile: Path, ca_files: Sequence[Path], urls: Sequence[str], say: Callable[[str], None]
) -> subprocess.Popen[bytes] | None:
    """Start the browser with our native host registered in its profile; None (and why) when there is none."""
    binary = next((found for name in BROWSERS if (found := shutil.which(name))), None)
    if binary is None:
        say(
            Text("click to call: no Chromium, Edge or Chrome found; install one to try the browser extension")
        )
        return None
    profile.mkdir(parents=True, exist_ok=True)
    Registration(profile=profile).install(browsers=("chromium",))
    say(
        Text(
            "click to call: {browser} opens {url} — click the call button beside a number",
            browser=Path(binary).name,
            url=urls[0],
        )
    )
    command = browser_command(binary, profile, ca_files, urls)
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603 - a browser on PATH
