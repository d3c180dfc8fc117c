"""Phone numbers: E.164 normalisation with a default region, and the match keys CRM searches need."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

from linkus_companion.texts import Text

MAX_INPUT = 64
"""Longer input is not a phone number; it is refused before any parsing."""

_EXTENSION_SUFFIX = re.compile(r" *(?:;ext=|ext\.?|extension|x|#) *[0-9]{1,7} *\Z", re.IGNORECASE)
_DIALLABLE = re.compile(r"\+?[0-9 ().\-/]+")


class InvalidNumber(ValueError):
    """The text cannot be a phone number; the message says why."""


@dataclass(frozen=True)
class PhoneNumber:
    """A number as the PBX or a user gave it, with the forms a CRM may have stored."""

    raw: str
    digits: str
    """Only the digits of `raw` (a leading + dropped)."""
    e164: str | None
    """`+4420...` when the number parses for the default region, else None."""
    national: str | None
    """National significant number with trunk prefix as dialled in-country, e.g. `020 7123 4567`."""
    internal: bool
    """True for extensions and other short internal numbers (never a CRM customer)."""

    def match_keys(self, last_n: int = 7) -> tuple[str, ...]:
        """Distinct strings a CRM may hold for this number, most specific first.

        E.164, E.164 digits, national digits (with trunk prefix), national significant number,
        00-international digits, the raw digits, then the last `last_n` digits as a fallback.
        """
        keys: list[str] = []
        if self.e164:
            parsed = phonenumbers.parse(self.e164)
            nsn = phonenumbers.national_significant_number(parsed)
            keys += [
                self.e164,
                self.e164[1:],
                _digits(self.national or ""),
                nsn,
                "00" + self.e164[1:],
            ]
        keys.append(self.digits)
        if last_n and len(self.digits) > last_n:
            keys.append(self.digits[-last_n:])
        seen: dict[str, None] = {}
        for key in keys:
            if key and key not in seen:
                seen[key] = None
        return tuple(seen)

    def last_digits(self, n: int) -> str:
        """The last `n` digits (all of them when shorter)."""
        return self.digits[-n:]

    def same_number(self, other_text: str, region: str, last_n: int = 7) -> bool:
        """Whether `other_text` (as stored in a CRM) denotes this number.

        Exact on E.164 when both parse; when only one does, the other's digits must be one of its full
        forms (a local `555 0101` is not `+1 212 555 0101`); otherwise on the last `last_n` digits.
        """
        try:
            other = parse(other_text, region)
        except InvalidNumber:
            return False
        if self.e164 and other.e164:
            return self.e164 == other.e164
        if self.e164 or other.e164:
            full, partial = (self, other) if self.e164 else (other, self)
            return partial.digits in full.match_keys(last_n=0)
        n = min(last_n, len(self.digits), len(other.digits))
        return n > 0 and self.digits[-n:] == other.digits[-n:]


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch in "0123456789")


def strip_extension(text: str) -> str:
    """`+1 555 0100 ext. 12` → `+1 555 0100`."""
    return _EXTENSION_SUFFIX.sub("", text)


def prepare(region: str) -> None:
    """Load `region`'s numbering plan and compile its patterns now (parsing the region's example
    number): phonenumbers does both on the first number parsed there, which would otherwise be the
    first call's (about 50 patterns, a few ms of its screen pop)."""
    example = phonenumbers.example_number(region.upper())
    if example is not None:
        parse(phonenumbers.format_number(example, PhoneNumberFormat.NATIONAL), region)


def parse(text: str, region: str = "US", max_internal_length: int = 6) -> PhoneNumber:
    """Parse a number from the PBX, a CRM or a user.

    `region` is the ISO 3166 default country for numbers written without one. Numbers with at most
    `max_internal_length` digits and no `+` are internal (extensions, queues, ring groups).
    Raises InvalidNumber for empty, over-long or non-numeric text.
    """
    if len(text) > MAX_INPUT:
        raise InvalidNumber(
            Text(
                "A phone number has at most {most} characters; this has {count}.",
                most=MAX_INPUT,
                count=len(text),
            )
        )
    cleaned = strip_extension(text.strip())
    if cleaned.lower().startswith(("tel:", "callto:")):
        cleaned = cleaned.split(":", 1)[1].lstrip("/")
        cleaned = cleaned.split(";", 1)[0]
    if not cleaned or not _DIALLABLE.fullmatch(cleaned):
        raise InvalidNumber(Text('"{number}" is not a phone number.', number=text[:MAX_INPUT]))
    digits = _digits(cleaned)
    if not digits:
        raise InvalidNumber(Text('"{number}" has no digits.', number=text[:MAX_INPUT]))
    has_plus = cleaned.startswith("+")
    if not has_plus and len(digits) <= max_internal_length:
        return PhoneNumber(cleaned, digits, None, None, internal=True)
    candidate = cleaned
    if not has_plus and digits.startswith("00"):
        candidate = "+" + digits[2:]
    parsed = _best_parse(candidate, digits, region.upper(), has_plus)
    if parsed is None:
        return PhoneNumber(cleaned, digits, None, None, internal=False)
    return PhoneNumber(
        cleaned,
        digits,
        phonenumbers.format_number(parsed, PhoneNumberFormat.E164),
        phonenumbers.format_number(parsed, PhoneNumberFormat.NATIONAL),
        internal=False,
    )


def _best_parse(candidate: str, digits: str, region: str, has_plus: bool) -> phonenumbers.PhoneNumber | None:
    """Parse in `region`; a digits-only number that is invalid there is tried as international.

    A number that is not valid but has a possible length is kept (new ranges, fictional 555 numbers);
    one possible only for local dialling (a US number without its area code) has no E.164 form.
    """
    attempts = [candidate] if has_plus or candidate.startswith("+") else [candidate, "+" + digits]
    possible: phonenumbers.PhoneNumber | None = None
    for attempt in attempts:
        try:
            parsed = phonenumbers.parse(attempt, region)
        except NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return parsed
        reason = phonenumbers.is_possible_number_with_reason(parsed)
        if possible is None and reason == ValidationResult.IS_POSSIBLE:
            possible = parsed
    return possible


def to_e164(text: str, region: str = "US") -> str:
    """E.164 form of `text`, or InvalidNumber when it has none."""
    number = parse(text, region)
    if number.e164 is None:
        raise InvalidNumber(
            Text('"{number}" is not a complete phone number for region {region}.', number=text, region=region)
        )
    return number.e164


@functools.lru_cache(maxsize=4096)
def display(text: str, region: str = "US") -> str:
    """`text` as people write it: national format for numbers of `region`, international for others.

    Internal numbers and text that is not a phone number come back unchanged. Remembered: a call card
    shows its number at every refresh, and parsing and formatting cost half a millisecond each time.
    """
    try:
        number = parse(text, region)
    except InvalidNumber:
        return text
    if number.e164 is None:
        return number.raw
    parsed = phonenumbers.parse(number.e164)
    home = phonenumbers.region_code_for_number(parsed) == region.upper()
    return phonenumbers.format_number(
        parsed, PhoneNumberFormat.NATIONAL if home else PhoneNumberFormat.INTERNATIONAL
    )
