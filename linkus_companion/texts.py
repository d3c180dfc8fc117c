"""Sentences for the user that the core writes in English and the UI shows in the user's language."""

from __future__ import annotations

import json
import locale
import os
import string
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

SEEN = 256
"""How many recent sentences `translated` recognises after they were stored as plain text."""
CONTEXT = "Errors"
"""The translation context of every `Text` template (collected by resources/translations/update.py)."""
VERSION = 1
"""The version of a sentence's typed form (`to_json`): a reader of another version uses the plain text."""
_DEPTH = 4
"""How deep sentences may nest in a typed form (a field that is itself a sentence)."""


class Text(str):
    """A sentence: its English text, plus the template and fields the UI translates it from.

    `Text("{crm} failed with HTTP {status}.", crm="HubSpot", status=503)` is the string
    "HubSpot failed with HTTP 503." everywhere a string is expected (logs, `str(error)`, JSON);
    `translated()` gives it in the interface language. Templates must be literals (the catalogue
    is collected from the source); a field may itself be a `Text`.
    """

    template: str
    fields: dict[str, object]

    def __new__(cls, template: str, **fields: object) -> Text:
        self = super().__new__(cls, template.format(**fields) if fields else template)
        self.template = template
        self.fields = fields
        _seen[str(self)] = self
        _seen.move_to_end(str(self))
        while len(_seen) > SEEN:
            _seen.popitem(last=False)
        return self

    def translated(self, translate: Callable[[str, str], str]) -> str:
        """The sentence in the language `translate(context, template)` gives, fields filled in."""
        template = translate(CONTEXT, self.template) or self.template
        fields = {k: v.translated(translate) if isinstance(v, Text) else v for k, v in self.fields.items()}
        try:
            return template.format(**fields)
        except (KeyError, IndexError, ValueError):  # a bad translation: fall back to English
            return self.template.format(**fields)

    def __reduce__(self) -> tuple[object, ...]:
        return _rebuild, (self.template, self.fields)


def _rebuild(template: str, fields: dict[str, object]) -> Text:
    return Text(template, **fields)


_seen: OrderedDict[str, Text] = OrderedDict()
"""The last sentences made, by their English text: one stored as plain text (a call log's last
error in the store) is still shown translated while this process knows it."""


def translated(value: object, translate: Callable[[str, str], str]) -> str:
    """`value` in the interface language when it is (or reads as a recent) `Text`, else as it is."""
    text = value if isinstance(value, Text) else _seen.get(str(value))
    return text.translated(translate) if text is not None else str(value)


def text_of(error: BaseException) -> str:
    """The user's sentence of an error: its `Text` when it was raised with one, else `str(error)`."""
    first = error.args[0] if error.args else ""
    return first if isinstance(first, Text) else str(error)


def joined(parts: Sequence[str], separator: str) -> str:
    """Sentences one after another, each still translated on its own (`separator` between them)."""
    if not parts:
        return ""
    text = parts[0]
    for part in parts[1:]:
        text = Text("{head}{separator}{tail}", head=text, separator=separator, tail=part)
    return text


def to_json(value: object) -> dict[str, Any] | None:
    """The typed form of a sentence (template and fields, for another process to translate); None: plain."""
    if not isinstance(value, Text):
        return None
    fields: dict[str, Any] = {}
    for name, field in value.fields.items():
        if isinstance(field, Text):
            fields[name] = to_json(field)
        elif field is None or isinstance(field, bool | int | float):
            fields[name] = field
        else:
            fields[name] = str(field)
    return {"v": VERSION, "template": value.template, "fields": fields}


def from_json(data: object, plain: str = "") -> str:
    """The `Text` of a typed form; `plain` when there is none or it is of another version or malformed."""
    text = _parse(data, _DEPTH)
    return text if text is not None else plain


def _parse(data: object, depth: int) -> Text | None:
    if depth <= 0 or not isinstance(data, dict) or data.get("v") != VERSION:
        return None
    template, fields = data.get("template"), data.get("fields")
    if not isinstance(template, str) or not isinstance(fields, dict) or not _simple(template):
        return None
    values: dict[str, object] = {}
    for name, field in fields.items():
        if isinstance(field, dict):
            nested = _parse(field, depth - 1)
            if nested is None:
                return None
            values[str(name)] = nested
        elif field is None or isinstance(field, str | bool | int | float):
            values[str(name)] = field
        else:
            return None
    try:
        return Text(template, **values)
    except (KeyError, IndexError, ValueError, TypeError):
        return None


def _simple(template: str) -> bool:
    """Whether every placeholder is a plain `{name}` (no attribute, index or conversion from elsewhere)."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        return False
    return all(
        name is None or (name.isidentifier() and conversion is None and "{" not in (spec or ""))
        for _literal, name, spec, conversion in parts
    )


def stored(value: object) -> str:
    """A sentence as a store column keeps it: its typed form as JSON when typed, else its text."""
    typed = to_json(value)
    return json.dumps(typed, ensure_ascii=False) if typed is not None else str(value)


def restored(value: str | None, untyped: str = "") -> str:
    """A sentence read back from a store column (`stored`): a `Text` again; for plain text (rows an older
    version wrote in English) `untyped` when given, else the text as it is."""
    if not value:
        return ""
    try:
        data = json.loads(value) if value.startswith("{") else None
    except ValueError:
        data = None
    text = _parse(data, _DEPTH)
    return text if text is not None else untyped or value


def language_of(choice: str) -> str:
    """`zh_CN` or `en` for setting `ui.language` outside the app (`auto`: the system locale, e.g. LANG)."""
    if choice in ("en", "zh_CN"):
        return choice
    found = next((os.environ[k] for k in ("LC_ALL", "LC_MESSAGES", "LANG") if os.environ.get(k)), "")
    system = (found or locale.getlocale()[0] or "").lower()
    return "zh_CN" if system.startswith(("zh", "chinese")) else "en"


def accepted_language(header: str) -> str:
    """`zh_CN` or `en` for an HTTP `Accept-Language` header: the supported one the browser prefers most."""
    ranked: list[tuple[float, int, str]] = []
    for order, part in enumerate(header[:1000].split(",")):
        tag, _, params = part.strip().lower().partition(";")
        weight = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
        try:
            quality = float(weight)
        except ValueError:
            continue
        language = "zh_CN" if tag.startswith("zh") else "en" if tag.startswith(("en", "*")) else ""
        if language and quality > 0:
            ranked.append((-quality, order, language))
    return min(ranked)[2] if ranked else "en"
