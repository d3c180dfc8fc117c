"""Sentences for the user that the core writes in English and the UI shows in the user's language."""

from __future__ import annotations

from collections.abc import Callable

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


def translated(value: object, translate: Callable[[str, str], str]) -> str:
    """`value` in the interface language when it is a `Text`, else as it is."""
    return value.translated(translate) if isinstance(value, Text) else str(value)


def text_of(error: BaseException) -> str:
    """The user's sentence of an error: its `Text` when it was raised with one, else `str(error)`."""
    first = error.args[0] if error.args else ""
    return first if isinstance(first, Text) else str(error)
