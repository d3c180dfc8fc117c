"""The Zoho emulator's criteria parser: documented grammar, escapes, and refusal of malformed input."""

from __future__ import annotations

import pytest

from linkus_companion.sim.zoho_criteria import Condition, CriteriaError, Group, conditions, parse


def test_single_condition() -> None:
    assert parse("(Last_Name:equals:Burns)") == Condition("Last_Name", "equals", ("Burns",))


def test_documented_example_with_escaped_comma() -> None:
    node = parse(r"((Last_Name:equals:Burns\,B)and(First_Name:starts_with:M))")
    assert node == Group(
        "and",
        (Condition("Last_Name", "equals", ("Burns,B",)), Condition("First_Name", "starts_with", ("M",))),
    )


def test_colons_in_a_value_need_no_escape() -> None:
    assert parse("(Phone:equals:+1:555)").values == ("+1:555",)  # type: ignore[union-attr]


def test_escaped_parentheses_and_backslash_are_literal() -> None:
    node = parse(r"(Subject:equals:a\)or\(b\\)")
    assert node == Condition("Subject", "equals", ("a)or(b\\",))


def test_in_splits_on_unescaped_commas_only() -> None:
    assert parse(r"(Phone:in:1\,2,3)") == Condition("Phone", "in", ("1,2", "3"))


def test_nested_groups() -> None:
    node = parse("((A:equals:1)or((B:equals:2)and(C:equals:3)))")
    assert isinstance(node, Group) and node.connective == "or"
    assert [c.field for c in conditions(node)] == ["A", "B", "C"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Last_Name:equals:x",
        "(Last_Name:equals:x",
        "(Last_Name:equals:x))",
        "(Last_Name:equals:a)or(b)",
        "(Last_Name:equals:a(b)",
        "(Last_Name:equals:a,b)",
        "(Last_Name:like:x)",
        "(Last_Name:equals:x\\",
        "((A:equals:1)and(B:equals:2)or(C:equals:3))",
        "(A:equals:1)xor(B:equals:2)",
        "(A B:equals:1)",
        "(between:between:1)",
        "(" * 5000 + "A:equals:1" + ")" * 5000,
        "(A:equals:1)" + "or(A:equals:1)" * 10,
    ],
    ids=repr,
)
def test_malformed_or_oversized_criteria_are_refused(text: str) -> None:
    with pytest.raises(CriteriaError):
        parse(text)


def test_ten_conditions_are_allowed() -> None:
    assert len(conditions(parse("(" + "or".join(["(A:equals:1)"] * 10) + ")"))) == 10
