"""HubSpot CRM search semantics: request limits, filter operators and the phone-number properties.

What matches, as the emulator implements it (api/hubspot.md §4):
- `EQ`/`NEQ`/`IN`/`NOT_IN` compare the stored string exactly (case-insensitively), so a number stored
  as `(415) 555-1212` is not found by `EQ +14155551212`;
- `CONTAINS_TOKEN` matches whole tokens of the stored value (split on spaces and punctuation), with `*`
  as a wildcard inside one token: `555` finds `(415) 555-1212`, `4155551212` does not;
- `hs_searchable_calculated_phone_number` / `_mobile_number` hold the digits of `phone` / `mobilephone`
  with any extension suffix dropped, and the `_international_` variants the same digits only when the
  stored number carries an international prefix (`+` or `00`); filter values on them are compared
  digits to digits, so `+1 (415) 555-1212` is found by `14155551212` but not by `4155551212`.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from linkus_companion.phone import strip_extension
from linkus_companion.sim.hubspot_errors import bad_request

MAX_FILTER_GROUPS = 6
MAX_LIMIT = 200
MAX_QUERY = 3000
DEFAULT_LIMIT = 10
OPERATORS = frozenset(
    {
        "EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN",
        "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN",
    }
)  # fmt: skip
CALCULATED_PHONES = {
    "hs_searchable_calculated_phone_number": ("phone", False),
    "hs_searchable_calculated_mobile_number": ("mobilephone", False),
    "hs_searchable_calculated_international_phone_number": ("phone", True),
    "hs_searchable_calculated_international_mobile_number": ("mobilephone", True),
}
_T = TypeVar("_T", float, str)
_TOKEN_SPLIT = re.compile(r"[^\w*]+", re.UNICODE)


@dataclass(frozen=True)
class SearchRequest:
    """A validated `PublicObjectSearchRequest`."""

    filter_groups: list[list[dict[str, Any]]]
    properties: list[str]
    limit: int
    after: int
    query: str


def parse_request(body: Any) -> SearchRequest:
    """Validate a search body; an empty `{}` is valid (the docs say so, the spec marks keys required)."""
    if not isinstance(body, dict):
        raise bad_request("Invalid input JSON: the search request must be an object")
    groups = body.get("filterGroups") or []
    if not isinstance(groups, list) or len(groups) > MAX_FILTER_GROUPS:
        raise bad_request(f"There can be at most {MAX_FILTER_GROUPS} filterGroups", "filterGroups")
    parsed: list[list[dict[str, Any]]] = []
    for group in groups:
        filters = group.get("filters") if isinstance(group, dict) else None
        if not isinstance(filters, list):
            raise bad_request("Each filterGroup needs a filters list", "filterGroups")
        parsed.append([_check_filter(item) for item in filters])
    limit = body.get("limit", DEFAULT_LIMIT)
    if not isinstance(limit, int) or not 0 < limit <= MAX_LIMIT:
        raise bad_request(f"limit must be between 1 and {MAX_LIMIT}", "limit")
    after = str(body.get("after") or "0")
    if not after.isdigit():
        raise bad_request(f"Invalid paging cursor {after[:50]!r}", "after")
    query = body.get("query") or ""
    if not isinstance(query, str) or len(query) > MAX_QUERY:
        raise bad_request(f"query must be a string of at most {MAX_QUERY} characters", "query")
    properties = body.get("properties") or []
    if not isinstance(properties, list) or not all(isinstance(p, str) for p in properties):
        raise bad_request("properties must be a list of property names", "properties")
    return SearchRequest(parsed, properties, limit, int(after), query)


def _check_filter(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict) or not isinstance(item.get("propertyName"), str):
        raise bad_request("Each filter needs a propertyName", "filterGroups")
    operator = item.get("operator")
    if operator not in OPERATORS:
        raise bad_request(f"Unknown operator {str(operator)[:30]!r}", "filterGroups")
    needs_values = operator in ("IN", "NOT_IN")
    needs_value = operator not in ("HAS_PROPERTY", "NOT_HAS_PROPERTY") and not needs_values
    values = item.get("values")
    if needs_values and (not isinstance(values, list) or not all(isinstance(v, str) for v in values)):
        raise bad_request(f"{operator} needs a values list", "filterGroups")
    if needs_value and not isinstance(item.get("value"), str):
        raise bad_request(f"{operator} on {item['propertyName'][:50]} needs a value", "filterGroups")
    if operator == "BETWEEN" and not isinstance(item.get("highValue"), str):
        raise bad_request("BETWEEN needs a highValue", "filterGroups")
    return item


def searchable(properties: Mapping[str, str]) -> dict[str, str]:
    """The stored properties plus the calculated phone properties HubSpot derives from them."""
    out = dict(properties)
    for name, (source, international) in CALCULATED_PHONES.items():
        stored = strip_extension(properties.get(source, "")).strip()
        has_prefix = stored.startswith("+") or _digits(stored).startswith("00")
        digits = _digits(stored)
        if international:
            digits = digits.removeprefix("00") if has_prefix else ""
        if digits:
            out[name] = digits
    return out


def index_keys(properties: Mapping[str, str]) -> set[tuple[str, str]]:
    """The (property, normalised value) pairs under which an EQ or IN filter finds these properties."""
    return {(name, _norm(name)(value)) for name, value in searchable(properties).items() if value}


def wanted_keys(groups: list[list[dict[str, Any]]]) -> set[tuple[str, str]] | None:
    """Index keys one of which every matching record has (None: the request needs a full scan).

    Each group names its first EQ or IN filter; a group without one (or no groups at all) can
    match records no key leads to.
    """
    keys: set[tuple[str, str]] = set()
    for group in groups:
        exact = next((f for f in group if f["operator"] in ("EQ", "IN")), None)
        if exact is None:
            return None
        name = exact["propertyName"]
        values = exact["values"] if exact["operator"] == "IN" else [exact["value"]]
        keys |= {(name, _norm(name)(value)) for value in values}
    return keys if groups else None


def _norm(name: str) -> Callable[[str], str]:
    return _digits if name in CALCULATED_PHONES else str.casefold


def matches(properties: Mapping[str, str], groups: list[list[dict[str, Any]]], query: str) -> bool:
    """Whether a record passes the request: any group whose filters all hold, and the free-text query."""
    values = searchable(properties)
    if groups and not any(all(_holds(values, f) for f in group) for group in groups):
        return False
    return not query or _query_hits(values, query)


def _holds(values: Mapping[str, str], flt: Mapping[str, Any]) -> bool:
    name = flt["propertyName"]
    stored = values.get(name, "")
    norm = _norm(name)
    operator = flt["operator"]
    if operator == "HAS_PROPERTY":
        return stored != ""
    if operator == "NOT_HAS_PROPERTY":
        return stored == ""
    if operator in ("IN", "NOT_IN"):
        found = stored != "" and norm(stored) in {norm(v) for v in flt["values"]}
        return found if operator == "IN" else not found
    value = flt["value"]
    if operator == "CONTAINS_TOKEN":
        return _has_token(stored, value)
    if operator == "NOT_CONTAINS_TOKEN":
        return not _has_token(stored, value)
    if operator in ("EQ", "NEQ"):
        equal = stored != "" and norm(stored) == norm(value)
        return equal if operator == "EQ" else not equal
    return stored != "" and _compare(stored, operator, value, flt.get("highValue", ""))


def _compare(stored: str, operator: str, value: str, high: str) -> bool:
    try:
        return _ordered(float(stored), float(value), float(high or 0), operator)
    except ValueError:
        return _ordered(stored.casefold(), value.casefold(), high.casefold(), operator)


def _ordered(left: _T, low: _T, top: _T, operator: str) -> bool:
    if operator == "LT":
        return left < low
    if operator == "LTE":
        return left <= low
    if operator == "GT":
        return left > low
    if operator == "GTE":
        return left >= low
    return low <= left <= top


def _tokens(text: str) -> list[str]:
    return [t for t in _TOKEN_SPLIT.split(text.casefold()) if t]


def _has_token(stored: str, value: str) -> bool:
    wanted = _tokens(value)
    have = _tokens(stored.replace("*", " "))
    return bool(wanted) and all(any(fnmatch.fnmatchcase(tok, w) for tok in have) for w in wanted)


def _query_hits(values: Mapping[str, str], query: str) -> bool:
    """Free text: every query word is a prefix of a token of some property value."""
    words = [w.replace("*", "") for w in _tokens(query)]
    tokens = [tok for value in values.values() for tok in _tokens(value.replace("*", " "))]
    return all(any(tok.startswith(word) for tok in tokens) for word in words if word)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())
