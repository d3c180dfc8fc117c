"""The offline demo's scripted mix of calls, what each must leave in the CRM, and the report of what it did."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from linkus_companion.engine.core import AUTO_NAME
from linkus_companion.engine.screen_pop import PopRequest
from linkus_companion.sim.crm_emulator import CrmEmulator
from linkus_companion.sim.pbx import PbxSimulator
from linkus_companion.texts import Text

AGENTS = ("1001", "1002", "1003")
"""The sales queue 6400's members, bound by e-mail."""
MANUAL = "1004"
"""Bound by hand to a CRM user whose e-mail differs from the PBX's."""

KNOWN = (
    ("Ada", "Lovelace", "+14155550101", "+1 415-555-0101"),
    ("Grace", "Hopper", "+14155550102", "(415) 555-0102"),
    ("Alan", "Turing", "+14155550103", "415.555.0103 ext. 7"),
    ("Katherine", "Johnson", "+14155550104", "001 415 555 0104"),
    ("Margaret", "Hamilton", "+14155550105", "4155550105"),
    ("Tim", "Berners-Lee", "+14155550106", "+14155550106"),
)
"""Known customers: name, the number the PBX presents, and how the CRM stores it (every which way)."""


@dataclass(frozen=True)
class Expected:
    """One placed call and what it must leave behind."""

    label: str
    call_id: str
    logs: frozenset[str]
    """Extensions that must each have exactly one call log."""
    pops: frozenset[str]
    """Extensions allowed a pop (ringing trigger: those that rang, for a known or created record)."""
    must_pop: bool
    record_id: str = ""
    """The known record the logs must be linked to ("" for unknown callers)."""
    during: str = ""
    """`crm outage` or `pbx gap` when the call happened during one."""


@dataclass
class Cast:
    """Who is who in the demo CRM."""

    users: dict[str, str] = field(default_factory=dict)
    """Extension -> CRM user id expected to own its logs."""
    known: dict[str, str] = field(default_factory=dict)
    """Presented number -> CRM record id."""


def cast(crm: CrmEmulator, pbx: PbxSimulator) -> Cast:
    """Seed the CRM: users for the queue agents (same e-mails as the PBX), one for manual binding, customers."""
    people = Cast()
    for number in AGENTS:
        ext = pbx.directory.extensions[number]
        first, _, last = ext.caller_id_name.partition(" ")
        people.users[number] = crm.add_user(first, last, ext.email_addr)
    people.users[MANUAL] = crm.add_user("Dana", "Manual", "dana.m@example.net")
    for n, (first, last, presented, stored) in enumerate(KNOWN):
        owner = people.users[AGENTS[n % len(AGENTS)]]
        people.known[presented] = crm.seed_contact(stored, first, last, owner=owner)
    return people


Play = Callable[[], Awaitable[str]]


@dataclass
class Step:
    """One kind of call in the mix."""

    label: str
    place: Callable[[PbxSimulator, str], Play]
    logs: frozenset[str]
    pops: frozenset[str]
    known: bool


def _steps(talk: float) -> list[Step]:
    def inbound(ext: str, answer: bool = True) -> Callable[[PbxSimulator, str], Play]:
        return lambda pbx, caller: lambda: pbx.inbound(caller, ext, answer=answer, talk=talk)

    queue = frozenset(AGENTS)
    return [
        Step(Text("known caller to 1001"), inbound("1001"), frozenset({"1001"}), frozenset({"1001"}), True),
        Step(
            Text("unknown caller to 1002"), inbound("1002"), frozenset({"1002"}), frozenset({"1002"}), False
        ),
        Step(
            Text("1003 calls a customer"),
            lambda pbx, callee: lambda: pbx.outbound("1003", callee, talk=talk),
            frozenset({"1003"}),
            frozenset(),
            True,
        ),
        Step(
            Text("known caller to the sales queue, 1002 answers"),
            lambda pbx, caller: lambda: pbx.inbound_queue(caller, "6400", answered_by="1002", talk=talk),
            frozenset({"1002"}),
            queue,
            True,
        ),
        Step(
            Text("missed call to 1001"),
            inbound("1001", answer=False),
            frozenset({"1001"}),
            frozenset({"1001"}),
            True,
        ),
        Step(
            Text("1003 transfers a customer to 1004"),
            lambda pbx, caller: lambda: pbx.blind_transfer(caller, "1003", MANUAL, talk=talk),
            frozenset({"1003", MANUAL}),
            frozenset({"1003", MANUAL}),
            True,
        ),
        Step(
            Text("unknown caller to the sales queue, nobody answers"),
            lambda pbx, caller: lambda: pbx.inbound_queue(caller, "6400", answered_by=None, talk=talk),
            frozenset({AGENTS[0]}),
            queue,
            False,
        ),
        Step(
            Text("voicemail for 1002"),
            lambda pbx, caller: lambda: pbx.voicemail(caller, "1002"),
            frozenset({"1002"}),
            frozenset({"1002"}),
            True,
        ),
    ]


async def play(
    pbx: PbxSimulator,
    crm: CrmEmulator,
    people: Cast,
    *,
    calls: int,
    talk: float,
    say: Callable[[str], None],
    settle: Callable[[], Awaitable[None]],
    resumed: Callable[[], Awaitable[None]],
) -> list[Expected]:
    """Place `calls` calls; a CRM outage and a PBX event-stream gap happen in the middle.

    `resumed()` returns once the engine hears the PBX again after the gap.
    """
    steps = _steps(talk)
    outage = range(int(calls * 0.4), int(calls * 0.4) + 3)
    gap_at = int(calls * 0.7) if calls >= 4 else -1
    known = list(people.known.items())
    placed: list[Expected] = []
    for index in range(calls):
        step = steps[index % len(steps)]
        number, record_id = known[index % len(known)] if step.known else (f"+1628555{index:04d}", "")
        during = ""
        if index == outage.start:
            crm.set_outage(True)
            say(Text("-- the CRM goes down --"))
        if index in outage:
            during = "crm outage"
        if index == gap_at:
            during = "pbx gap"
            port = urlsplit(pbx.base_url).port or 0
            await pbx.stop()
            say(Text("-- the PBX link drops; a call happens while we cannot hear it --"))
            call_id = await pbx.inbound(number, "1002", talk=talk)
            await pbx.start(port=port)
            await resumed()
            placed.append(
                Expected(
                    "call during the PBX gap",
                    call_id,
                    frozenset({"1002"}),
                    frozenset(),
                    False,
                    record_id,
                    during,
                )
            )
            say(Text("{index}. call during the PBX gap ({call})", index=f"{index + 1:3d}", call=call_id))
            continue
        call_id = await step.place(pbx, number)()
        placed.append(Expected(step.label, call_id, step.logs, step.pops, not during, record_id, during))
        say(Text("{index}. {label} ({call})", index=f"{index + 1:3d}", label=step.label, call=call_id))
        await settle()
        if index == outage.stop - 1:
            crm.set_outage(False)
            say(Text("-- the CRM is back --"))
    crm.set_outage(False)
    return placed


def expected_keys(placed: Iterable[Expected]) -> set[str]:
    """Every idempotency key the CRM must hold once."""
    return {f"{e.call_id}:{ext}" for e in placed for ext in e.logs}


def report(
    kind: str, placed: Sequence[Expected], crm: CrmEmulator, people: Cast, pops: Sequence[PopRequest]
) -> dict[str, Any]:
    """The demo's report, computed from the CRM emulator's final state (and the pages the browser got)."""
    logs = crm.call_logs()
    counts = Counter(log.idempotency_key for log in logs)
    wanted = expected_keys(placed)
    names = crm.record_names()
    created = [{"id": rid, "name": name} for rid, name in names.items() if name.startswith(AUTO_NAME)]
    created_ids = {c["id"] for c in created}
    errors = [f"unexpected call log {key} in the CRM" for key in sorted(set(counts) - wanted)]
    by_call = {e.call_id: e for e in placed}
    per_call = []
    for e in placed:
        found = []
        for log in logs:
            call_id, _, ext = log.idempotency_key.rpartition(":")
            if call_id != e.call_id:
                continue
            found.append({"extension": ext, **asdict(log), "record_name": names.get(log.record_id, "")})
            if log.owner_id != people.users.get(ext):
                errors.append(f"{log.idempotency_key} is owned by {log.owner_id!r}, not the bound user")
            if e.record_id and log.record_id != e.record_id:
                errors.append(f"{log.idempotency_key} is linked to {log.record_id!r}, not {e.record_id}")
            if not e.record_id and not e.during and log.record_id not in created_ids:
                errors.append(f"{log.idempotency_key} is not linked to the record created for the caller")
        per_call.append({"call_id": e.call_id, "label": e.label, "during": e.during, "logs": found})
    popped: dict[str, set[str]] = {}
    for pop in pops:
        popped.setdefault(pop.call_id, set()).add(pop.extension)
        expected = by_call.get(pop.call_id)
        if expected is None or pop.extension not in expected.pops:
            errors.append(f"unexpected pop for {pop.extension} on call {pop.call_id}")
    for e in placed:
        if e.must_pop and e.pops - popped.get(e.call_id, set()):
            errors.append(
                f"no pop for {sorted(e.pops - popped.get(e.call_id, set()))} on {e.label} ({e.call_id})"
            )
    unknown_calls = {e.call_id for e in placed if not e.record_id and e.logs}
    if len(created) > len(unknown_calls):
        errors.append(f"{len(created)} records created for {len(unknown_calls)} unknown callers")
    latencies = sorted(p.latency_ms for p in pops)
    return {
        "crm": kind,
        "calls": len(placed),
        "lost": len(wanted - set(counts)),
        "duplicated": sum(1 for n in counts.values() if n > 1),
        "lost_keys": sorted(wanted - set(counts)),
        "duplicated_keys": sorted(k for k, n in counts.items() if n > 1),
        "pops": [
            {
                "call": p.call_id,
                "extension": p.extension,
                "trigger": p.trigger,
                "url": p.url,
                "latency_ms": p.latency_ms,
            }
            for p in pops
        ],
        "pop_latency_ms": {
            "p50": statistics.median(latencies) if latencies else None,
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else None,
        },
        "created": created,
        "logs": per_call,
        "errors": errors,
    }
