"""The call logs the simulated PBX's calls should have produced, and a count of what a CRM holds against them."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from linkus_companion.sim.crm_emulator import LoggedCall
from linkus_companion.sim.pbx_cdr import CallRecord

RECORDING_PATH = "/recordings/"
"""Our player links (engine/recordings.py); a CRM that takes only https links gets them in the description."""
_LINK = re.compile(re.escape(RECORDING_PATH) + r"([A-Za-z0-9_-]+)")


@dataclass(frozen=True)
class Due:
    """One call log a call owes: to which extension, about which number, with a recording or not."""

    call_id: str
    extension: str
    remote: str
    recorded: bool
    missed: bool | None = None
    """Whether the log is a missed call's (nobody answered it, or not this extension); None when the
    call went to voicemail, whose logs each CRM words its own way."""

    @property
    def key(self) -> str:
        """The idempotency key the log carries: `<call id>:<extension>`."""
        return f"{self.call_id}:{self.extension}"


def due_logs(
    records: Iterable[CallRecord], bound: Collection[str], *, skip_unanswered_agents: bool = True
) -> list[Due]:
    """What the manuals' rules ask for, from what really happened on the PBX (who rang, who answered).

    Internal calls: none. Outbound: one for the caller. Inbound: one per extension that answered (each
    leg of a transfer); extensions that rang and did not answer get a missed log, except on a queue or
    ring-group call with `skip_unanswered_agents`, where an unanswered call gets one missed log, for the
    first bound extension that rang. Only bound extensions get logs.
    """
    due: list[Due] = []
    for record in records:
        recorded = bool(record.recording)
        if record.call_type == "Internal":
            continue
        if record.call_type == "Outbound":
            owed = [record.call_from]
            remote = record.call_to
        else:
            remote = record.call_from
            rang = [ext for ext in record.rang if ext in bound]
            queue_rule = bool(record.path) and skip_unanswered_agents
            if record.talked:
                owed = list(record.talked)
                if not queue_rule:
                    owed += [ext for ext in rang if ext not in record.talked]
            else:
                owed = rang[:1] if queue_rule else rang
        answered = set(record.talked) if record.call_type == "Inbound" else {record.call_from}
        talked = record.status == "ANSWERED"
        due += [
            Due(
                record.call_id,
                ext,
                remote,
                recorded and talked and ext in answered,
                None if record.status == "VOICEMAIL" else not (talked and ext in answered),
            )
            for ext in dict.fromkeys(owed)
            if ext in bound
        ]
    return due


@dataclass
class Tally:
    """Logs owed against logs found, per `<call id>:<extension>`."""

    expected: int
    found: int
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    wrong_owner: list[str] = field(default_factory=list)
    wrong_link: list[str] = field(default_factory=list)
    no_recording: list[str] = field(default_factory=list)
    wrong_outcome: list[str] = field(default_factory=list)
    """Logs saying missed for an extension that talked, or answered for one that did not."""
    wrong_recording: list[str] = field(default_factory=list)
    """Logs whose recording link plays another call's recording."""

    @property
    def clean(self) -> bool:
        """Nothing lost, doubled, unexpected or wrong."""
        return not (
            self.lost
            or self.doubled
            or self.unexpected
            or self.wrong_owner
            or self.wrong_link
            or self.no_recording
            or self.wrong_outcome
            or self.wrong_recording
        )

    def summary(self) -> dict[str, int]:
        """The counts, for reports."""
        return {
            "expected": self.expected,
            "found": self.found,
            "lost": len(self.lost),
            "doubled": len(self.doubled),
            "unexpected": len(self.unexpected),
            "wrong_owner": len(self.wrong_owner),
            "wrong_link": len(self.wrong_link),
            "no_recording": len(self.no_recording),
            "wrong_outcome": len(self.wrong_outcome),
            "wrong_recording": len(self.wrong_recording),
        }


def tally(
    due: Iterable[Due],
    logs: Iterable[LoggedCall],
    owners: Mapping[str, str],
    records: Mapping[str, str],
    *,
    recordings: bool = False,
    missed_outcomes: Collection[str] = (),
    link_calls: Mapping[str, str] | None = None,
) -> Tally:
    """Compare: `owners` maps extension -> CRM user id, `records` number -> the CRM record a log links to
    (numbers not in it: no link expected); with `recordings`, a recorded answered call needs a link; with
    `missed_outcomes` (the CRM's values for a missed call), a log's outcome must say missed exactly when
    the extension did not talk; with `link_calls` (player link id -> the call it plays), a log's
    recording link must play its own call."""
    owed = {d.key: d for d in due}
    found = list(logs)
    count = Counter(log.idempotency_key for log in found)
    result = Tally(len(owed), len(found))
    result.lost = sorted(key for key in owed if not count[key])
    result.doubled = sorted(key for key, n in count.items() if n > 1)
    result.unexpected = sorted(key for key in count if key not in owed)
    for log in found:
        d = owed.get(log.idempotency_key)
        if d is None:
            continue
        if log.owner_id != owners.get(d.extension):
            result.wrong_owner.append(d.key)
        if log.record_id != records.get(d.remote, ""):
            result.wrong_link.append(d.key)
        if recordings and d.recorded and not (log.recording_url or RECORDING_PATH in log.description):
            result.no_recording.append(d.key)
        links = _LINK.findall(f"{log.recording_url} {log.description}")
        if link_calls is not None and links and all(link_calls.get(link) != d.call_id for link in links):
            result.wrong_recording.append(d.key)
        if missed_outcomes and d.missed is not None and d.missed != (log.outcome in missed_outcomes):
            result.wrong_outcome.append(d.key)
    return result
