"""One setting: its name, type, default, documentation and rule; validation and text forms."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from linkus_companion.config.errors import InvalidValue
from linkus_companion.config.rules import Rule
from linkus_companion.texts import Text

Value = bool | int | str | tuple[str, ...] | dict[str, str]
"""A setting's value: lists are tuples of text, maps are text to text."""
Kind = type[bool] | type[int] | type[str] | type[tuple[str, ...]] | type[dict[str, str]]

_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


@dataclass(frozen=True)
class Setting:
    """A setting of the schema. An empty text whose default is empty means "not set"."""

    key: str
    kind: Kind
    default: Value
    doc: str
    rule: Rule | None = None

    def rule_text(self) -> str:
        """What the setting accepts, in words."""
        if self.kind is bool:
            return Text("true or false")
        text = self.rule.describe() if self.rule else Text("text")
        return Text("{rule}, or empty for not set", rule=text) if self.default == "" else text

    def validate(self, value: object) -> Value:
        """`value` in its canonical form, or InvalidValue naming the key, the value and the rule."""
        canonical = self._typed(value)
        if canonical is None or not self._allowed(canonical):
            raise InvalidValue(self.key, value, self.rule_text())
        return canonical

    def from_text(self, text: str) -> Value:
        """Parse the text a user typed (`true`, `30`, `a, b`, `1001=u1, 1002=u2` or JSON)."""
        return self.validate(self._parse(text))

    def to_text(self, value: Value) -> str:
        """The form `from_text` reads back."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, tuple):
            return ", ".join(value)
        if isinstance(value, dict):
            return ", ".join(f"{k}={v}" for k, v in value.items())
        return str(value)

    def _allowed(self, value: Value) -> bool:
        if value == "" and self.default == "":
            return True
        return self.rule is None or self.rule.accepts(value)

    def _typed(self, value: object) -> Value | None:
        if self.kind is bool or self.kind is int:
            return value if type(value) is self.kind else None
        if self.kind is str:
            return value if isinstance(value, str) else None
        if self.kind is tuple:
            if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
                return tuple(value)
            return None
        if isinstance(value, Mapping) and all(isinstance(v, str) for v in (*value, *value.values())):
            return dict(value)
        return None

    def _parse(self, text: str) -> object:
        stripped = text.strip()
        if self.kind is bool:
            word = stripped.lower()
            return True if word in _TRUE else False if word in _FALSE else text
        if self.kind is int:
            try:
                return int(stripped)
            except ValueError:
                return text
        if self.kind is str:
            return text
        if stripped.startswith(("[", "{")):
            try:
                return json.loads(stripped)
            except json.JSONDecodeError:
                return text
        items = [item.strip() for item in stripped.split(",") if item.strip()]
        if self.kind is tuple:
            return items
        pairs = [item.partition("=") for item in items]
        if any(not sep for _, sep, _ in pairs):
            return text
        return {k.strip(): v.strip() for k, _, v in pairs}


def to_json(value: Value) -> object:
    """`value` as JSON data (tuples become lists)."""
    return list(value) if isinstance(value, tuple) else value
