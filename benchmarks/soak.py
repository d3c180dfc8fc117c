"""Soak: rounds of calls of every shape with a fault in each (on a schedule), then the logs counted per CRM.

Each round places 44 calls (11 shapes: ended before their CDR, talking and ringing when the fault starts,
and placed during it) and makes the next fault of the schedule: SIGKILL of the app, PBX restart, dropped
WebSocket, expired PBX tokens, CRM outage. After the last round every log the PBX's calls owe is looked
up in the CRM emulator: lost, doubled, unexpected, wrong owner, wrong link, missing recording.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from benchmarks import _rig
from benchmarks._faults import CRMS, FAULTS, SHAPES, every_phase, world


async def soak(kind: str, rounds: int, home: Path) -> dict[str, Any]:
    """`rounds` rounds on one CRM, faults in schedule order; the count and the faults made."""
    schedule = itertools.islice(itertools.cycle(FAULTS), rounds)
    made: dict[str, int] = dict.fromkeys(FAULTS, 0)
    started = time.perf_counter()
    crashed: list[str] = []
    async with world(home, kind) as w:
        try:
            for n, fault in enumerate(schedule, 1):
                w.round = f", round {n}: {fault}"
                await every_phase(w, FAULTS[fault])
                made[fault] += 1
        except Exception as exc:  # the count of what was placed is the evidence: keep it
            crashed = [f"crashed{w.round}: {exc!r}", *traceback.format_exc().splitlines()[-12:]]
        result = await w.settled(patience=60.0 + rounds)
        problems = crashed + w.explain(result).splitlines()[1:]
    return {
        "calls": len(w.names),
        "faults": made,
        **result.summary(),
        "problems": problems[:200],
        "seconds": round(time.perf_counter() - started, 1),
    }


async def main(args: argparse.Namespace) -> int:
    crms: dict[str, Any] = {}
    try:
        for kind in args.crm or CRMS:
            with tempfile.TemporaryDirectory(prefix=f"soak-{kind}-") as home:
                crms[kind] = await soak(kind, args.rounds, Path(home))
            row = crms[kind]
            print(
                f"{kind}: {row['calls']} calls, {sum(row['faults'].values())} faults, "
                f"expected {row['expected']}, found {row['found']}, lost {row['lost']}, doubled {row['doubled']}",
                flush=True,
            )
    except BaseException as exc:  # the details so far are written whatever ends the run
        crms["crashed"] = {"problems": [repr(exc), *traceback.format_exc().splitlines()[-12:]]}
        raise
    finally:
        clean = bool(crms) and all(not row["problems"] for row in crms.values())
        body = {"rounds": args.rounds, "shapes": list(SHAPES), "crms": crms, "clean": clean}
        _rig.write("soak", args.out, args.quick, " ".join(sys.argv), body)
    return 0 if clean else 1


if __name__ == "__main__":
    p = _rig.parser(__doc__ or "")
    p.add_argument("--rounds", type=int, default=None, help="rounds per CRM (default 10; 2 with --quick)")
    p.add_argument("--crm", action="append", choices=CRMS, help="only this CRM (repeatable)")
    parsed = p.parse_args()
    if parsed.rounds is None:
        parsed.rounds = 2 if parsed.quick else 10
    sys.exit(asyncio.run(main(parsed)))
