"""The durable call-log outbox: jobs written with the call's closing, delivered to the CRM exactly once."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from linkus_companion.crm.base import AuthExpired, CallLog, CrmError, QuotaExhausted, RecordingFile
from linkus_companion.model import Direction, Disposition, Outcome, Record, RecordKind
from linkus_companion.pbx.errors import PbxError, PbxInvalidRequest, PbxNotFound
from linkus_companion.store import Db, Store, StoreError
from linkus_companion.texts import Text, restored, stored, text_of

if TYPE_CHECKING:
    from linkus_companion.engine.recording_spool import RecordingSpool

log = logging.getLogger(__name__)

NOT_TAKEN = Text("The CRM did not take the call log; the app's log file has the reason.")
"""A call log's last error when it has no sentence of its own (or an older version stored it in English)."""

Clock = Callable[[], dt.datetime]
Sleep = Callable[[float], Awaitable[None]]

_COLUMNS = (
    "id, idempotency_key, kind, payload, attempts, last_error, crm_id, delivered_at, parked_at, after_key"
)
_READY = (
    "delivered_at IS NULL AND parked_at IS NULL AND (after_key IS NULL OR EXISTS (SELECT 1 FROM outbox"
    " AS earlier WHERE earlier.idempotency_key = outbox.after_key AND earlier.delivered_at IS NOT NULL))"
)
"""Undelivered, not parked, and not waiting for an undelivered job (an update waits for its create)."""
_FIRST = (
    "(after_key IS NULL OR NOT EXISTS (SELECT 1 FROM outbox AS prior WHERE prior.after_key = outbox.after_key"
    " AND prior.kind = outbox.kind AND prior.id < outbox.id AND prior.delivered_at IS NULL"
    " AND prior.parked_at IS NULL))"
)
"""No earlier job of its kind for the same CRM record is still to go (in flight or waiting): with several
jobs in flight, a record's updates still reach it one after the other, oldest first (a second note after
the first)."""

IN_FLIGHT = 4
"""Call logs a lane sends at once while the CRM answers: a backlog drains several times faster than one
request at a time, and stays well under the CRMs' concurrency limits (Zoho Free allows 5)."""
FAILURES = 5
"""Unexpected failures (not the CRM's nor the PBX's answer: a bug, a file that cannot be written) after
which a job is parked: it backs off on its own until then, and never holds the rest of its lane back."""
RETRYING = Text("The app failed on a call log or recording and tries it again later; the others go on.")
RELEASE_SETTLE = 10.0
"""Seconds after a clean stop before a job whose request the stop cut is tried again: the request may have
reached the CRM, whose search shows what it wrote within seconds (HubSpot's index lags new calls)."""


class LeaseLost(Exception):
    """The job's lease ran out (or the leadership moved) before its CRM write: another worker owns it now."""


class CallWriter(Protocol):
    """The part of a CRM `Connector` the outbox uses."""

    async def log_call(self, log: CallLog) -> str: ...

    async def update_call(self, crm_call_id: str, log: CallLog) -> None: ...

    async def find_call(self, idempotency_key: str) -> str | None: ...

    async def attach_recording(self, crm_call_id: str, recording: RecordingFile) -> str: ...


class JobKind(StrEnum):
    """What a job asks of the CRM."""

    LOG = "log_call"
    """Create the call activity (reusing one already carrying the key)."""
    UPDATE = "update_call"
    """Rewrite the activity created by the job `after_key` (e.g. a late recording link)."""
    RECORDING = "attach_recording"
    """Fetch the PBX recording `file` and store it in the CRM with the activity of `after_key`."""


@dataclass(frozen=True)
class Job:
    """One outbox row."""

    id: int
    key: str
    kind: JobKind
    payload: Mapping[str, Any]
    attempts: int
    last_error: str
    crm_id: str
    delivered: bool
    parked: bool
    after_key: str

    @property
    def log(self) -> CallLog:
        """The call log this job writes."""
        return decode_log(self.payload["log"])


@dataclass(frozen=True)
class OutboxStatus:
    """What the tray and the demo report show."""

    waiting: int
    """Jobs not delivered yet that will be retried."""
    parked: int
    """Jobs the CRM refused; they wait for the user (see `OutboxWorker.retry_now`)."""
    delivered: int
    problem: str
    """A sentence for the user when delivery is stuck (e.g. the CRM needs re-authorising), else ""."""
    quota_until: dt.datetime | None = None
    """While the CRM's daily limit or credit pool is spent: when delivery tries again (its reset)."""


def enqueue(
    db: Db,
    key: str,
    kind: JobKind,
    payload: Mapping[str, Any],
    *,
    call_id: str,
    now: dt.datetime,
    after: str | None = None,
) -> bool:
    """Add a job inside the caller's transaction; False when a job with `key` exists already.

    `payload` must hold `log` (see `encode_log`); an UPDATE job names its LOG job in `after`.
    """
    cursor = db.execute(
        "INSERT INTO outbox (idempotency_key, kind, payload, next_attempt_at, created_at, call_id, after_key)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING",
        (key, kind.value, json.dumps(payload), iso_time(now), iso_time(now), call_id, after),
    )
    return cursor.rowcount == 1


def call_jobs(db: Db, call_id: str, kind: JobKind) -> list[Job]:
    """Every job of `kind` queued for `call_id`, oldest first."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM outbox WHERE call_id = ? AND kind = ? ORDER BY id",  # noqa: S608
        (call_id, kind.value),
    )
    return [_job(row) for row in rows]


def encode_log(entry: CallLog) -> dict[str, Any]:
    """`entry` as JSON-ready data (times in ISO 8601)."""
    return json.loads(json.dumps(dataclasses.asdict(entry), default=iso_time))  # type: ignore[no-any-return]


def decode_log(data: Mapping[str, Any]) -> CallLog:
    """The CallLog `encode_log` wrote."""
    record = data.get("record")
    return CallLog(
        **{
            **data,
            "direction": Direction(data["direction"]),
            "outcome": Outcome(data["outcome"]),
            "started_at": dt.datetime.fromisoformat(data["started_at"]),
            "record": None if record is None else decode_record(record),
            "disposition": Disposition(data["disposition"]) if data.get("disposition") else None,
        }
    )


def encode_record(record: Record) -> str:
    """`record` as JSON text (times in ISO 8601)."""
    return json.dumps(dataclasses.asdict(record), default=iso_time)


def decode_record(data: Mapping[str, Any]) -> Record:
    """The Record `encode_record` (or `encode_log`) wrote."""
    updated = data.get("updated_at")
    return Record(
        **{
            **data,
            "kind": RecordKind(data["kind"]),
            "phones": tuple(data.get("phones", ())),
            "updated_at": None if updated is None else dt.datetime.fromisoformat(updated),
        }
    )


class OutboxWorker:
    """Delivers due jobs in order, with backoff, `Retry-After`, and no second activity after a crash.

    Each attempt is counted in the store before the CRM is called, and the job is leased for `lease`
    seconds: if the process dies mid-request the job comes back after the lease (by then the CRM's
    search shows what it wrote), and the retry looks for the activity with `find_call` first.
    A retryable failure (rate limit, outage) pauses the job's lane until its next attempt, so an
    outage costs one request per wait, not one per job. Call logs (and their updates) and recording
    uploads are two lanes delivered side by side: a download stuck on the PBX never holds a call log up.

    The call-log lane sends up to `in_flight` jobs at once, but only after a success: when the lane
    starts or resumes after a failure, one job goes first, so a CRM still down costs one request.
    Uploads go one at a time (the PBX serves one recording download at a time).
    """

    def __init__(
        self,
        store: Store,
        connector: CallWriter,
        *,
        clock: Clock = lambda: dt.datetime.now(dt.UTC),
        sleep: Sleep = asyncio.sleep,
        backoff_base: float = 5.0,
        backoff_cap: float = 900.0,
        lease: float = 60.0,
        prepare: Callable[[Job], Awaitable[CallLog]] | None = None,
        epoch: int | None = None,
        spool: RecordingSpool | None = None,
        quota_poll: float = 900.0,
        in_flight: int = IN_FLIGHT,
    ) -> None:
        """`prepare(job)` gives the log to write (default: the job's log as queued).

        `quota_poll`: seconds between checks while the CRM's quota is spent and it announced no reset.

        `epoch`: the fencing number of this gateway's leadership (None: no election, e.g. a desktop).
        `spool` fetches the recordings that RECORDING jobs upload.
        """
        self._store = store
        self._connector = connector
        self._clock = clock
        self._sleep = sleep
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._lease = lease
        self._prepare = prepare
        self._epoch = epoch
        self._spool = spool
        self._lanes = (_Lane((JobKind.LOG, JobKind.UPDATE), in_flight), _Lane((JobKind.RECORDING,), 1))
        self._problem = ""
        self._quota_poll = quota_poll
        self._quota_until: dt.datetime | None = None
        self._listeners: list[Callable[[], None]] = []
        self._leases: dict[int, str] = {}
        """Jobs in flight (id -> the lease written): never claimed twice at once, given back by `release`."""

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Call `listener()` when jobs were queued and after each delivery attempt (to recount what waits)."""
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    def fence(self, epoch: int) -> None:
        """Claim jobs only while `epoch` is the leader's (set when this gateway wins the election)."""
        self._epoch = epoch

    def wake(self) -> None:
        """New jobs were queued: deliver them now rather than at the next timer."""
        for lane in self._lanes:
            lane.wakeup.set()
        self._changed()

    def retry_now(self) -> None:
        """Make every undelivered job due now, parked ones included (the user re-authorised or fixed data);
        a job this worker is sending keeps its lease (made due, its send would be abandoned and repeated)."""
        sending = tuple(self._leases)
        not_sending = f" AND id NOT IN ({', '.join('?' * len(sending))})" if sending else ""
        update = (
            "UPDATE outbox SET parked_at = NULL, failures = 0, next_attempt_at = ? WHERE delivered_at IS NULL"
        )
        with self._store.transaction() as db:
            db.execute(update + not_sending, (iso_time(self._clock()), *sending))
        for lane in self._lanes:
            lane.paused_until = None
        self.wake()

    async def run(self) -> None:
        """Deliver jobs as they fall due, until cancelled: call logs and recording uploads side by side."""
        await asyncio.gather(*(self._run_lane(lane) for lane in self._lanes))

    async def _run_lane(self, lane: _Lane) -> None:
        while True:
            lane.wakeup.clear()
            await self._drain_lane(lane)
            await self._idle(lane, self._seconds_to_next(lane))

    async def drain(self) -> int:
        """Deliver every job due now (stopping early if the CRM asks us to wait); how many were delivered."""
        delivered = 0
        for lane in self._lanes:
            delivered += await self._drain_lane(lane)
        return delivered

    async def _drain_lane(self, lane: _Lane) -> int:
        """Deliver the lane's due jobs, up to `lane.width` at once; cancelled, the ones in flight stay leased (see `release`)."""
        delivered = 0
        flying: set[asyncio.Task[bool]] = set()
        async with lane.lock:
            try:
                while True:
                    while (
                        len(flying) < lane.width
                        and not self._paused(lane)
                        and (job := self._claim_next(lane)) is not None
                    ):
                        flying.add(asyncio.create_task(self._deliver(job, lane)))
                    if not flying:
                        return delivered
                    done, flying = await asyncio.wait(flying, return_when=asyncio.FIRST_COMPLETED)
                    delivered += sum(task.result() for task in done)
                    self._changed()
            finally:
                for task in flying:
                    task.cancel()
                await asyncio.gather(*flying, return_exceptions=True)

    def release(self, settle: float = RELEASE_SETTLE) -> None:
        """After a clean stop: the jobs whose delivery it cut are due `settle` seconds from now (at most
        when their lease ends), so the next start retries them then rather than a whole lease later."""
        leases, self._leases = self._leases, {}
        if not leases:
            return
        try:
            with self._store.transaction() as db:
                for job_id, until in leases.items():
                    due = min(until, iso_time(self._clock() + dt.timedelta(seconds=settle)))
                    db.execute(
                        "UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND next_attempt_at = ?"
                        " AND delivered_at IS NULL",
                        (due, job_id, until),
                    )
        except StoreError as exc:  # the leases then simply run out
            log.warning("could not release %d call log(s) cut by the stop: %s", len(leases), exc)

    def pending(self) -> list[Job]:
        """Undelivered jobs (waiting or parked), oldest first, with their last error."""
        with self._store.transaction() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM outbox WHERE delivered_at IS NULL ORDER BY id"  # noqa: S608
            )
            return [_job(row) for row in rows]

    def waiting_logs(self) -> dict[str, int]:
        """Call logs not in the CRM yet (waiting or parked; not updates or uploads), per extension."""
        with self._store.transaction() as db:
            rows = db.execute(
                "SELECT idempotency_key FROM outbox WHERE delivered_at IS NULL AND kind = ?",
                (JobKind.LOG.value,),
            ).fetchall()
        counts: dict[str, int] = {}
        for (key,) in rows:  # a call log's key is `<call_id>:<extension>`
            extension = str(key).rpartition(":")[2]
            counts[extension] = counts.get(extension, 0) + 1
        return counts

    def waiting_log_count(self) -> int:
        """How many call logs are not in the CRM yet: counted by SQLite, as every status update asks."""
        with self._store.transaction() as db:
            (count,) = db.execute(
                "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND kind = ?", (JobKind.LOG.value,)
            ).fetchone()
        return int(count)

    def status(self) -> OutboxStatus:
        """Counts of waiting, parked and delivered jobs, and the problem to show, if any."""
        with self._store.transaction() as db:
            waiting, waiting_logs, parked, parked_logs, delivered = db.execute(
                "SELECT COUNT(*) FILTER (WHERE delivered_at IS NULL AND parked_at IS NULL),"
                " COUNT(*) FILTER (WHERE delivered_at IS NULL AND parked_at IS NULL AND kind = ?),"
                " COUNT(*) FILTER (WHERE parked_at IS NOT NULL AND delivered_at IS NULL),"
                " COUNT(*) FILTER (WHERE parked_at IS NOT NULL AND delivered_at IS NULL AND kind = ?),"
                " COUNT(*) FILTER (WHERE delivered_at IS NOT NULL) FROM outbox",
                (JobKind.LOG.value, JobKind.LOG.value),
            ).fetchone()
        problem = self._problem
        quota = self._quota_until
        if quota is not None:
            problem = Text(
                "{error} {count} call log(s) wait and go out by themselves once it resets"
                " (next try at {when} UTC).",
                error=self._problem,
                count=int(waiting_logs),
                when=quota.astimezone(dt.UTC).strftime("%H:%M"),
            )
        if not problem and parked:
            problem = _set_aside(int(parked_logs), int(parked) - int(parked_logs))
        return OutboxStatus(int(waiting), int(parked), int(delivered), problem, quota)

    # --- delivery ----------------------------------------------------------------------------------

    def _claim_next(self, lane: _Lane) -> Job | None:
        """Lease the lane's next due job and count its attempt before any request leaves; None: nothing due.

        Concurrent workers pass each other's rows (`skip_locked`); a worker whose `epoch` is no longer
        the leader's claims nothing, so a gateway that lost the leadership delivers no more call logs.
        """
        now = self._clock()
        # a job still in flight here whose lease ran out (a slow CRM) is not sent a second time beside it
        flying = f" AND id NOT IN ({', '.join(str(int(i)) for i in self._leases)})" if self._leases else ""
        with self._store.transaction() as db:
            if self._epoch is not None and not holds_epoch(db, self._epoch, self._store.share_lock):
                return None
            row = db.execute(
                f"SELECT {_COLUMNS} FROM outbox WHERE {_READY} AND {_FIRST} AND {lane.where}{flying}"  # noqa: S608
                f" AND next_attempt_at <= ? ORDER BY id LIMIT 1{self._store.skip_locked}",
                (iso_time(now),),
            ).fetchone()
            if row is None:
                return None
            job = _job(row)
            lease = iso_time(now + dt.timedelta(seconds=self._lease))
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, claim_epoch = ? WHERE id = ?",
                (lease, self._epoch, job.id),
            )
        self._leases[job.id] = lease
        return job

    async def _deliver(self, job: Job, lane: _Lane) -> bool:
        """One attempt at `job`; True once delivered. Cancelled (a stop), the job stays leased: see `release`."""
        delivered = await self._attempt(job, lane)
        self._leases.pop(job.id, None)
        return delivered

    async def _attempt(self, job: Job, lane: _Lane) -> bool:
        try:
            crm_id = await self._send(job)
        except LeaseLost:  # the row is another worker's now: leave it as that worker claimed it
            log.warning("call log %s not sent: its lease ran out or the leadership moved", job.key)
            return False
        except CrmError as exc:
            # AuthExpired: the connector refreshed once already; keep the job until the user signs in again
            if isinstance(exc, QuotaExhausted):
                self._quota_until = self._retry_later(job, exc, exc.retry_after or self._quota_poll, lane)
                log.warning("%s %d call log(s) wait until %s", exc, self.status().waiting, self._quota_until)
            elif exc.retryable or isinstance(exc, AuthExpired):
                self._retry_later(job, exc, exc.retry_after, lane)
            else:
                self._park(job, exc)
            return False
        except PbxError as exc:  # the recording could not be fetched; the CRM is fine, keep the queue going
            if isinstance(exc, PbxNotFound):
                self._park(
                    job,
                    PbxNotFound(Text("The PBX no longer has this call's recording, so it was not uploaded.")),
                )
            elif isinstance(exc, PbxInvalidRequest):  # retrying will not help
                self._park(job, exc)
            else:
                self._retry_later(job, exc, None)
            return False
        except Exception:  # a bug in one job must not hold the lane's later call logs back
            log.exception("call log %s failed unexpectedly", job.key)
            self._failed(job)
            return False
        with self._store.transaction() as db:
            db.execute(
                "UPDATE outbox SET crm_id = ?, delivered_at = ?, last_error = NULL WHERE id = ?",
                (crm_id, iso_time(self._clock()), job.id),
            )
        if not self._paused(lane):  # else a job sent beside this one was refused meanwhile: that holds
            self._problem = ""
            self._quota_until = None
            lane.width = lane.most
        log.info("call log %s delivered (%s)", job.key, crm_id)
        for other in self._lanes:  # jobs waiting for this one (an upload for its call log) are ready now
            if other is not lane:
                other.wakeup.set()
        return True

    async def _send(self, job: Job) -> str:
        if job.kind is JobKind.UPDATE:
            target = self._crm_id_of(job.after_key)
            self._check_lease(job)
            await self._connector.update_call(target, job.log)
            return target
        if job.kind is JobKind.RECORDING:
            return await self._upload(job)
        if job.attempts > 0:  # an earlier attempt may have reached the CRM
            found = await self._connector.find_call(job.key)
            if found is not None:
                return found
        entry = await self._prepare(job) if self._prepare is not None else job.log
        self._check_lease(job)
        return await self._connector.log_call(entry)

    def _check_lease(self, job: Job) -> None:
        """Raise LeaseLost unless `job` is still leased by this claim and this worker's epoch still leads.

        Checked right before each CRM write: a worker frozen (SIGSTOP, a suspended laptop) past its
        lease may wake after another worker claimed the job, and must not write it a second time.
        """
        with self._store.transaction() as db:
            if self._epoch is not None and not holds_epoch(db, self._epoch, self._store.share_lock):
                raise LeaseLost(job.key)
            row = db.execute(
                "SELECT 1 FROM outbox WHERE id = ? AND attempts = ? AND next_attempt_at > ?"
                " AND delivered_at IS NULL AND parked_at IS NULL",
                (job.id, job.attempts + 1, iso_time(self._clock())),
            ).fetchone()
        if row is None:
            raise LeaseLost(job.key)

    async def _upload(self, job: Job) -> str:
        """Spool the recording (once), store it with the logged activity, then drop the spooled copy."""
        if self._spool is None:
            raise CrmError(Text("Recording uploads are not set up on this computer; use recording links."))
        file, target = str(job.payload["file"]), self._crm_id_of(job.after_key)
        recording = await self._spool.fetch(job.key, file, str(job.payload["name"]))
        self._check_lease(job)
        file_id = await self._connector.attach_recording(target, recording)
        self._spool.discard(job.key, file)
        return file_id

    def _crm_id_of(self, key: str) -> str:
        with self._store.transaction() as db:
            return str(
                db.execute("SELECT crm_id FROM outbox WHERE idempotency_key = ?", (key,)).fetchone()[0]
            )

    def _retry_later(
        self, job: Job, error: Exception, retry_after: float | None, pause: _Lane | None = None
    ) -> dt.datetime:
        """Back off exponentially (capped), or as long as the CRM said; pause the `pause` lane until then."""
        attempts = job.attempts + 1
        delay = retry_after
        if delay is None:
            delay = min(self._backoff_cap, self._backoff_base * 2.0 ** (attempts - 1))
        due = self._clock() + dt.timedelta(seconds=delay)
        with self._store.transaction() as db:
            db.execute(
                "UPDATE outbox SET next_attempt_at = ?, last_error = ? WHERE id = ?",
                (iso_time(due), stored(_reason(error)), job.id),
            )
        if pause is not None:
            pause.paused_until = max(due, pause.paused_until or due)
            pause.width = 1
        self._problem = text_of(error)
        log.warning(
            "call log %s not delivered (attempt %d): %s; retry in %.0f s", job.key, attempts, error, delay
        )
        return due

    def _failed(self, job: Job) -> None:
        """An unexpected failure: only this job backs off (the lane goes on), parked after `FAILURES` of them."""
        with self._store.transaction() as db:
            db.execute("UPDATE outbox SET failures = failures + 1 WHERE id = ?", (job.id,))
            (failures,) = db.execute("SELECT failures FROM outbox WHERE id = ?", (job.id,)).fetchone()
        if int(failures) >= FAILURES:
            gave_up = Text(
                "The app failed on this call log or recording {count} times and stopped trying;"
                " the app's log file has the reason.",
                count=int(failures),
            )
            self._park(job, RuntimeError(gave_up))
        else:
            problem = self._problem
            self._retry_later(job, RuntimeError(RETRYING), None)
            self._problem = problem  # one job backing off is no stuck delivery: the status says what it said

    def _park(self, job: Job, error: Exception) -> None:
        with self._store.transaction() as db:
            db.execute(
                "UPDATE outbox SET parked_at = ?, last_error = ? WHERE id = ?",
                (iso_time(self._clock()), stored(_reason(error)), job.id),
            )
        log.warning("call log %s parked: %s", job.key, error)

    # --- waiting -----------------------------------------------------------------------------------

    def _paused(self, lane: _Lane) -> bool:
        return lane.paused_until is not None and self._clock() < lane.paused_until

    def _seconds_to_next(self, lane: _Lane) -> float | None:
        """Seconds until the lane's next job (not waiting for an undelivered one) falls due; None: none queued."""
        with self._store.transaction() as db:
            (due,) = db.execute(
                f"SELECT MIN(next_attempt_at) FROM outbox WHERE {_READY} AND {lane.where}"  # noqa: S608
            ).fetchone()
        if due is None:
            return None
        when = max(
            dt.datetime.fromisoformat(due), lane.paused_until or dt.datetime.min.replace(tzinfo=dt.UTC)
        )
        return max(0.0, (when - self._clock()).total_seconds())

    async def _idle(self, lane: _Lane, seconds: float | None) -> None:
        """Wait for `wake()` or `seconds`, whichever comes first."""
        waits: list[asyncio.Future[Any]] = [asyncio.ensure_future(lane.wakeup.wait())]
        if seconds is not None:
            waits.append(asyncio.ensure_future(self._sleep(seconds)))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
            await asyncio.gather(*waits, return_exceptions=True)


class _Lane:
    """Jobs of some kinds, delivered in order by their own loop: an upload never holds a call log up."""

    def __init__(self, kinds: tuple[JobKind, ...], most: int) -> None:
        self.where = "kind IN ({})".format(", ".join(f"'{kind.value}'" for kind in kinds))
        self.wakeup = asyncio.Event()
        self.lock = asyncio.Lock()
        self.paused_until: dt.datetime | None = None
        """A retryable CRM failure (rate limit, outage) pauses the lane until that job's next attempt."""
        self.most = max(1, most)
        self.width = 1
        """Jobs sent at once now: `most` after a success, 1 at the start and after a failure."""


def holds_epoch(db: Db, epoch: int, share_lock: str = "") -> bool:
    """Whether `epoch` is still the leader's (read under `share_lock`, so no hand-over slips in between)."""
    row = db.execute(f"SELECT epoch FROM leader WHERE id = 1{share_lock}").fetchone()  # noqa: S608
    return row is not None and int(row[0]) == epoch


def _job(row: tuple[Any, ...]) -> Job:
    job_id, key, kind, payload, attempts, last_error, crm_id, delivered_at, parked_at, after_key = row
    return Job(
        id=job_id,
        key=key,
        kind=JobKind(kind),
        payload=json.loads(payload),
        attempts=attempts,
        last_error=restored(last_error, NOT_TAKEN),
        crm_id=crm_id or "",
        delivered=delivered_at is not None,
        parked=parked_at is not None,
        after_key=after_key or "",
    )


def iso_time(value: object) -> str:
    """Aware datetimes as UTC ISO 8601 with microseconds, so stored times compare as text."""
    if not isinstance(value, dt.datetime):
        raise TypeError(f"cannot store {type(value).__name__}")
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _reason(error: Exception) -> str:
    """The error's sentence as the store keeps it: always typed, so it reads in the user's language."""
    sentence = text_of(error)
    return sentence if isinstance(sentence, Text) else NOT_TAKEN


def _set_aside(logs: int, others: int) -> Text:
    """What was parked, in words: call logs (the history lists them) apart from uploads and updates."""
    if not others:
        return Text(
            "{count} call log(s) could not be delivered and were set aside; the call history says why.",
            count=logs,
        )
    if not logs:
        return Text(
            "{count} recording upload(s) or call log update(s) could not be delivered and were set aside;"
            " the app's log file says why.",
            count=others,
        )
    return Text(
        "{logs} call log(s) and {others} recording upload(s) or call log update(s) could not be delivered and"
        " were set aside; the call history and the app's log file say why.",
        logs=logs,
        others=others,
    )
