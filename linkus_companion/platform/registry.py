"""The Windows registry behind a tiny interface, so registration code is tested with a dict on any OS."""

from __future__ import annotations

import sys
from typing import Protocol

Data = str | bytes
"""REG_SZ values are str, REG_BINARY values bytes."""


class Registry(Protocol):
    r"""Values under full key paths such as `HKCU\Software\Classes\tel` (hive first)."""

    def read(self, key: str, name: str) -> Data | None:
        """The value `name` (`""` is the key's default value), or None when absent."""

    def write(self, key: str, name: str, value: str) -> None:
        """Create the key if needed and store a REG_SZ value."""

    def delete_value(self, key: str, name: str) -> None:
        """Remove one value; nothing happens when it is absent."""

    def delete_key(self, key: str) -> None:
        """Remove a key with all its subkeys; nothing happens when it is absent."""


def _split_hive(key: str) -> tuple[str, str]:
    r"""`HKCU\Software\X` -> (`HKCU`, `Software\X`); ValueError for another hive."""
    hive, _, path = key.partition("\\")
    if hive not in ("HKCU", "HKLM"):
        raise ValueError(f"unsupported registry hive in {key!r}")
    return hive, path


if sys.platform == "win32":
    import winreg

    _HIVES = {"HKCU": winreg.HKEY_CURRENT_USER, "HKLM": winreg.HKEY_LOCAL_MACHINE}

    class WindowsRegistry:
        """The real registry through `winreg`."""

        def read(self, key: str, name: str) -> Data | None:
            """The value `name` of `key`, or None."""
            hive, path = _split_hive(key)
            try:
                with winreg.OpenKey(_HIVES[hive], path) as handle:
                    value, _kind = winreg.QueryValueEx(handle, name)
            except FileNotFoundError:
                return None
            return value if isinstance(value, str | bytes) else str(value)

        def write(self, key: str, name: str, value: str) -> None:
            """Store a REG_SZ value, creating the key."""
            hive, path = _split_hive(key)
            with winreg.CreateKeyEx(_HIVES[hive], path, 0, winreg.KEY_SET_VALUE) as handle:
                winreg.SetValueEx(handle, name, 0, winreg.REG_SZ, value)

        def delete_value(self, key: str, name: str) -> None:
            """Remove one value if present."""
            hive, path = _split_hive(key)
            try:
                with winreg.OpenKey(_HIVES[hive], path, 0, winreg.KEY_SET_VALUE) as handle:
                    winreg.DeleteValue(handle, name)
            except FileNotFoundError:
                pass

        def delete_key(self, key: str) -> None:
            """Remove `key` and its subkeys (winreg deletes only empty keys, so depth first)."""
            hive, path = _split_hive(key)
            try:
                with winreg.OpenKey(_HIVES[hive], path, 0, winreg.KEY_READ) as handle:
                    children: list[str] = []
                    while True:
                        try:
                            children.append(winreg.EnumKey(handle, len(children)))
                        except OSError:
                            break
                for child in children:
                    self.delete_key(f"{key}\\{child}")
                winreg.DeleteKey(_HIVES[hive], path)
            except FileNotFoundError:
                pass
