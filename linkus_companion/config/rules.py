"""Validation rules for setting values; each says in words what it accepts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Protocol
from urllib.parse import urlsplit

import phonenumbers

from linkus_companion.texts import Text

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_PLACEHOLDER = re.compile(r"\{\{\s*\.?([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class Rule(Protocol):
    """Accepts or refuses an already type-checked value."""

    def accepts(self, value: object) -> bool:
        """Whether `value` is allowed."""
        ...

    def describe(self) -> str:
        """What is allowed, completing the sentence "it must be ..."."""
        ...


@dataclass(frozen=True)
class Choice:
    """One of a fixed set of words."""

    options: tuple[str, ...]

    def accepts(self, value: object) -> bool:
        return value in self.options

    def describe(self) -> str:
        return Text("one of {options}", options=", ".join(self.options))


@dataclass(frozen=True)
class Range:
    """A whole number between two bounds, inclusive."""

    low: int
    high: int

    def accepts(self, value: object) -> bool:
        return isinstance(value, int) and self.low <= value <= self.high

    def describe(self) -> str:
        return Text("a whole number from {low} to {high}", low=self.low, high=self.high)


@dataclass(frozen=True)
class Pattern:
    """Text matching a regular expression, described in words."""

    regex: str
    what: str

    def accepts(self, value: object) -> bool:
        return isinstance(value, str) and re.fullmatch(self.regex, value) is not None

    def describe(self) -> str:
        return self.what


@dataclass(frozen=True)
class WebUrl:
    """An https URL with a host; plain http only for this computer (loopback) when allowed."""

    allow_loopback_http: bool = True

    def accepts(self, value: object) -> bool:
        if not isinstance(value, str) or any(ch.isspace() for ch in value):
            return False
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            return False
        if not parts.hostname or parts.username or parts.password:
            return False
        if parts.scheme == "https":
            return True
        return self.allow_loopback_http and parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS

    def describe(self) -> str:
        if self.allow_loopback_http:
            return Text(
                "an https:// URL with a host name and no user name or password"
                " (http:// only for localhost or 127.0.0.1)"
            )
        return Text("an https:// URL with a host name and no user name or password")


@dataclass(frozen=True)
class Either:
    """Accepted by the first rule or by the second."""

    first: Rule
    second: Rule

    def accepts(self, value: object) -> bool:
        return self.first.accepts(value) or self.second.accepts(value)

    def describe(self) -> str:
        return Text("{first}, or {second}", first=self.first.describe(), second=self.second.describe())


@dataclass(frozen=True)
class AbsolutePath:
    """An absolute file path (POSIX or Windows)."""

    def accepts(self, value: object) -> bool:
        return isinstance(value, str) and (
            PurePosixPath(value).is_absolute() or PureWindowsPath(value).is_absolute()
        )

    def describe(self) -> str:
        return Text("an absolute file path")


@dataclass(frozen=True)
class Region:
    """An ISO 3166 country code that libphonenumber knows."""

    def accepts(self, value: object) -> bool:
        return value in phonenumbers.SUPPORTED_REGIONS

    def describe(self) -> str:
        return Text("a two-letter ISO 3166 country code in capitals, e.g. GB or US")


@dataclass(frozen=True)
class Template:
    """Call-log text whose placeholders are `{{.Name}}` or `{{Name}}`."""

    max_chars: int = 2000

    def accepts(self, value: object) -> bool:
        if not isinstance(value, str) or len(value) > self.max_chars:
            return False
        rest = _PLACEHOLDER.sub("", value)
        return "{{" not in rest and "}}" not in rest

    def describe(self) -> str:
        return Text(
            "text of at most {most} characters whose placeholders look like {{{{.Time}}}} or {{{{Time}}}}",
            most=self.max_chars,
        )


@dataclass(frozen=True)
class Each:
    """A list whose items each pass `item`, without repeats, at most `max_items` long."""

    item: Rule
    max_items: int = 50

    def accepts(self, value: object) -> bool:
        if not isinstance(value, tuple) or len(value) > self.max_items:
            return False
        return len(set(value)) == len(value) and all(self.item.accepts(v) for v in value)

    def describe(self) -> str:
        return Text(
            "a list of at most {most} distinct items, each {item}",
            most=self.max_items,
            item=self.item.describe(),
        )


@dataclass(frozen=True)
class Pairs:
    """A mapping whose keys pass `key` and whose values pass `value`."""

    key: Rule
    value: Rule
    max_items: int = 10000

    def accepts(self, value: object) -> bool:
        if not isinstance(value, Mapping) or len(value) > self.max_items:
            return False
        return all(self.key.accepts(k) and self.value.accepts(v) for k, v in value.items())

    def describe(self) -> str:
        return Text(
            "a mapping of at most {most} entries from {key} to {value}",
            most=self.max_items,
            key=self.key.describe(),
            value=self.value.describe(),
        )
