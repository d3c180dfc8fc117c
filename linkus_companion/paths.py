"""Where the app keeps its files: the platform's user dirs and the admin policy dir."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from linkus_companion import APP_ID, APP_NAME

HOME_ENV = "LINKUS_COMPANION_HOME"
"""When set, every user dir (config, data, log, cache) lives under this directory."""
POLICY_ENV = "LINKUS_COMPANION_POLICY_DIR"
"""When set (and the app is not a frozen build), the admin policy dir is this directory."""


_LINUX: bool = sys.platform.startswith("linux")


def _dirs() -> platformdirs.PlatformDirs:
    name = APP_ID if _LINUX else APP_NAME
    return platformdirs.PlatformDirs(name, appauthor=False)


def _user_dir(kind: str) -> Path:
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home) / kind
    return Path(getattr(_dirs(), f"user_{kind}_dir"))


def resource_dir() -> Path:
    """`resources/` of a PyInstaller bundle, of an installed wheel (`linkus_companion/resources`), or
    of the source tree next to the package."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    package = Path(__file__).resolve().parent
    installed = package / "resources"
    return installed if installed.is_dir() else package.parent / "resources"


def config_dir() -> Path:
    """The user's config dir (settings file)."""
    return _user_dir("config")


def data_dir() -> Path:
    """The user's data dir (SQLite store)."""
    return _user_dir("data")


def log_dir() -> Path:
    """The user's log dir."""
    return _user_dir("log")


def cache_dir() -> Path:
    """The user's cache dir."""
    return _user_dir("cache")


def policy_dir() -> Path:
    """The admin-owned dir holding `managed/` (locked) and `recommended/` JSON policy files.

    `/etc/linkus-companion` on Linux, `%ProgramData%\\Linkus Companion` on Windows,
    `/Library/Application Support/Linkus Companion` on macOS. A frozen build ignores
    LINKUS_COMPANION_POLICY_DIR so a user cannot point it away from the admin's locks.
    """
    override = os.environ.get(POLICY_ENV)
    if override and not getattr(sys, "frozen", False):
        return Path(override)
    if _LINUX:
        return Path("/etc") / APP_ID
    return Path(_dirs().site_config_dir)


def settings_file() -> Path:
    """The user's own settings (JSON)."""
    return config_dir() / "settings.json"


def database_file() -> Path:
    """The SQLite store."""
    return data_dir() / "linkus-companion.sqlite3"
