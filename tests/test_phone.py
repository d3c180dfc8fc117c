"""Phone numbers: every way a CRM stores a number maps to one E.164; hostile text is refused."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkus_companion.phone import InvalidNumber, parse, to_e164

GB = (
    "+442079460958",
    "+44 20 7946 0958",
    "020 7946 0958",
    "020-7946-0958",
    "(020) 7946 0958",
    "+44 20 7946 0958 ext. 12",
    "020 7946 0958 x12",
    "00442079460958",
    "00 44 20 7946 0958",
    "02079460958",
    "442079460958",
    "tel:+44-20-7946-0958",
)
US = (
    "+12015550123",
    "+1 201 555 0123",
    "(201) 555-0123",
    "201-555-0123",
    "201.555.0123",
    "+1 (201) 555-0123 ext 99",
    "201-555-0123 x99",
    "0012015550123",
    "2015550123",
    "12015550123",
    "callto:+12015550123",
)
CASES = [(text, "GB", "+442079460958") for text in GB] + [(text, "US", "+12015550123") for text in US]
ARABIC_INDIC_GB = "".join(chr(0x0660 + int(d)) for d in "02079460958")
FULLWIDTH_US = "".join(chr(0xFF10 + int(d)) for d in "12015550123")
ASCII_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


@pytest.mark.parametrize(("text", "region", "e164"), CASES)
def test_every_format_gives_the_same_e164(text: str, region: str, e164: str) -> None:
    assert parse(text, region).e164 == e164
    assert to_e164(text, region) == e164


@pytest.mark.parametrize(("text", "region", "e164"), CASES)
def test_every_format_shares_the_canonical_match_keys(text: str, region: str, e164: str) -> None:
    keys = parse(text, region).match_keys()
    assert keys[0] == e164
    assert set(parse(e164, region).match_keys()) <= set(keys)
    assert keys[-1] == e164[-7:]  # the last-7-digit fallback


def test_match_keys_cover_the_stored_forms_crms_hold() -> None:
    keys = parse("020 7946 0958", "GB").match_keys()
    assert {"+442079460958", "442079460958", "02079460958", "2079460958", "00442079460958", "9460958"} <= set(
        keys
    )


def test_same_number_across_formats_and_not_for_another_number() -> None:
    number = parse("+44 20 7946 0958", "GB")
    assert number.same_number("(020) 7946-0958", "GB")
    assert not number.same_number("020 7946 0959", "GB")
    assert not number.same_number("not a number", "GB")


def test_a_number_is_read_in_the_configured_region() -> None:
    assert parse("020 7946 0958", "GB").e164 == "+442079460958"
    assert parse("(201) 555-0123", "US").e164 == "+12015550123"


@pytest.mark.parametrize("text", ["1001", "101", "6000", " 8001 "])
def test_internal_extensions_are_recognised(text: str) -> None:
    number = parse(text, "GB")
    assert number.internal
    assert number.e164 is None
    assert number.digits == text.strip()


def test_an_international_number_is_never_internal() -> None:
    assert not parse("+44 20 7946 0958", "GB").internal


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "1" * 10_000,
        "+" + "4" * 9_999,
        "call me maybe",
        "0207946O958",  # letter O
        "'; DROP TABLE contacts; --",
        "020 7946 0958' OR '1'='1",
        "FIND {0207946*} IN PHONE FIELDS",
        "020*7946",
        "020 7946 0958 OR Phone LIKE '%'",
        '\\"0207946\\"',
        "<script>1</script>",
        "${jndi:ldap://x}",
        "020 7946 0958\x00",
    ],
)
def test_hostile_or_non_numeric_text_is_refused(text: str) -> None:
    with pytest.raises(InvalidNumber):
        parse(text, "GB")


@pytest.mark.parametrize(
    "text",
    ["020 7946\n0958", "020\t7946 0958", "020 7946 0958\next 12", ARABIC_INDIC_GB, FULLWIDTH_US],
)
def test_newlines_and_unicode_digits_are_refused(text: str) -> None:
    with pytest.raises(InvalidNumber):
        parse(text, "GB")


def test_the_refusal_message_does_not_echo_huge_input() -> None:
    with pytest.raises(InvalidNumber) as caught:
        parse("9" * 10_000, "GB")
    assert len(str(caught.value)) < 200


@settings(max_examples=500, deadline=None)
@given(
    st.text(max_size=200) | st.text(alphabet="0123456789+ ()-./#x;*\n\t" + ARABIC_INDIC_GB[:3], max_size=80)
)
def test_any_text_parses_or_is_refused_without_crashing(text: str) -> None:
    try:
        number = parse(text, "GB")
    except InvalidNumber:
        return
    assert number.digits
    assert number.e164 is None or number.e164.startswith("+")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789 ()-+\n\t" + ARABIC_INDIC_GB[:3] + FULLWIDTH_US[:3], max_size=40))
def test_accepted_numbers_are_plain_ascii(text: str) -> None:
    try:
        number = parse(text, "GB")
    except InvalidNumber:
        return
    assert number.digits.isascii() and number.digits.isdigit()
    assert not any(ch in number.raw for ch in "\n\t\r")
    assert number.e164 is None or ASCII_E164.fullmatch(number.e164)


@pytest.mark.parametrize("text", ["555-0180", "555 0180", "5550180", "+1 555 0180"])
def test_a_us_number_without_its_area_code_gets_no_made_up_e164(text: str) -> None:
    """Seven digits are a local number in the US: no +1 number is invented from them (+15550180 before)."""
    number = parse(text, "US")
    assert number.e164 is None and not number.internal
    assert "+15550180" not in number.match_keys()
    with pytest.raises(InvalidNumber, match="not a complete phone number for region US"):
        to_e164(text, "US")
    assert not parse("+1 212 555 0180", "US").same_number(text, "US"), "not the caller's full number"
    assert not number.same_number("+1 212 555 0180", "US")


def test_prepare_loads_the_regions_numbering_plan_before_any_number_is_parsed() -> None:
    """The first call's lookup does not read the plan (phonenumbers loads each region on first use)."""
    import subprocess
    import sys

    code = (
        "import sys; from linkus_companion import phone; "
        "before = 'phonenumbers.data.region_NZ' in sys.modules; phone.prepare('nz'); "
        "print(before, 'phonenumbers.data.region_NZ' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["False", "True"]
