"""Call-log templates: both placeholder forms, validation at save time, and rendering that never fails."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from linkus_companion.engine.templates import (
    DEFAULT_DESCRIPTION,
    DEFAULT_SUBJECT,
    VARIABLES,
    CallFacts,
    call_variables,
    duration,
    render,
    status,
    validate,
)
from linkus_companion.model import Direction, Outcome

CALL = CallFacts(
    call_id="1709371800.42",
    direction=Direction.INBOUND,
    outcome=Outcome.ANSWERED,
    started_at=dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC),
    talk_seconds=65,
    ring_seconds=7,
    from_number="+12125550131",
    to_number="101",
    extension="101",
    extension_name="Alice",
    contact_name="Alan Turing",
    company="Bletchley",
    recording_url="https://pbx.example.com/r/42",
    did="+12125550100",
)
VALUES = call_variables(CALL, dt.UTC)


def test_default_description_reads_like_the_manual() -> None:
    assert (
        render(DEFAULT_DESCRIPTION, VALUES)
        == "Call: 2026-03-02 09:30:00 Answered from +12125550131 to 101 00:01:05"
    )
    assert render(DEFAULT_SUBJECT, VALUES) == "Extension Call"
    assert validate(DEFAULT_DESCRIPTION) == []


def test_dotted_undotted_and_spaced_forms_are_the_same() -> None:
    forms = ["{{.Call_From}}", "{{Call_From}}", "{{ .Call_From }}", "{{ Call_From }}", "{{call_from}}"]
    assert [render(form, VALUES) for form in forms] == ["+12125550131"] * len(forms)
    assert all(validate(form) == [] for form in forms)


def test_every_documented_variable_has_a_value() -> None:
    assert set(VALUES) == set(VARIABLES)
    rendered = render(" ".join(f"{{{{.{name}}}}}" for name in VARIABLES), VALUES)
    assert "{{" not in rendered
    for expected in (
        "Alice",
        "Alan Turing",
        "Bletchley",
        "https://pbx.example.com/r/42",
        "Inbound",
        "1709371800.42",
    ):
        assert expected in rendered


def test_unknown_variables_are_reported_once_in_order() -> None:
    template = "{{.Tme}} {{ .Caller }} {{.Time}} {{.Tme}} {{ if .x }}"
    assert validate(template) == [".Tme", ".Caller", "if .x"]


def test_unknown_placeholders_are_left_visible_and_known_missing_values_render_empty() -> None:
    assert render("{{.Tme}} at {{.Time}}", VALUES) == "{{.Tme}} at 2026-03-02 09:30:00"
    assert render("[{{.Company}}]", {}) == "[]"


def test_times_follow_the_chosen_time_zone_and_unix_time_is_utc() -> None:
    tokyo = dt.timezone(dt.timedelta(hours=9))
    values = call_variables(CALL, tokyo)
    assert values["Time"] == "2026-03-02 18:30:00"
    assert values["StartTimeUnix"] == "1772443800"


def test_human_statuses_and_durations() -> None:
    assert status(Direction.INBOUND, Outcome.NO_ANSWER) == "Missed"
    assert status(Direction.OUTBOUND, Outcome.NO_ANSWER) == "No Answer"
    assert status(Direction.INBOUND, Outcome.BUSY) == "Busy"
    assert status(Direction.INBOUND, Outcome.VOICEMAIL) == "Voicemail"
    assert duration(0) == "00:00:00"
    assert duration(3725) == "01:02:05"
    assert duration(-5) == "00:00:00"
    assert VALUES["Talk_Duration_Sec"] == "65" and VALUES["Ring_Duration"] == "00:00:07"


@given(st.text(alphabet=st.sampled_from("{}. _TimeCal\n\\$x"), max_size=60))
def test_render_and_validate_never_fail(template: str) -> None:
    assert isinstance(render(template, VALUES), str)
    assert isinstance(validate(template), list)
