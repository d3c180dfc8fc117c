"""Where settings come from: layers, the pluggable admin policy source, and JSON policy files."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Protocol

from linkus_companion import paths
from linkus_companion.os_cause import os_why
from linkus_companion.texts import Text


class Layer(IntEnum):
    """Precedence of a source; a higher layer wins."""

    DEFAULT = 0
    RECOMMENDED = 1
    USER = 2
    LOCKED = 3

    @property
    def label(self) -> str:
        """`default`, `recommended`, `user` or `locked`."""
        return self.name.lower()


@dataclass(frozen=True)
class Problem:
    """Something in a source that was ignored, and why."""

    source: str
    message: str

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> Text:
        """`source: message` (typed, for the user's language)."""
        return Text("{source}: {message}", source=self.source, message=self.message)


@dataclass
class Reading:
    """Raw values read from a source, each with the policy that carried it."""

    values: dict[str, tuple[object, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


class PolicySource(Protocol):
    """An admin source (JSON files, Windows registry, macOS managed preferences...)."""

    layer: Layer
    """RECOMMENDED or LOCKED."""

    def read(self) -> Reading:
        """The values it sets now (unvalidated), and what could not be read."""
        ...


class JsonDirSource:
    """Every `*.json` file in an admin-owned directory, read in name order (later files win)."""

    def __init__(self, directory: Path, layer: Layer) -> None:
        self.directory = directory
        self.layer = layer

    def read(self) -> Reading:
        reading = Reading()
        try:
            files = sorted(self.directory.glob("*.json"))
        except OSError as exc:
            reading.problems.append(
                Problem(str(self.directory), Text("cannot list policy files ({why})", why=os_why(exc)))
            )
            return reading
        for path in files:
            try:
                data = json.loads(path.read_text(encoding="utf-8-sig"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                reading.problems.append(
                    Problem(str(path), Text("unreadable policy file, ignored ({why})", why=os_why(exc)))
                )
                continue
            if not isinstance(data, dict):
                reading.problems.append(
                    Problem(str(path), Text("a policy file must hold a JSON object; ignored"))
                )
                continue
            for key, value in data.items():
                reading.values[key] = (value, str(path))
        return reading


def default_policy_sources() -> list[PolicySource]:
    """The JSON policy dirs under the system config dir: `managed/` (locked), `recommended/`."""
    root = paths.policy_dir()
    return [
        JsonDirSource(root / "managed", Layer.LOCKED),
        JsonDirSource(root / "recommended", Layer.RECOMMENDED),
    ]
