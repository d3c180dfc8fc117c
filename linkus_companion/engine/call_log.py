"""Call-log rules: which bound extensions get a log for an ended call, queued in the call's closing transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any

from linkus_companion.config.settings import Settings
from linkus_companion.crm.base import CallLog, CrmUser
from linkus_companion.engine.journal import forget
from linkus_companion.engine.outbox import Job, JobKind, call_jobs, encode_log, enqueue
from linkus_companion.engine.templates import (
    DEFAULT_DESCRIPTION,
    DEFAULT_SUBJECT,
    CallFacts,
    call_variables,
    render,
    uses,
)
from linkus_companion.model import CallNote, Direction, Disposition, Outcome, Record
from linkus_companion.pbx.calls import Call, Party, Phase
from linkus_companion.store import Db, Store

log = logging.getLogger(__name__)

LOGGED = "logged"
"""`calls.state` of an extension whose call log was queued; any other closed state is the reason why not."""


@dataclass(frozen=True)
class LogPolicy:
    """The call-log settings (`calllog.*`) and the time zone templates show times in."""

    enabled: bool = True
    subject: str = DEFAULT_SUBJECT
    description: str = DEFAULT_DESCRIPTION
    recording_link: bool = True
    """Recorded calls carry their recording (uploaded or linked, see `recording_delivery`)."""
    recording_delivery: str = "auto"
    """`upload`: the outbox stores the file in the CRM; `link`: the log carries our playback link;
    `auto` is resolved by the host (upload on a desktop, link with a gateway)."""
    recording_link_days: int = 0
    skip_unanswered_agents: bool = True
    timezone: dt.tzinfo | None = None
    """None: this computer's time zone."""

    @classmethod
    def from_settings(cls, settings: Settings, timezone: dt.tzinfo | None = None) -> LogPolicy:
        """The policy the effective settings describe."""
        return cls(
            enabled=bool(settings.get("calllog.enabled")),
            subject=str(settings.get("calllog.subject")),
            description=str(settings.get("calllog.description")),
            recording_link=bool(settings.get("calllog.recording_link")),
            recording_delivery=str(settings.get("calllog.recording_delivery")),
            recording_link_days=int(settings.get("calllog.recording_link_days")),  # type: ignore[arg-type]
            skip_unanswered_agents=bool(settings.get("calllog.skip_unanswered_agents")),
            timezone=timezone,
        )


@dataclass(frozen=True)
class Decision:
    """Whether one extension gets a log for a call: its owner and outcome, or the reason it does not."""

    extension: str
    owner: CrmUser | None
    outcome: Outcome
    reason: str = ""
    """Empty when the extension gets a log."""


Owners = Callable[[str], CrmUser | None]


def plan(call: Call, owners: Owners, *, skip_unanswered_agents: bool) -> list[Decision]:
    """Who gets a log for `call`, in the order the extensions appeared.

    Inbound, outbound and missed calls are logged, internal calls are not. Every extension that
    talked gets its own log (a transfer gives each one). Extensions that rang and did not answer get
    a missed log, except on a queue or ring-group call with `skip_unanswered_agents`: then only the
    agent who answered is logged, and when nobody answered exactly one missed log is written, owned
    by the first bound extension that rang. Unbound extensions are never logged; the reason says so.
    An extension consulted for an attended transfer that never took the customer is not logged: it
    talked with a colleague, not with the caller.
    """
    involved = list(dict.fromkeys([*call.extensions, *call.talked, *sorted(call.rang)]))
    consulted = call.consulted
    if consulted:
        talked = tuple(ext for ext in call.talked if ext not in consulted)
        call = replace(call, talked=talked, rang=call.rang - consulted)
    missed_outcome = call.outcome if call.outcome not in (None, Outcome.ANSWERED) else Outcome.NO_ANSWER
    if call.direction is Direction.INTERNAL:
        return [Decision(ext, None, missed_outcome, "internal calls are not logged") for ext in involved]
    queue_rule = bool(call.path) and skip_unanswered_agents
    if call.talked:
        logged = {ext: Outcome.ANSWERED for ext in call.talked}
        if call.direction is Direction.INBOUND and not queue_rule:
            logged |= {ext: Outcome.NO_ANSWER for ext in involved if ext in call.rang and ext not in logged}
        not_logged = (
            "did not answer (queue/ring-group rule)" if queue_rule else "did not take part in the call"
        )
    elif call.direction is Direction.OUTBOUND:
        logged, not_logged = {call.caller.number: missed_outcome}, "did not take part in the call"
    else:
        ringers = [ext for ext in involved if ext in call.rang]
        if queue_rule:
            first = next((ext for ext in ringers if owners(ext) is not None), "")
            ringers = [first] if first else ringers
            not_logged = f"missed queue/ring-group call: logged once, for extension {first}"
        else:
            not_logged = "did not ring"
        logged = {ext: missed_outcome for ext in ringers}
    decisions = []
    for ext in list(dict.fromkeys([*involved, *logged])):
        owner = owners(ext) if ext in logged else None
        if ext in consulted:
            decisions.append(
                Decision(ext, None, missed_outcome, "consulted for a transfer that did not complete")
            )
        elif ext not in logged:
            decisions.append(Decision(ext, None, missed_outcome, not_logged))
        elif owner is None:
            decisions.append(Decision(ext, None, logged[ext], f"extension {ext} is not bound to a CRM user"))
        else:
            decisions.append(Decision(ext, owner, logged[ext]))
    return decisions


class CallLogger:
    """Turns ended calls into outbox jobs, exactly once per (call, extension), whatever reports the call."""

    def __init__(
        self,
        store: Store,
        policy: LogPolicy,
        owners: Owners,
        *,
        extension_names: Mapping[str, str] | None = None,
        recording_link: Callable[[Call], str] | None = None,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        """`recording_link(call)` is our own playback URL for the call's recording ("" when none)."""
        self.policy = policy
        self._store = store
        self._owners = owners
        self._names = dict(extension_names or {})
        self._recording_link = recording_link
        self._clock = clock

    def call_ended(
        self,
        call: Call,
        record: Record | None,
        *,
        link_later: bool = False,
        notes: Mapping[str, CallNote] | None = None,
    ) -> list[str]:
        """Queue the call's logs (linked to `record`) and close the call; the idempotency keys queued.

        `notes`: what the user typed per extension before the call ended; it goes into the first write
        (with the notes kept by `keep_note` before a restart: those given here win).

        A call already closed (seen live, then again from a CDR backfill) is skipped. `link_later`: the
        CRM could not be asked when the call ended, so the record is looked up when the log is delivered.
        """
        if self.policy.enabled:
            decisions = plan(call, self._owners, skip_unanswered_agents=self.policy.skip_unanswered_agents)
        else:
            decisions = [
                Decision(ext, None, Outcome.NO_ANSWER, "call logging is off") for ext in call.extensions
            ]
        now = self._clock()
        keys: list[str] = []
        with self._store.transaction() as db:
            forget(db, call.call_id)
            notes = {**_taken_notes(db, call.call_id), **(notes or {})}
            if _closed(db, call.call_id):
                log.info("call %s was closed before; not logged again", call.call_id)
                return []
            for decision in decisions:
                if decision.owner is not None:
                    note = notes.get(decision.extension, CallNote())
                    keys.append(self._queue(db, call, decision, record, now, link_later, note))
                else:
                    log.info(
                        "call %s not logged for %s: %s", call.call_id, decision.extension, decision.reason
                    )
                _close(db, call.call_id, decision.extension, decision.reason or LOGGED, now)
        return keys

    def recording_ready(self, call_id: str, file: str) -> list[str]:
        """Patch the link of a recording that arrived after the call was logged; the update keys queued.

        Each answered log of the call gets an update job, delivered after the log itself.
        """
        if not (self.policy.recording_link and file):
            return []
        uploading, link_for = self.uploads, self._recording_link
        if not (uploading or link_for):
            return []
        keys: list[str] = []
        with self._store.transaction() as db:
            for job in call_jobs(db, call_id, JobKind.LOG):
                entry, facts = job.log, _decode_facts(job.payload["facts"])
                if entry.outcome is not Outcome.ANSWERED:
                    continue
                if uploading:
                    if key := self._queue_upload(db, job.key, entry, file):
                        keys.append(key)
                    continue
                link = link_for(_recorded_call(facts, file)) if link_for else ""
                if not link or link == entry.recording_url:
                    continue
                facts = replace(facts, recording_url=link)
                payload = {"log": encode_log(self._rendered(entry, facts)), "facts": _encode_facts(facts)}
                _rewrite(db, job.id, {**job.payload, **payload})  # later rewrites (a note) keep the link
                key = f"{job.key}:recording"
                if enqueue(
                    db, key, JobKind.UPDATE, payload, call_id=call_id, now=self._clock(), after=job.key
                ):
                    keys.append(key)
        return keys

    def keep_note(self, call_id: str, extension: str, note: CallNote) -> None:
        """Keep what the user typed on a live call in the store: its log gets it after a restart too."""
        kept = {"text": note.text, "disposition": note.disposition.value if note.disposition else ""}
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO live_notes (call_id, extension, note) VALUES (?, ?, ?)"
                " ON CONFLICT (call_id, extension) DO UPDATE SET note = excluded.note",
                (call_id, extension, json.dumps(kept)),
            )

    def annotate(self, call_id: str, extension: str, note: CallNote) -> list[str] | None:
        """Put what the user typed after the call ended into its log; the update keys queued.

        A log not yet sent carries the note in its first write; one already sent (or being sent) gets
        an update of the same CRM record through the outbox, never a second log. None: the call has
        no log for `extension` (not logged, or not ended yet).
        """
        key = f"{call_id}:{extension}"
        with self._store.transaction() as db:
            job = next((j for j in call_jobs(db, call_id, JobKind.LOG) if j.key == key), None)
            if job is None:
                return None
            facts = _decode_facts(job.payload["facts"])
            picked = note.disposition.value if note.disposition else ""
            facts = replace(
                facts,
                note=note.text.strip(),
                disposition=facts.disposition if note.keep_disposition else picked,
            )
            payload = {"log": encode_log(self._rendered(job.log, facts)), "facts": _encode_facts(facts)}
            # a claim counts the attempt in the same transaction that reads the payload: an unclaimed
            # log sends the note itself; once claimed, only an update can bring it
            if _rewrite(db, job.id, {**job.payload, **payload}, unclaimed=True):
                return []
            _rewrite(db, job.id, {**job.payload, **payload})
            updates = len(call_jobs(db, call_id, JobKind.UPDATE))
            update_key = f"{key}:note:{updates + 1}"
            enqueue(db, update_key, JobKind.UPDATE, payload, call_id=call_id, now=self._clock(), after=key)
            return [update_key]

    @property
    def uploads(self) -> bool:
        """Recordings are uploaded into the CRM (not linked)."""
        return self.policy.recording_link and self.policy.recording_delivery == "upload"

    def _queue_upload(self, db: Db, log_key: str, entry: CallLog, file: str) -> str:
        """Queue the upload of `file` for the log `log_key`, delivered after it; its key ("" if queued before)."""
        key = f"{log_key}:upload"
        payload = {"log": encode_log(entry), "file": file, "name": recording_name(log_key, file)}
        call_id = log_key.rpartition(":")[0]
        return (
            key
            if enqueue(db, key, JobKind.RECORDING, payload, call_id=call_id, now=self._clock(), after=log_key)
            else ""
        )

    def states(self, call_id: str) -> dict[str, str]:
        """Per extension of a closed call: `logged`, or why it was not logged."""
        with self._store.transaction() as db:
            rows = db.execute(
                "SELECT extension, state FROM calls WHERE call_id = ? ORDER BY extension", (call_id,)
            )
            return dict(rows.fetchall())

    def _queue(
        self,
        db: Db,
        call: Call,
        decision: Decision,
        record: Record | None,
        now: dt.datetime,
        link_later: bool,
        note: CallNote,
    ) -> str:
        ext, answered = decision.extension, decision.outcome is Outcome.ANSWERED
        link = ""
        if answered and not self.uploads and self.policy.recording_link and self._recording_link is not None:
            link = self._recording_link(call)
        remote = call.callee.number if call.direction is Direction.OUTBOUND else call.caller.number
        facts = CallFacts(
            call_id=call.call_id,
            direction=call.direction,
            outcome=decision.outcome,
            started_at=call.started_at,
            talk_seconds=call.talk_seconds if answered else 0,
            ring_seconds=call.ring_seconds,
            from_number=ext if call.direction is Direction.OUTBOUND else remote,
            to_number=remote if call.direction is Direction.OUTBOUND else ext,
            extension=ext,
            extension_name=self._names.get(ext, ""),
            contact_name=record.display_name if record else "",
            company=record.company if record else "",
            recording_url=link,
            did=call.did,
            note=note.text.strip(),
            disposition=note.disposition.value if note.disposition else "",
        )
        owner_id = decision.owner.id if decision.owner else ""
        key = f"{call.call_id}:{ext}"
        entry = CallLog(
            idempotency_key=key,
            direction=facts.direction,
            outcome=facts.outcome,
            started_at=facts.started_at,
            talk_seconds=facts.talk_seconds,
            ring_seconds=facts.ring_seconds,
            from_number=facts.from_number,
            to_number=facts.to_number,
            subject="",
            description="",
            owner_id=owner_id,
            record=record,
        )
        payload: dict[str, Any] = {
            "log": encode_log(self._rendered(entry, facts)),
            "facts": _encode_facts(facts),
        }
        if link_later and record is None:
            payload["link_number"] = remote
        enqueue(db, key, JobKind.LOG, payload, call_id=call.call_id, now=now)
        if answered and self.uploads and call.recording:
            self._queue_upload(db, key, entry, call.recording)
        return key

    def late_linker(
        self,
        find: Callable[[str], Awaitable[Record | None]],
        found: Callable[[str, Record], None] | None = None,
    ) -> Callable[[Job], Awaitable[CallLog]]:
        """What the outbox writes for a job: its log, linked now if the CRM was unreachable at the call's end.

        `found(log_key, record)` hears of each record found that way (the call history shows it).
        """

        async def prepare(job: Job) -> CallLog:
            number = job.payload.get("link_number")
            if not number:
                return job.log
            record = await find(str(number))
            if record is None:
                return job.log
            if found is not None:
                found(job.key, record)
            facts = replace(
                _decode_facts(job.payload["facts"]), contact_name=record.display_name, company=record.company
            )
            return replace(self._rendered(job.log, facts), record=record)

        return prepare

    def _rendered(self, entry: CallLog, facts: CallFacts) -> CallLog:
        """`entry` with subject, description and recording link from `facts` and the templates."""
        variables = call_variables(facts, self.policy.timezone)
        description = render(self.policy.description, variables)
        if facts.note and not uses(self.policy.description, "Note"):
            description = f"{description}\n\n{facts.note}".lstrip()
        return replace(
            entry,
            subject=render(self.policy.subject, variables),
            description=description,
            recording_url=facts.recording_url,
            disposition=Disposition(facts.disposition) if facts.disposition else None,
        )


def _rewrite(db: Db, job_id: int, payload: Mapping[str, Any], *, unclaimed: bool = False) -> bool:
    """Replace a job's payload (`unclaimed`: only while no attempt has read it); whether it changed."""
    condition = " AND attempts = 0 AND delivered_at IS NULL" if unclaimed else ""
    cursor = db.execute(
        f"UPDATE outbox SET payload = ? WHERE id = ?{condition}",  # noqa: S608
        (json.dumps(payload), job_id),
    )
    return bool(cursor.rowcount == 1)


def recording_name(log_key: str, file: str) -> str:
    """The file name a recording gets in the CRM: unique per call log, so an earlier upload is found by it."""
    call_id, _, extension = log_key.rpartition(":")
    suffix = PurePosixPath(file).suffix.lower() or ".wav"
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in f"{call_id}-{extension}")
    return f"Call recording {safe}{suffix}"


def _taken_notes(db: Db, call_id: str) -> dict[str, CallNote]:
    """The notes `keep_note` kept for a call, removed from the store (the call's logs take them)."""
    rows = db.execute("SELECT extension, note FROM live_notes WHERE call_id = ?", (call_id,)).fetchall()
    if rows:
        db.execute("DELETE FROM live_notes WHERE call_id = ?", (call_id,))
    notes = {}
    for extension, data in rows:
        kept = json.loads(str(data))
        picked = str(kept.get("disposition") or "")
        notes[str(extension)] = CallNote(str(kept.get("text") or ""), Disposition(picked) if picked else None)
    return notes


def _closed(db: Db, call_id: str) -> bool:
    return (
        db.execute("SELECT 1 FROM calls WHERE call_id = ? AND closed_at IS NOT NULL", (call_id,)).fetchone()
        is not None
    )


def _close(db: Db, call_id: str, extension: str, state: str, now: dt.datetime) -> None:
    db.execute(
        "INSERT INTO calls (call_id, extension, state, closed_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (call_id, extension) DO UPDATE SET state = excluded.state, closed_at = excluded.closed_at",
        (call_id, extension, state, now.astimezone(dt.UTC).isoformat()),
    )


def _recorded_call(facts: CallFacts, file: str) -> Call:
    """The ended call as the recording-link server needs it: its id and recording file."""
    ext = facts.extension
    return Call(
        call_id=facts.call_id,
        direction=facts.direction,
        phase=Phase.ENDED,
        caller=Party(facts.from_number),
        callee=Party(facts.to_number),
        extensions=(ext,),
        rang=frozenset(),
        talked=(ext,),
        answered_by=ext,
        started_at=facts.started_at,
        talk_seconds=facts.talk_seconds,
        ring_seconds=facts.ring_seconds,
        outcome=facts.outcome,
        recording=file,
        did=facts.did,
    )


def _encode_facts(facts: CallFacts) -> dict[str, Any]:
    data = dataclasses.asdict(facts)
    data["started_at"] = facts.started_at.isoformat()
    return data


def _decode_facts(data: Mapping[str, Any]) -> CallFacts:
    return CallFacts(
        **{
            **data,
            "direction": Direction(data["direction"]),
            "outcome": Outcome(data["outcome"]),
            "started_at": dt.datetime.fromisoformat(data["started_at"]),
        }
    )
