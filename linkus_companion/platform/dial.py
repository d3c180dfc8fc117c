"""The number to dial from a `tel:`/`callto:` link or `dial` arguments, and the outbound prefix rule."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from linkus_companion.texts import Text

SCHEMES = ("tel", "callto")
"""URL schemes we dial (and register as the handler for)."""
MAX_TEXT = 256
"""Longer input is refused before any parsing."""
MAX_DIGITS = 32

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_SEPARATORS = re.compile(r"[\s\-.()/]")
"""RFC 3966 visual separators (- . ( )), blanks and the / some countries write."""
_DIALLABLE = re.compile(r"\+?[0-9*#]+")


class DialError(ValueError):
    """The input is not a number we can dial; the message says why in words a user understands."""


def number_from_args(args: Sequence[str]) -> str:
    """The number in command-line arguments: `dial +1 555 0100`, `dial tel:...`, `tel:...` or a number."""
    words = list(args[1:] if args and args[0] == "dial" else args)
    if not words or not "".join(words).strip():
        raise DialError(Text("No number given: use `linkus-companion dial NUMBER` or click a tel: link."))
    return number_from_text(" ".join(words))


def number_from_text(text: str) -> str:
    """`tel:+1-555-0100`, `callto://+15550100`, `+1 (555) 0100` -> `+15550100`.

    Parameters such as `;phone-context=` or `;ext=` are dropped (the number is dialled as written),
    percent-encoding is decoded and full-width digits are accepted. Raises DialError.
    """
    if len(text) > MAX_TEXT:
        raise DialError(Text("That is too long to be a phone number ({count} characters).", count=len(text)))
    text = text.strip()
    scheme = _SCHEME.match(text)
    if scheme:
        if scheme.group(1).lower() not in SCHEMES:
            raise DialError(
                Text(
                    "Only tel: and callto: links can be dialled, not {scheme}: links.", scheme=scheme.group(1)
                )
            )
        text = _url_number(text[scheme.end() :])
    return _clean(text)


def _url_number(body: str) -> str:
    """The number part of a URL after its scheme: no `//`, parameters or query; percent-decoded."""
    number = re.split(r"[;?]", body.removeprefix("//"), maxsplit=1)[0].rstrip("/")
    try:
        return unquote(number, errors="strict")
    except UnicodeDecodeError:
        raise DialError(Text("The link's number is not valid percent-encoded text.")) from None


def _clean(text: str) -> str:
    normal = unicodedata.normalize("NFKC", text)
    if any(unicodedata.category(ch) == "Cc" for ch in normal):
        raise DialError(Text("A phone number cannot contain control characters."))
    number = _SEPARATORS.sub("", normal)
    shown = normal if len(normal) <= 40 else normal[:40] + "…"
    if not number:
        raise DialError(Text("No number given."))
    if not _DIALLABLE.fullmatch(number):
        raise DialError(
            Text(
                '"{number}" is not a phone number: use digits, an optional leading +, * and #.', number=shown
            )
        )
    if not any(ch.isdigit() for ch in number):
        raise DialError(Text('"{number}" has no digits.', number=shown))
    if len(number) > MAX_DIGITS:
        raise DialError(
            Text(
                '"{number}" is too long for a phone number (at most {count} digits).',
                number=shown,
                count=MAX_DIGITS,
            )
        )
    return number


@dataclass(frozen=True)
class OutboundRule:
    """Prefix external numbers (e.g. `9` or `0` for an outside line); internal ones are dialled as is."""

    prefix: str = ""
    """The `ui.dial_prefix` setting; empty means no prefix."""
    internal_max_digits: int = 6
    """Numbers without `+` and at most this long are extensions or feature codes (as in phone.parse)."""

    def is_internal(self, number: str) -> bool:
        """Whether `number` (as returned by number_from_text) stays inside the PBX."""
        return not number.startswith("+") and len(number) <= self.internal_max_digits

    def apply(self, number: str) -> str:
        """`5550100` -> `95550100` with prefix 9; extensions and an empty prefix leave it unchanged.

        A leading `+` is kept after the prefix: the PBX's outbound route decides how to send it.
        """
        if not self.prefix or self.is_internal(number):
            return number
        return self.prefix + number
