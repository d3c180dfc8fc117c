"""Zoho CRM search `criteria` parser: `((Field:operator:value)and(...))` with backslash escapes."""

from __future__ import annotations

from dataclasses import dataclass

MAX_CONDITIONS = 10
"""Zoho accepts at most ten conditions in one criteria expression."""
OPERATORS = frozenset(
    {
        "equals",
        "not_equal",
        "starts_with",
        "in",
        "not_in",
        "greater_than",
        "greater_equal",
        "less_than",
        "less_equal",
        "between",
    }
)
LIST_OPERATORS = frozenset({"in", "not_in", "between"})
MAX_DEPTH = 8
"""Deeper nesting is refused before it can exhaust the parser."""
_FIELD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.$")


class CriteriaError(ValueError):
    """The criteria text is not a valid expression; the message says where."""


@dataclass(frozen=True)
class Condition:
    """`(field:operator:value)`; `values` holds the unescaped value(s)."""

    field: str
    operator: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    """Conditions or groups joined by one connective, `and` or `or`."""

    connective: str
    items: tuple[Condition | Group, ...]


Node = Condition | Group


def parse(text: str) -> Node:
    """Parse a criteria expression; raises CriteriaError for anything malformed or too large."""
    parser = _Parser(text)
    node = parser.expression()
    if parser.pos != len(text):
        raise CriteriaError(f"unexpected {text[parser.pos]!r} at {parser.pos}")
    if len(conditions(node)) > MAX_CONDITIONS:
        raise CriteriaError(f"more than {MAX_CONDITIONS} conditions")
    return node


def conditions(node: Node) -> list[Condition]:
    """Every condition in `node`, left to right."""
    if isinstance(node, Condition):
        return [node]
    return [c for item in node.items for c in conditions(item)]


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0

    def expression(self) -> Node:
        """term (connective term)*, one connective per level."""
        items = [self.term()]
        connective = ""
        while self.pos < len(self.text) and self.text[self.pos] != ")":
            word = self._connective()
            if connective and word != connective:
                raise CriteriaError(f"mixed 'and'/'or' without parentheses at {self.pos}")
            connective = word
            items.append(self.term())
        return items[0] if len(items) == 1 else Group(connective, tuple(items))

    def term(self) -> Node:
        self._expect("(")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise CriteriaError(f"nested deeper than {MAX_DEPTH} levels")
        node = self.expression() if self._peek() == "(" else self.condition()
        self._expect(")")
        self.depth -= 1
        return node

    def condition(self) -> Condition:
        field = self._name()
        self._expect(":")
        operator = self._name().lower()
        if operator not in OPERATORS:
            raise CriteriaError(f"unknown operator {operator!r}")
        self._expect(":")
        values = self._values(operator in LIST_OPERATORS)
        if operator == "between" and len(values) != 2:
            raise CriteriaError("'between' takes two values")
        return Condition(field, operator, values)

    def _values(self, is_list: bool) -> tuple[str, ...]:
        values: list[str] = []
        current: list[str] = []
        while True:
            if self.pos >= len(self.text):
                raise CriteriaError("unterminated condition: missing ')'")
            char = self.text[self.pos]
            if char == "\\":
                if self.pos + 1 >= len(self.text):
                    raise CriteriaError("dangling backslash at the end")
                current.append(self.text[self.pos + 1])
                self.pos += 2
                continue
            if char == ")":
                break
            if char == "(":
                raise CriteriaError(f"unescaped '(' in a value at {self.pos}")
            if char == ",":
                if not is_list:
                    raise CriteriaError(f"unescaped ',' in a value at {self.pos}")
                values.append("".join(current))
                current = []
            else:
                current.append(char)
            self.pos += 1
        values.append("".join(current))
        return tuple(values)

    def _connective(self) -> str:
        for word in ("and", "or"):
            end = self.pos + len(word)
            if self.text[self.pos : end].lower() == word and self.text[end : end + 1] == "(":
                self.pos = end
                return word
        raise CriteriaError(f"expected 'and' or 'or' at {self.pos}")

    def _name(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in _FIELD_CHARS:
            self.pos += 1
        if self.pos == start:
            raise CriteriaError(f"expected a name at {start}")
        return self.text[start : self.pos]

    def _peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def _expect(self, char: str) -> None:
        if self._peek() != char:
            raise CriteriaError(f"expected {char!r} at {self.pos}")
        self.pos += 1
