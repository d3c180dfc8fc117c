r"""Windows Group Policy source: `HKLM`/`HKCU\SOFTWARE\Policies\Linkus Companion` (locked) and its `Recommended` subkey."""

from __future__ import annotations

import sys
from typing import Protocol

from linkus_companion import APP_NAME
from linkus_companion.config.schema import SCHEMA
from linkus_companion.config.sources import Layer, PolicySource, Problem, Reading
from linkus_companion.os_cause import os_why
from linkus_companion.texts import Text

POLICY_KEY = f"SOFTWARE\\Policies\\{APP_NAME}"
"""Under HKLM (computer policy) and HKCU (user policy); users cannot write either."""
RECOMMENDED = "Recommended"
"""Subkey holding the admin's defaults, which users may override."""
HIVES = ("HKLM", "HKCU")
"""Machine policy first: it wins over user policy, as in Chrome."""


class RegistryReader(Protocol):
    """Reads the values of one registry key."""

    def values(self, key: str) -> dict[str, object] | None:
        r"""Values of `key` (e.g. `HKLM\SOFTWARE\...`): REG_DWORD as int, REG_SZ as str, REG_MULTI_SZ
        as a list of str, anything else as bytes; None when the key does not exist."""
        ...


class RegistryPolicySource:
    """One policy key: its values are settings; a dict setting (e.g. `binding`) is a subkey of pairs."""

    def __init__(self, reader: RegistryReader, hive: str, layer: Layer) -> None:
        self.layer = layer
        self._reader = reader
        self.key = f"{hive}\\{POLICY_KEY}" + (f"\\{RECOMMENDED}" if layer is Layer.RECOMMENDED else "")

    def read(self) -> Reading:
        reading = Reading()
        try:
            found = self._reader.values(self.key)
            if found is None:
                return reading
            for name, data in found.items():
                if isinstance(data, bytes):
                    message = Text(
                        "{name}: unsupported registry value type; use REG_SZ, REG_DWORD or REG_MULTI_SZ;"
                        " ignored",
                        name=name,
                    )
                    reading.problems.append(Problem(self.key, message))
                else:
                    reading.values[name] = (native_value(name, data), self.key)
            for key, entry in SCHEMA.items():
                if entry.kind is dict:
                    pairs = self._reader.values(f"{self.key}\\{key}")
                    if pairs is not None:
                        reading.values[key] = (pairs, f"{self.key}\\{key}")
        except OSError as exc:
            reading.problems.append(
                Problem(self.key, Text("cannot read the policy key ({why})", why=os_why(exc)))
            )
        return reading


def native_value(key: str, data: object) -> object:
    """A REG_DWORD 0 or 1 of a true/false setting as a bool; every other value unchanged."""
    entry = SCHEMA.get(key)
    if entry is not None and entry.kind is bool and type(data) is int and data in (0, 1):
        return bool(data)
    return data


def registry_sources(reader: RegistryReader) -> list[PolicySource]:
    """Locked and recommended sources of both hives, highest priority first."""
    return [
        RegistryPolicySource(reader, hive, layer)
        for layer in (Layer.LOCKED, Layer.RECOMMENDED)
        for hive in HIVES
    ]


if sys.platform == "win32":
    import winreg

    _HIVE_HANDLES = {"HKLM": winreg.HKEY_LOCAL_MACHINE, "HKCU": winreg.HKEY_CURRENT_USER}
    _TEXT = (winreg.REG_SZ, winreg.REG_EXPAND_SZ)
    _NUMBER = (winreg.REG_DWORD, winreg.REG_QWORD)

    class WinRegReader:
        """The real registry through `winreg` (64-bit view, as Group Policy writes it)."""

        def values(self, key: str) -> dict[str, object] | None:
            r"""Values of `key` such as `HKLM\SOFTWARE\Policies\...`, or None when absent."""
            hive, _, path = key.partition("\\")
            access = winreg.KEY_READ | winreg.KEY_WOW64_64KEY
            try:
                handle = winreg.OpenKey(_HIVE_HANDLES[hive], path, 0, access)
            except FileNotFoundError:
                return None
            found: dict[str, object] = {}
            with handle:
                index = 0
                while True:
                    try:
                        name, data, kind = winreg.EnumValue(handle, index)
                    except OSError:
                        return found
                    index += 1
                    if kind in _TEXT or kind in _NUMBER:
                        found[name] = data
                    elif kind == winreg.REG_MULTI_SZ:
                        found[name] = list(data)
                    else:
                        found[name] = bytes(data or b"")
