"""Numbers from tel:/callto: links and `dial` arguments, and the outbound prefix rule."""

from __future__ import annotations

import pytest

from linkus_companion.platform.dial import DialError, OutboundRule, number_from_args, number_from_text


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("tel:+1-555-0100", "+15550100"),
        ("TEL:+1.555.0100", "+15550100"),
        ("tel:5550100;phone-context=+1-555", "5550100"),
        ("tel:+1-201-555-0123;ext=1234", "+12015550123"),
        ("tel:%2B44%2020%207123%204567", "+442071234567"),
        ("callto://+15550100", "+15550100"),
        ("callto://+15550100/", "+15550100"),
        ("callto:+15550100", "+15550100"),
        ("callto:5550100?call", "5550100"),
        ("  +1 (555) 010-0100 ", "+15550100100"),
        ("030/1234567", "0301234567"),
        ("*72#", "*72#"),
        ("1001", "1001"),
        (
            "\uff0b\uff18\uff16 \uff11\uff13\uff18 \uff10\uff10\uff10\uff10 \uff10\uff10\uff10\uff10",
            "+8613800000000",
        ),
    ],
)
def test_links_and_typed_numbers_become_the_digits_to_dial(text: str, number: str) -> None:
    assert number_from_text(text) == number


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "No number"),
        ("tel:", "No number"),
        ("callto://echo123", "is not a phone number"),
        ("http://evil.example/tel:123", "Only tel: and callto: links"),
        ("sip:100@pbx", "Only tel: and callto: links"),
        ("javascript:alert(1)", "Only tel: and callto: links"),
        ("tel:+1555\n0100", "control characters"),
        ("tel:%0A5550100", "control characters"),
        ("tel:%FF%FE", "percent-encoded"),
        ("tel:555-CALL-NOW", "is not a phone number"),
        ("tel:1+555", "is not a phone number"),
        ("tel:++15550100", "is not a phone number"),
        ("tel:+", "is not a phone number"),
        ("tel:*#", "no digits"),
        ("tel:\u0665\u0665\u0665\u0660\u0661\u0660\u0660", "is not a phone number"),
        ("1" * 40, "at most 32 digits"),
        ("tel:" + "1" * 300, "too long"),
        ("; rm -rf /", "is not a phone number"),
    ],
)
def test_garbage_is_refused_with_a_sentence_a_user_understands(text: str, message: str) -> None:
    with pytest.raises(DialError, match=message):
        number_from_text(text)


def test_error_message_quotes_long_input_shortened() -> None:
    with pytest.raises(DialError) as caught:
        number_from_text("x" * 200)
    assert len(str(caught.value)) < 120


@pytest.mark.parametrize(
    ("args", "number"),
    [
        (["dial", "+1 555 0100"], "+15550100"),
        (["dial", "+1", "555", "0100"], "+15550100"),
        (["dial", "tel:+15550100"], "+15550100"),
        (["tel:+15550100"], "+15550100"),
        (["callto://+15550100"], "+15550100"),
        (["5550100"], "5550100"),
    ],
)
def test_command_line_forms(args: list[str], number: str) -> None:
    assert number_from_args(args) == number


@pytest.mark.parametrize("args", [[], ["dial"], ["dial", "  "]])
def test_missing_number_says_how_to_dial(args: list[str]) -> None:
    with pytest.raises(DialError, match="linkus-companion dial NUMBER"):
        number_from_args(args)


@pytest.mark.parametrize(
    ("prefix", "number", "dialled"),
    [
        ("9", "5550100", "95550100"),
        ("0", "+442071234567", "0+442071234567"),
        ("9", "1001", "1001"),
        ("9", "*72", "*72"),
        ("9", "123456", "123456"),
        ("9", "1234567", "91234567"),
        ("", "5550100", "5550100"),
    ],
)
def test_outbound_prefix_goes_before_external_numbers_only(prefix: str, number: str, dialled: str) -> None:
    assert OutboundRule(prefix).apply(number) == dialled


def test_internal_length_is_configurable() -> None:
    assert OutboundRule("9", internal_max_digits=4).apply("12345") == "912345"
