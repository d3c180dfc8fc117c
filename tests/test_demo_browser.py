"""The desktop demo's browser for click to call: our extension only, the emulator's CA pinned, the host registered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linkus_companion.demo_browser import browser_command, open_browser
from linkus_companion.platform.extension_pack import extension_dir
from linkus_companion.platform.native_messaging import CHROME_ORIGIN, HOST_NAME
from linkus_companion.tls import generate, spki_pin


def test_the_command_loads_only_our_extension_and_pins_only_the_emulator_ca(tmp_path: Path) -> None:
    ca = generate(tmp_path / "tls").ca_file
    args = browser_command("chromium", tmp_path / "p", [ca], ["http://127.0.0.1:1/a", "http://127.0.0.1:1/b"])
    assert (
        f"--load-extension={extension_dir()}" in args
        and f"--disable-extensions-except={extension_dir()}" in args
    )
    assert f"--ignore-certificate-errors-spki-list={spki_pin(ca)}" in args
    assert not any(a == "--ignore-certificate-errors" for a in args)
    assert args[-2:] == ["http://127.0.0.1:1/a", "http://127.0.0.1:1/b"]
    assert not any("spki" in a for a in browser_command("chromium", tmp_path / "p", [], ["x"]))


def test_without_a_browser_the_demo_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    said: list[str] = []
    assert open_browser(tmp_path / "profile", [], ["http://127.0.0.1:1/"], said.append) is None
    assert "no Chromium" in said[0]


def test_the_host_is_registered_in_the_demo_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "bin" / "chromium"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent))
    said: list[str] = []
    process = open_browser(tmp_path / "profile", [], ["http://127.0.0.1:1/"], said.append)
    assert process is not None and process.wait(10) == 0
    manifest = json.loads((tmp_path / "profile" / "NativeMessagingHosts" / f"{HOST_NAME}.json").read_text())
    assert manifest["allowed_origins"] == [CHROME_ORIGIN]
    assert "click the call button" in said[0]
