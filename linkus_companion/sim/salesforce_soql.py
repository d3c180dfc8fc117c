"""A SOQL parser and evaluator for the subset we use, with the real literal escaping; else MALFORMED_QUERY."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

KEYWORDS = frozenset(
    {
        "select",
        "from",
        "where",
        "and",
        "or",
        "not",
        "like",
        "in",
        "order",
        "by",
        "asc",
        "desc",
        "nulls",
        "first",
        "last",
        "limit",
        "offset",
        "true",
        "false",
        "null",
        "returning",
        "find",
    }
)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_TOKEN = re.compile(
    r"(?P<space>\s+)|(?P<number>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"
    r"|(?P<op><=|>=|!=|<>|[=<>(),])"
)


class QueryError(Exception):
    """A query Salesforce would refuse; `code` is its errorCode (MALFORMED_QUERY, INVALID_FIELD, ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Token:
    """One lexical token: kind is `name`, `keyword`, `number`, `string`, `op` or `eof`."""

    kind: str
    text: str
    value: Any
    pos: int
    like: str = ""
    """For string literals: the value as a LIKE pattern (a regular expression)."""


def syntax_error(source: str, pos: int, message: str, code: str = "MALFORMED_QUERY") -> QueryError:
    """An error in Salesforce's style: the statement, a caret under the column, and what went wrong."""
    line_start = source.rfind("\n", 0, pos) + 1
    row = source.count("\n", 0, pos) + 1
    column = pos - line_start + 1
    line_end = source.find("\n", pos)
    line = source[line_start : line_end if line_end >= 0 else len(source)]
    caret = " " * (column - 1) + "^"
    return QueryError(code, f"\n{line[:200]}\n{caret[:201]}\nERROR at Row:{row}:Column:{column}\n{message}")


def tokenize(source: str, start: int = 0, code: str = "MALFORMED_QUERY") -> list[Token]:
    """Split `source[start:]` into tokens; string literals are decoded with SOQL's escape rules."""
    tokens: list[Token] = []
    pos = start
    while pos < len(source):
        if source[pos] == "'":
            value, like, pos_after = _string_literal(source, pos, code)
            tokens.append(Token("string", source[pos:pos_after], value, pos, like))
            pos = pos_after
            continue
        match = _TOKEN.match(source, pos)
        if match is None:
            raise syntax_error(source, pos, f"unexpected token: '{source[pos]}'", code)
        kind = match.lastgroup or ""
        text = match.group()
        if kind == "name" and text.lower() in KEYWORDS:
            tokens.append(Token("keyword", text, text.lower(), pos))
        elif kind == "number":
            tokens.append(Token("number", text, float(text) if "." in text else int(text), pos))
        elif kind != "space":
            tokens.append(Token(kind, text, text, pos))
        pos = match.end()
    tokens.append(Token("eof", "<EOF>", None, len(source)))
    return tokens


def _string_literal(source: str, start: int, code: str) -> tuple[str, str, int]:
    """Decode the literal opening at `start`: (value, LIKE pattern as a regex, index after the quote).

    `%` and `_` are LIKE wildcards unless escaped as `\\%` / `\\_`; in the plain value they are literal.
    """
    value: list[str] = []
    like: list[str] = []
    pos = start + 1
    while pos < len(source):
        ch = source[pos]
        if ch == "'":
            return "".join(value), "".join(like), pos + 1
        if ch != "\\":
            value.append(ch)
            like.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
            pos += 1
            continue
        nxt = source[pos + 1 : pos + 2]
        if nxt.lower() in _ESCAPES:
            decoded = _ESCAPES[nxt.lower()]
        elif nxt in ("_", "%"):
            decoded = nxt
        elif nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", source[pos + 2 : pos + 6]):
            decoded = chr(int(source[pos + 2 : pos + 6], 16))
            pos += 4
        else:
            literal = source[start : min(len(source), pos + 2)]
            raise QueryError(
                code,
                f"Invalid string literal {literal[:200]!s}. "
                f"Illegal character sequence '\\{nxt}' in string literal.",
            )
        value.append(decoded)
        like.append(re.escape(decoded))
        pos += 2
    raise syntax_error(source, start, "line 1: unterminated string literal", code)


# --- conditions -------------------------------------------------------------------------------------

Getter = Callable[[Mapping[str, Any], str], Any]
"""Reads a (possibly dotted) field of a record, case-insensitively."""


@dataclass(frozen=True)
class Comparison:
    """`field op value`."""

    field: str
    op: str
    value: Any

    def test(self, record: Mapping[str, Any], get: Getter) -> bool:
        """Whether `record` satisfies the comparison (strings compare case-insensitively, as in SOQL)."""
        actual = get(record, self.field)
        if self.op == "like":
            return actual is not None and re.fullmatch(self.value, str(actual), re.I | re.S) is not None
        if self.op in ("in", "not in"):
            found = any(_equal(actual, v) for v in self.value)
            return found if self.op == "in" else not found
        if self.op == "=":
            return _equal(actual, self.value)
        if self.op in ("!=", "<>"):
            return not _equal(actual, self.value)
        if actual is None or self.value is None:
            return False
        left, right = _comparable(actual), _comparable(self.value)
        if type(left) is not type(right):
            return False
        outcome: bool = {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[
            self.op
        ]
        return outcome


@dataclass(frozen=True)
class BoolOp:
    """AND / OR of conditions, or NOT of one."""

    op: str
    parts: tuple[Condition, ...]

    def test(self, record: Mapping[str, Any], get: Getter) -> bool:
        """Evaluate the combination."""
        if self.op == "not":
            return not self.parts[0].test(record, get)
        results = (part.test(record, get) for part in self.parts)
        return all(results) if self.op == "and" else any(results)


Condition = Comparison | BoolOp


def _comparable(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    return str(value).casefold()


def _equal(actual: Any, expected: Any) -> bool:
    if expected is None or actual is None:
        return actual is None and expected is None
    if isinstance(expected, str):
        return isinstance(actual, str) and actual.casefold() == expected.casefold()
    same: bool = _comparable(actual) == _comparable(expected)
    return same


@dataclass(frozen=True)
class Ordering:
    """One ORDER BY item."""

    field: str
    descending: bool = False
    nulls_last: bool = False


@dataclass(frozen=True)
class Query:
    """A parsed `SELECT fields FROM object [WHERE] [ORDER BY] [LIMIT] [OFFSET]`; `SELECT COUNT() ...` has
    no fields and `count` set (the answer is the total size without records)."""

    fields: tuple[str, ...]
    sobject: str
    where: Condition | None = None
    order_by: tuple[Ordering, ...] = ()
    limit: int | None = None
    offset: int = 0
    count: bool = False


@dataclass
class Parser:
    """Recursive-descent parser over tokens; shared by the SOQL and SOSL grammars."""

    source: str
    tokens: list[Token]
    code: str = "MALFORMED_QUERY"
    index: int = field(default=0)

    @property
    def current(self) -> Token:
        """The token under the cursor."""
        return self.tokens[self.index]

    def fail(self, message: str | None = None) -> QueryError:
        """A syntax error at the current token."""
        token = self.current
        return syntax_error(self.source, token.pos, message or f"unexpected token: '{token.text}'", self.code)

    def take(self) -> Token:
        """Consume and return the current token."""
        token = self.current
        if token.kind != "eof":
            self.index += 1
        return token

    def at_keyword(self, *words: str) -> bool:
        """Whether the current token is one of the keywords."""
        return self.current.kind == "keyword" and self.current.value in words

    def keyword(self, word: str) -> None:
        """Consume the keyword or fail."""
        if not self.at_keyword(word):
            raise self.fail()
        self.take()

    def op(self, text: str) -> None:
        """Consume the operator or fail."""
        if self.current.kind != "op" or self.current.text != text:
            raise self.fail()
        self.take()

    def at_op(self, text: str) -> bool:
        """Whether the current token is the operator."""
        return self.current.kind == "op" and self.current.text == text

    def name(self) -> str:
        """Consume an identifier (possibly dotted)."""
        if self.current.kind != "name":
            raise self.fail()
        return str(self.take().text)

    def field_list(self) -> tuple[str, ...]:
        """`a, b.c, d` (aggregate functions and sub-queries are not supported)."""
        names = [self.name()]
        while self.at_op(","):
            self.take()
            names.append(self.name())
        if self.at_op("("):
            raise self.fail()
        return tuple(names)

    def condition(self) -> Condition:
        """`expr (OR expr)*` with AND binding tighter; NOT and parentheses allowed."""
        parts = [self._and()]
        while self.at_keyword("or"):
            self.take()
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else BoolOp("or", tuple(parts))

    def _and(self) -> Condition:
        parts = [self._unary()]
        while self.at_keyword("and"):
            self.take()
            parts.append(self._unary())
        return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))

    def _unary(self) -> Condition:
        if self.at_keyword("not"):
            self.take()
            return BoolOp("not", (self._unary(),))
        if self.at_op("("):
            self.take()
            inner = self.condition()
            self.op(")")
            return inner
        return self._comparison()

    def _comparison(self) -> Comparison:
        name = self.name()
        if self.at_keyword("like"):
            self.take()
            token = self.take()
            if token.kind != "string":
                raise syntax_error(self.source, token.pos, f"unexpected token: '{token.text}'", self.code)
            return Comparison(name, "like", token.like)
        if self.at_keyword("in", "not"):
            negated = self.take().value == "not"
            if negated:
                self.keyword("in")
            self.op("(")
            values = [self._literal()]
            while self.at_op(","):
                self.take()
                values.append(self._literal())
            self.op(")")
            return Comparison(name, "not in" if negated else "in", tuple(values))
        if self.current.kind != "op" or self.current.text not in ("=", "!=", "<>", "<", ">", "<=", ">="):
            raise self.fail()
        op = str(self.take().text)
        return Comparison(name, op, self._literal())

    def _literal(self) -> Any:
        token = self.take()
        if token.kind in ("string", "number"):
            return token.value
        if token.kind == "keyword" and token.value in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[token.value]
        raise syntax_error(self.source, token.pos, f"unexpected token: '{token.text}'", self.code)

    def order_by(self) -> tuple[Ordering, ...]:
        """`ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...` after the keywords were seen."""
        self.keyword("order")
        self.keyword("by")
        items = [self._ordering()]
        while self.at_op(","):
            self.take()
            items.append(self._ordering())
        return tuple(items)

    def _ordering(self) -> Ordering:
        name = self.name()
        descending = False
        if self.at_keyword("asc", "desc"):
            descending = self.take().value == "desc"
        nulls_last = descending
        if self.at_keyword("nulls"):
            self.take()
            if not self.at_keyword("first", "last"):
                raise self.fail()
            nulls_last = self.take().value == "last"
        return Ordering(name, descending, nulls_last)

    def integer(self) -> int:
        """A non-negative integer literal."""
        token = self.take()
        if token.kind != "number" or not isinstance(token.value, int):
            raise syntax_error(self.source, token.pos, f"unexpected token: '{token.text}'", self.code)
        return token.value

    def clauses(self) -> tuple[Condition | None, tuple[Ordering, ...], int | None, int]:
        """The optional WHERE, ORDER BY, LIMIT and OFFSET clauses, in that order."""
        where = None
        if self.at_keyword("where"):
            self.take()
            where = self.condition()
        order: tuple[Ordering, ...] = ()
        if self.at_keyword("order"):
            order = self.order_by()
        limit = None
        offset = 0
        if self.at_keyword("limit"):
            self.take()
            limit = self.integer()
        if self.at_keyword("offset"):
            self.take()
            offset = self.integer()
        return where, order, limit, offset

    def expect_end(self) -> None:
        """Fail unless every token was consumed."""
        if self.current.kind != "eof":
            raise self.fail()


def parse_query(source: str) -> Query:
    """Parse a SOQL statement or raise QueryError(MALFORMED_QUERY)."""
    parser = Parser(source, tokenize(source))
    parser.keyword("select")
    count = str(parser.current.text).lower() == "count"
    if count and [t.text for t in parser.tokens[parser.index + 1 : parser.index + 3]] == ["(", ")"]:
        parser.index += 3
        fields: tuple[str, ...] = ()
    else:
        count, fields = False, parser.field_list()
    parser.keyword("from")
    sobject = parser.name()
    clauses = parser.clauses()
    parser.expect_end()
    return Query(fields, sobject, *clauses, count=count)


def condition_fields(condition: Condition | None) -> list[str]:
    """Every field a condition reads (for validation against the object's schema)."""
    if condition is None:
        return []
    if isinstance(condition, Comparison):
        return [condition.field]
    return [name for part in condition.parts for name in condition_fields(part)]


def sort_records(
    records: Sequence[Mapping[str, Any]], order: Sequence[Ordering], get: Getter
) -> list[Mapping[str, Any]]:
    """Records sorted by the ORDER BY items (stable, last key first)."""
    result = list(records)
    for item in reversed(order):
        present = [r for r in result if get(r, item.field) is not None]
        missing = [r for r in result if get(r, item.field) is None]
        present.sort(key=lambda r: _comparable(get(r, item.field)), reverse=item.descending)
        result = present + missing if item.nulls_last else missing + present
    return result
