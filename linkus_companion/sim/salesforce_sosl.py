"""A SOSL parser and matcher: FIND {...} escaping, operators, wildcards, IN, RETURNING; phone-aware terms."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from linkus_companion.sim.salesforce_soql import (
    Condition,
    Ordering,
    Parser,
    QueryError,
    syntax_error,
    tokenize,
)

RESERVED = frozenset("?&|!{}[]()^~*:\\\"'+-")
"""Characters that must be backslash-escaped inside FIND {...} (SOSL reference, FIND clause)."""
SEARCH_GROUPS = ("all", "name", "email", "phone", "sidebar")
MAX_STATEMENT = 100_000
"""Maximum length of a SOSL statement."""
DEFAULT_LIMIT = 2000
_PHONE_PUNCTUATION = frozenset(" +()-./")
_TOKEN_CHARS = re.compile(r"[^\W_]+")
_EXTENSION = re.compile(r"\s*(?:;?ext\.?|extension|x|#)\s*\d{1,7}\s*$", re.IGNORECASE)
CODE = "MALFORMED_SEARCH"


@dataclass(frozen=True)
class Char:
    """One character of a search term; `wild` marks an unescaped `*` or `?`."""

    ch: str
    wild: bool = False


@dataclass(frozen=True)
class Term:
    """A word or a quoted phrase."""

    chars: tuple[Char, ...]
    phrase: bool = False

    @functools.cached_property
    def tokens(self) -> list[re.Pattern[str]]:
        """The term split like indexed text (on spaces and punctuation), each token as a pattern (built
        once per term, not once per record searched)."""
        patterns: list[re.Pattern[str]] = []
        current: list[str] = []
        for char in (*self.chars, Char(" ")):
            if char.wild:
                current.append(".*" if char.ch == "*" else ".")
            elif char.ch.isalnum():
                current.append(re.escape(char.ch.casefold()))
            elif current:
                patterns.append(re.compile("".join(current)))
                current = []
        return patterns

    @functools.cached_property
    def phone_pattern(self) -> re.Pattern[str] | None:
        """The term as a digits-only pattern when it looks like a phone number, else None."""
        if not any(c.ch.isdigit() for c in self.chars):
            return None
        if not all(c.wild or c.ch.isdigit() or c.ch in _PHONE_PUNCTUATION for c in self.chars):
            return None
        parts = [
            (".*" if c.ch == "*" else ".") if c.wild else c.ch for c in self.chars if c.wild or c.ch.isdigit()
        ]
        return re.compile("".join(parts))

    def literal_length(self) -> int:
        """Characters that are not wildcards."""
        return sum(1 for c in self.chars if not c.wild and not c.ch.isspace())

    def matches(self, values: Sequence[FieldValue]) -> bool:
        """Whether any searched field of a record contains the term."""
        tokens = self.tokens
        phone = self.phone_pattern
        for value in values:
            if phone is not None and value.phone and any(phone.fullmatch(key) for key in value.phone_keys):
                return True
            if tokens and _contains_sequence(value.tokens, tokens):
                return True
        return False


@dataclass(frozen=True)
class FieldValue:
    """A searchable field value of a record; phone fields also match on their digits."""

    text: str
    phone: bool = False

    @functools.cached_property
    def tokens(self) -> list[str]:
        """Indexed tokens: the text split on spaces and punctuation, case-folded."""
        return [t.casefold() for t in _TOKEN_CHARS.findall(self.text)]

    @functools.cached_property
    def phone_keys(self) -> set[str]:
        """Digits of the whole number, with and without an extension suffix."""
        keys = {"".join(ch for ch in self.text if ch.isdigit())}
        keys.add("".join(ch for ch in _EXTENSION.sub("", self.text) if ch.isdigit()))
        keys.discard("")
        return keys


def _contains_sequence(tokens: list[str], patterns: list[re.Pattern[str]]) -> bool:
    width = len(patterns)
    for start in range(len(tokens) - width + 1):
        if all(p.fullmatch(tokens[start + i]) for i, p in enumerate(patterns)):
            return True
    return False


@dataclass(frozen=True)
class Logical:
    """`left AND right`, `left OR right` or `left AND NOT right`."""

    op: str
    left: Expr
    right: Expr

    def matches(self, values: Sequence[FieldValue]) -> bool:
        """Evaluate against a record's searched values."""
        left = self.left.matches(values)
        if self.op == "or":
            return left or self.right.matches(values)
        right = self.right.matches(values)
        return left and (not right if self.op == "and not" else right)


Expr = Term | Logical


@dataclass(frozen=True)
class Returning:
    """One object of the RETURNING clause with its field list and options."""

    sobject: str
    fields: tuple[str, ...] = ("Id",)
    where: Condition | None = None
    order_by: tuple[Ordering, ...] = ()
    limit: int | None = None
    offset: int = 0


@dataclass(frozen=True)
class Search:
    """A parsed SOSL statement."""

    expr: Expr
    group: str = "all"
    returning: tuple[Returning, ...] = ()
    limit: int = DEFAULT_LIMIT


def plain_search(text: str, group: str, returning: tuple[Returning, ...], limit: int) -> Search:
    """A parameterized search: every word of `text` literal (no operators or wildcards), all required."""
    words = [Term(tuple(Char(ch) for ch in word)) for word in text.split()]
    if not any(word.literal_length() > 1 for word in words):
        raise QueryError(CODE, "No search term found. The search term must be longer than one character.")
    if group not in SEARCH_GROUPS:
        raise QueryError("INVALID_SEARCH_SCOPE", f"invalid value for parameter 'in': {group[:40]}")
    expr: Expr = words[0]
    for word in words[1:]:
        expr = Logical("and", expr, word)
    return Search(expr, group, returning, min(limit, DEFAULT_LIMIT))


def parse_search(source: str) -> Search:
    """Parse a SOSL statement or raise QueryError(MALFORMED_SEARCH / ...)."""
    if len(source) > MAX_STATEMENT:
        raise QueryError(
            CODE, f"SOSL statement is too long: {len(source)} characters, at most {MAX_STATEMENT}"
        )
    head = re.match(r"\s*find\s*", source, re.IGNORECASE)
    if head is None:
        raise syntax_error(
            source, len(source) - len(source.lstrip()), "unexpected token: expecting FIND", CODE
        )
    if source[head.end() : head.end() + 1] != "{":
        raise syntax_error(source, head.end(), "unexpected token: expecting '{'", CODE)
    close = _closing_brace(source, head.end() + 1)
    expr = _ExprParser(source, head.end() + 1, close).parse()
    parser = Parser(source, tokenize(source, close + 1, CODE), CODE)
    group = "all"
    if parser.at_keyword("in"):
        parser.take()
        name = parser.name().lower()
        if name not in SEARCH_GROUPS:
            raise parser.fail(f"unexpected token: '{name}'")
        if parser.current.kind != "name" or parser.current.text.lower() != "fields":
            raise parser.fail()
        parser.take()
        group = name
    returning: list[Returning] = []
    if parser.at_keyword("returning"):
        parser.take()
        returning.append(_returning(parser))
        while parser.at_op(","):
            parser.take()
            returning.append(_returning(parser))
    limit = DEFAULT_LIMIT
    if parser.at_keyword("limit"):
        parser.take()
        limit = min(parser.integer(), DEFAULT_LIMIT)
    parser.expect_end()
    return Search(expr, group, tuple(returning), limit)


def _returning(parser: Parser) -> Returning:
    sobject = parser.name()
    if not parser.at_op("("):
        return Returning(sobject)
    parser.take()
    fields = parser.field_list()
    clauses = parser.clauses()
    parser.op(")")
    return Returning(sobject, fields, *clauses)


def _closing_brace(source: str, start: int) -> int:
    pos = start
    while pos < len(source):
        if source[pos] == "\\":
            pos += 2
            continue
        if source[pos] == "}":
            return pos
        pos += 1
    raise syntax_error(source, len(source), "unexpected token: <EOF>, expecting '}'", CODE)


class _ExprParser:
    """Parses the text between the braces: words, "phrases", ( ), AND / OR / AND NOT, * and ?."""

    def __init__(self, source: str, start: int, end: int) -> None:
        self.source = source
        self.end = end
        self.items = self._lex(start)
        self.index = 0

    def parse(self) -> Expr:
        terms = [item for item in self.items if isinstance(item, Term)]
        if not any(term.literal_length() > 1 for term in terms):
            raise QueryError(CODE, "No search term found. The search term must be longer than one character.")
        expr = self._or()
        if self.index != len(self.items):
            raise self._error(f"unexpected token: '{self._describe()}'")
        return expr

    def _lex(self, pos: int) -> list[Term | str]:
        """Terms and the operator strings '(', ')', 'and', 'or', 'not'."""
        items: list[Term | str] = []
        while pos < self.end:
            ch = self.source[pos]
            if ch.isspace():
                pos += 1
            elif ch in "()":
                items.append(ch)
                pos += 1
            elif ch == '"':
                chars, pos = self._chars(pos + 1, phrase=True)
                items.append(Term(tuple(chars), phrase=True))
            else:
                start = pos
                chars, pos = self._chars(pos, phrase=False)
                word = self.source[start:pos]
                items.append(word.lower() if word.lower() in ("and", "or", "not") else Term(tuple(chars)))
        return items

    def _chars(self, pos: int, *, phrase: bool) -> tuple[list[Char], int]:
        chars: list[Char] = []
        while pos < self.end:
            ch = self.source[pos]
            if ch == "\\":
                if pos + 1 >= self.end:
                    raise syntax_error(
                        self.source, pos, f"line 1:{pos} no viable alternative at character '\\'", CODE
                    )
                chars.append(Char(self.source[pos + 1]))
                pos += 2
                continue
            if phrase and ch == '"':
                return chars, pos + 1
            if not phrase and (ch.isspace() or ch in '()"'):
                return chars, pos
            if ch in "*?":
                chars.append(Char(ch, wild=True))
            elif ch in RESERVED:
                raise syntax_error(
                    self.source, pos, f"line 1:{pos} no viable alternative at character '{ch}'", CODE
                )
            else:
                chars.append(Char(ch))
            pos += 1
        if phrase:
            raise syntax_error(self.source, self.end, "unterminated phrase: expecting '\"'", CODE)
        return chars, pos

    def _describe(self) -> str:
        item = self.items[self.index] if self.index < len(self.items) else "<EOF>"
        return item if isinstance(item, str) else "".join(c.ch for c in item.chars)

    def _error(self, message: str) -> QueryError:
        return QueryError(CODE, f"line 1:{self.end} {message}")

    def _peek(self) -> Term | str | None:
        return self.items[self.index] if self.index < len(self.items) else None

    def _or(self) -> Expr:
        left = self._and()
        while self._peek() == "or":
            self.index += 1
            left = Logical("or", left, self._and())
        return left

    def _and(self) -> Expr:
        left = self._primary()
        while True:
            nxt = self._peek()
            if nxt == "and":
                self.index += 1
                op = "and"
                if self._peek() == "not":
                    self.index += 1
                    op = "and not"
                left = Logical(op, left, self._primary())
            elif isinstance(nxt, Term) or nxt == "(":
                left = Logical("and", left, self._primary())
            else:
                return left

    def _primary(self) -> Expr:
        item = self._peek()
        if isinstance(item, Term):
            self.index += 1
            return item
        if item == "(":
            self.index += 1
            inner = self._or()
            if self._peek() != ")":
                raise self._error(f"unexpected token: '{self._describe()}', expecting ')'")
            self.index += 1
            return inner
        raise self._error(f"unexpected token: '{self._describe()}'")
