"""Call-log subject and description templates: `{{.Var}}` or `{{Var}}` placeholders filled from a call."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from linkus_companion.config.schema import DEFAULT_DESCRIPTION as DEFAULT_DESCRIPTION
from linkus_companion.config.schema import DEFAULT_SUBJECT as DEFAULT_SUBJECT
from linkus_companion.model import Direction, Outcome

VARIABLES: Mapping[str, str] = {
    "Time": "start of the call, local time, e.g. 2026-03-02 09:30:00",
    "StartTimeUnix": "start of the call, seconds since 1970 (UTC)",
    "Call_Log_Status": "Answered, Missed, No Answer, Busy, Voicemail or Failed",
    "Call_From": "calling number",
    "Call_To": "called number",
    "Talk_Duration": "talk time as HH:MM:SS",
    "Talk_Duration_Sec": "talk time in seconds",
    "Ring_Duration": "ring time as HH:MM:SS",
    "Ring_Duration_Sec": "ring time in seconds",
    "Call_Type": "Inbound, Outbound or Internal",
    "Extension": "our extension number",
    "Extension_Name": "our extension's name",
    "Contact_Name": "the matched CRM record's name",
    "Company": "the matched record's company",
    "Recording_Url": "link that plays the recording (empty when not recorded)",
    "Call_ID": "the PBX call id",
    "DID": "the number the caller dialled (inbound trunk DID)",
    "Note": "what the user typed on the call's card (added at the end when the template has no {{.Note}})",
}
"""Every variable a template may use, with what it holds (shown next to the template editor)."""

_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_NAME = re.compile(r"\s*\.?\s*([A-Za-z_][A-Za-z0-9_]*)\s*")
_CANONICAL = {name.lower(): name for name in VARIABLES}


@dataclass(frozen=True)
class CallFacts:
    """The facts of one ended call a template can show."""

    call_id: str
    direction: Direction
    outcome: Outcome
    started_at: dt.datetime
    talk_seconds: int
    ring_seconds: int
    from_number: str
    to_number: str
    extension: str = ""
    extension_name: str = ""
    contact_name: str = ""
    company: str = ""
    recording_url: str = ""
    did: str = ""
    note: str = ""
    """What the user typed on the call's card."""
    disposition: str = ""
    """The outcome the user picked (a `Disposition` value), or ""."""


def validate(template: str) -> list[str]:
    """Placeholders the template uses that are not known variables (empty list: the template is fine)."""
    unknown: dict[str, None] = {}
    for match in _PLACEHOLDER.finditer(template):
        if _variable(match.group(1)) is None:
            unknown[match.group(1).strip()] = None
    return list(unknown)


def render(template: str, variables: Mapping[str, str]) -> str:
    """The template with each known variable replaced; unknown placeholders are left exactly as written.

    Leaving them visible in the CRM (rather than blank) makes a typo that slipped past `validate` easy
    to spot. Names match case-insensitively; a known variable missing from `variables` renders empty.
    """

    def fill(match: re.Match[str]) -> str:
        name = _variable(match.group(1))
        return match.group(0) if name is None else variables.get(name, "")

    return _PLACEHOLDER.sub(fill, template)


def call_variables(call: CallFacts, tz: dt.tzinfo | None = None) -> dict[str, str]:
    """Every variable's value for `call`, times shown in `tz` (default: this computer's time zone)."""
    return {
        "Time": call.started_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
        "StartTimeUnix": str(int(call.started_at.timestamp())),
        "Call_Log_Status": status(call.direction, call.outcome),
        "Call_From": call.from_number,
        "Call_To": call.to_number,
        "Talk_Duration": duration(call.talk_seconds),
        "Talk_Duration_Sec": str(max(0, call.talk_seconds)),
        "Ring_Duration": duration(call.ring_seconds),
        "Ring_Duration_Sec": str(max(0, call.ring_seconds)),
        "Call_Type": call.direction.value.capitalize(),
        "Extension": call.extension,
        "Extension_Name": call.extension_name,
        "Contact_Name": call.contact_name,
        "Company": call.company,
        "Recording_Url": call.recording_url,
        "Call_ID": call.call_id,
        "DID": call.did,
        "Note": call.note,
    }


def uses(template: str, name: str) -> bool:
    """Whether `template` has a placeholder for the variable `name`."""
    return any(_variable(match.group(1)) == name for match in _PLACEHOLDER.finditer(template))


def status(direction: Direction, outcome: Outcome) -> str:
    """The human call status: an unanswered inbound call is `Missed`, an unanswered outbound `No Answer`."""
    if outcome is Outcome.NO_ANSWER:
        return "Missed" if direction is Direction.INBOUND else "No Answer"
    return {
        Outcome.ANSWERED: "Answered",
        Outcome.BUSY: "Busy",
        Outcome.VOICEMAIL: "Voicemail",
        Outcome.FAILED: "Failed",
    }[outcome]


def duration(seconds: int) -> str:
    """`65` -> `00:01:05`; hours grow past 99 rather than wrap."""
    minutes, secs = divmod(max(0, seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def _variable(inner: str) -> str | None:
    """The canonical variable name inside `{{ }}`, or None when it is not one of ours."""
    match = _NAME.fullmatch(inner)
    return _CANONICAL.get(match.group(1).lower()) if match else None
