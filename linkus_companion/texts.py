"""Sentences for the user that the core writes in English and the UI shows in the user's language."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

SEEN = 256
"""How many recent sentences `translated` recognises after they were stored as plain text."""
CONTEXT = "Errors"
"""The translation context of every `Text` template (collected by resources/translations/update.py)."""


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
