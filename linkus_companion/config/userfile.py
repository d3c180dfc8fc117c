"""The user's own settings file: JSON, written atomically, a corrupt file kept aside."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from linkus_companion.config.errors import SettingsError
from linkus_companion.config.sources import Problem
from linkus_companion.os_cause import os_why
from linkus_companion.texts import Text


class UserFile:
    """A flat JSON object of dotted keys, e.g. `{"pop.trigger": "answered"}`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> tuple[dict[str, object], list[Problem]]:
        """The stored values; a corrupt file is moved aside, reported, and read as empty."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}, []
        except OSError as exc:
            raise SettingsError(
                Text("cannot read your settings file {path} ({why})", path=str(self.path), why=os_why(exc))
            ) from None
        try:
            data = json.loads(raw.decode("utf-8-sig"))
            if not isinstance(data, dict):
                raise ValueError(Text("it does not hold a JSON object"))
        except ValueError as exc:
            kept = self._set_aside()
            message = Text(
                "unreadable ({why}); kept as {name}, your settings start from the defaults",
                why=os_why(exc),
                name=kept.name,
            )
            return {}, [Problem(str(self.path), message)]
        return data, []

    def save(self, data: Mapping[str, object]) -> None:
        """Replace the file with `data` in one step (never a half-written file)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(dict(data), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def _set_aside(self) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
        os.replace(self.path, target)
        return target
