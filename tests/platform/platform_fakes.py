"""Fakes of the OS calls behind the platform interfaces."""

from __future__ import annotations

from linkus_companion.platform.registry import Data


class FakeRegistry:
    r"""A registry in a dict: `{key (lower case): {value name: data}}`; keys are case-insensitive as on Windows."""

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, Data]] = {}

    def read(self, key: str, name: str) -> Data | None:
        return self.keys.get(key.lower(), {}).get(name)

    def write(self, key: str, name: str, value: str) -> None:
        self._create(key)
        self.keys[key.lower()][name] = value

    def write_binary(self, key: str, name: str, value: bytes) -> None:
        """What Task Manager does to StartupApproved (not part of the Registry interface)."""
        self._create(key)
        self.keys[key.lower()][name] = value

    def delete_value(self, key: str, name: str) -> None:
        self.keys.get(key.lower(), {}).pop(name, None)

    def delete_key(self, key: str) -> None:
        prefix = key.lower()
        for existing in list(self.keys):
            if existing == prefix or existing.startswith(prefix + "\\"):
                del self.keys[existing]

    def _create(self, key: str) -> None:
        parts = key.lower().split("\\")
        for end in range(1, len(parts) + 1):
            self.keys.setdefault("\\".join(parts[:end]), {})

    def subtree(self, key: str) -> dict[str, dict[str, Data]]:
        """Every key under `key` (inclusive)."""
        prefix = key.lower()
        return {k: v for k, v in self.keys.items() if k == prefix or k.startswith(prefix + "\\")}
