"""Host registration per browser and OS (files where each browser looks, the Windows registry), the launcher
script, and the reproducible extension zip."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from linkus_companion import paths
from linkus_companion.admin.doctor_local import browser_findings
from linkus_companion.platform.extension_pack import extension_dir, pack
from linkus_companion.platform.native_manifest import BROWSERS, Registration
from linkus_companion.platform.native_messaging import CHROME_ORIGIN, FIREFOX_EXTENSION_ID, HOST_NAME
from tests.platform.platform_fakes import FakeRegistry


def test_linux_per_user_manifests_name_only_our_extension(tmp_path: Path) -> None:
    reg = Registration(platform="linux", home=tmp_path)
    written = reg.install(["/usr/bin/linkus-companion"])
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        f".config/google-chrome/NativeMessagingHosts/{HOST_NAME}.json",
        f".config/microsoft-edge/NativeMessagingHosts/{HOST_NAME}.json",
        f".config/chromium/NativeMessagingHosts/{HOST_NAME}.json",
        f".mozilla/native-messaging-hosts/{HOST_NAME}.json",
    ]
    chrome = json.loads(written[0].read_text())
    firefox = json.loads(written[3].read_text())
    assert chrome["allowed_origins"] == [CHROME_ORIGIN] and "allowed_extensions" not in chrome
    assert firefox["allowed_extensions"] == [FIREFOX_EXTENSION_ID] and "allowed_origins" not in firefox
    assert chrome["name"] == HOST_NAME and chrome["type"] == "stdio"
    launcher = Path(chrome["path"])
    assert launcher.is_absolute() and launcher.stat().st_mode & 0o111
    assert "'/usr/bin/linkus-companion' native-host" in launcher.read_text() or (
        "/usr/bin/linkus-companion native-host" in launcher.read_text()
    )
    assert reg.problems() == []
    written[1].write_text("{}")
    assert reg.problems() == [f"edge: the manifest at {written[1]} is outdated or changed"]
    reg.uninstall()
    assert not any(p.exists() for p in written) and not launcher.exists()
    assert len(reg.problems()) == 1 + len(BROWSERS)


def test_machine_wide_paths_on_linux_and_macos(tmp_path: Path) -> None:
    linux = Registration(platform="linux", all_users=True, root=tmp_path)
    assert (
        linux.manifest_path("chrome") == tmp_path / f"etc/opt/chrome/native-messaging-hosts/{HOST_NAME}.json"
    )
    assert (
        linux.manifest_path("firefox")
        == tmp_path / f"usr/lib/mozilla/native-messaging-hosts/{HOST_NAME}.json"
    )
    mac = Registration(platform="darwin", home=Path("/Users/ada"))
    assert mac.manifest_path("edge") == Path(
        f"/Users/ada/Library/Application Support/Microsoft Edge/NativeMessagingHosts/{HOST_NAME}.json"
    )
    assert Registration(platform="darwin", all_users=True).manifest_path("chrome") == Path(
        f"/Library/Google/Chrome/NativeMessagingHosts/{HOST_NAME}.json"
    )


def test_windows_registers_each_browser_in_the_registry(tmp_path: Path) -> None:
    registry = FakeRegistry()
    reg = Registration(platform="win32", registry=registry)
    written = reg.install([r"C:\Program Files\Linkus Companion\linkus-companion.exe"])
    assert registry.read(rf"HKCU\Software\Google\Chrome\NativeMessagingHosts\{HOST_NAME}", "") == str(
        written[0]
    )
    assert registry.read(rf"HKCU\Software\Mozilla\NativeMessagingHosts\{HOST_NAME}", "") == str(written[3])
    script = reg.launcher().read_bytes().decode()
    assert (
        script.startswith("@echo off\r\n")
        and r'"C:\Program Files\Linkus Companion\linkus-companion.exe"' in script
    )
    assert script.rstrip().endswith('"native-host" %*')
    assert reg.problems() == []
    registry.delete_key(rf"HKCU\Software\Microsoft\Edge\NativeMessagingHosts\{HOST_NAME}")
    assert reg.problems() == [
        rf"edge: the registry key HKCU\Software\Microsoft\Edge\NativeMessagingHosts\{HOST_NAME} is missing"
    ]
    assert (
        Registration(platform="win32", all_users=True)
        .registry_key("chromium")
        .startswith("HKLM\\Software\\Chromium")
    )


def test_the_cli_installs_into_one_chromium_profile_and_the_launcher_runs_the_host(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    done = subprocess.run(
        [sys.executable, "-m", "linkus_companion", "browser-extension", "install", "--profile", str(profile)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    manifest = json.loads((profile / "NativeMessagingHosts" / f"{HOST_NAME}.json").read_text())
    assert str(extension_dir()) in done.stdout
    assert paths.HOME_ENV in Path(manifest["path"]).read_text()
    reply = subprocess.run(
        [manifest["path"], CHROME_ORIGIN], input=b"", capture_output=True, timeout=60, check=False
    )
    assert reply.returncode == 0 and reply.stdout == b""


def test_the_extension_zip_is_reproducible_and_complete(tmp_path: Path) -> None:
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    names = pack(extension_dir(), first)
    (tmp_path / "later").touch()
    pack(extension_dir(), second)
    assert first.read_bytes() == second.read_bytes()
    assert {"manifest.json", "background.js", "content.js", "numbers.js", "popup.html"} <= set(names)
    assert {"_locales/en/messages.json", "_locales/zh_CN/messages.json"} <= set(names)
    with zipfile.ZipFile(first) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["manifest_version"] == 3
    assert manifest["browser_specific_settings"]["gecko"]["id"] == FIREFOX_EXTENSION_ID


def test_every_locale_has_every_message() -> None:
    locales = extension_dir() / "_locales"
    en = json.loads((locales / "en" / "messages.json").read_text(encoding="utf-8"))
    zh = json.loads((locales / "zh_CN" / "messages.json").read_text(encoding="utf-8"))
    assert en.keys() == zh.keys()
    assert all(zh[k]["message"] != en[k]["message"] for k in en if k not in ("popupPbx",))
    used = "".join(
        p.read_text(encoding="utf-8")
        for p in extension_dir().glob("*.*")
        if p.suffix in (".js", ".html", ".json")
    )
    assert all(k in used for k in en)


def test_doctor_reports_the_host_optional_when_absent_and_a_problem_when_broken(tmp_path: Path) -> None:
    reg = Registration(platform="linux", home=tmp_path)
    (absent,) = browser_findings(reg)
    assert not absent.problem and "browser-extension install" in absent.text
    reg.install(["/usr/bin/linkus-companion"])
    (fine,) = browser_findings(reg)
    assert not fine.problem and "chrome" in fine.text
    reg.manifest_path("firefox").unlink()
    (broken,) = browser_findings(reg)
    assert broken.problem and "firefox" in broken.text and "browser-extension install" in broken.text
