"""XDG desktop entry files: write one with a correctly quoted Exec line, read one back."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

_GROUP = "[Desktop Entry]"
_RESERVED = frozenset(" \t\"'\\><~|&;$*?#()`")
"""Characters that force an Exec argument into double quotes (Desktop Entry Spec, "The Exec key")."""
_ESCAPED_IN_QUOTES = frozenset('"`$\\')


def exec_value(argv: Sequence[str], field_code: str = "") -> str:
    """The Exec value for `argv`, followed by a field code such as `%u` when given."""
    parts = [_quote(arg) for arg in argv]
    if field_code:
        parts.append(field_code)
    return " ".join(parts)


def _quote(arg: str) -> str:
    if any(ord(ch) < 0x20 for ch in arg):
        raise ValueError(f"a desktop entry argument cannot contain control characters: {arg!r}")
    arg = arg.replace("%", "%%")
    if not any(ch in _RESERVED for ch in arg):
        return arg
    return '"' + "".join("\\" + ch if ch in _ESCAPED_IN_QUOTES else ch for ch in arg) + '"'


def write(path: Path, fields: Mapping[str, str]) -> None:
    """Write `fields` as the `[Desktop Entry]` group of `path`, replacing it atomically."""
    lines = [_GROUP, *(f"{key}={value.replace(chr(92), chr(92) * 2)}" for key, value in fields.items())]
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(partial, path)


def read(path: Path) -> dict[str, str] | None:
    """The raw values of the `[Desktop Entry]` group of `path`, or None when there is no such file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    fields: dict[str, str] = {}
    in_group = False
    for line in text.splitlines():
        if line.startswith("["):
            in_group = line.strip() == _GROUP
        elif in_group and "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            fields[key.strip()] = value.strip()
    return fields
