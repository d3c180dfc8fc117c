"""Soak: rounds of calls of every shape with a fault in each (on a schedule), then the logs counted per CRM.

Each round places 48 calls (12 shapes, each ended before its CDR, talking and ringing when the fault starts,
and placed during it) and makes the next fault of the schedule: SIGKILL of the app, PBX restart, dropped
WebSocket, expired PBX tokens, CRM outage, a CRM rate-limit storm after a few POSTs whose answers were lost,
the CRM access token expired (the app signs in through the CRM's OAuth pages and refreshes its grant). After
the last round every log the PBX's calls owe is looked up in the CRM emulator once the app is idle (every PBX
event taken in, no call open, the outbox empty): lost (never reached the outbox), doubled, unexpected, wrong
owner, wrong link, missing recording, wrong outcome. If the app is not idle within a generous bound, the logs
the outbox still holds are reported as waiting (late), apart from the lost ones; either fails the run, as does
a call placed that left no CDR (it would be owed nothing). The app's log (INFO and up) is kept per CRM
(`--logs`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks import _rig
from benchmarks._faults import CRMS, FAULTS, SHAPES, every_phase, world

SETTLE_BOUND, SETTLE_PER_ROUND = 120.0, 20.0
"""Seconds: how long the count waits at most for the app to be idle (outbox empty, no call open), beyond
which the logs still in the outbox are reported as waiting (a failure of the run too)."""


@contextlib.contextmanager
def app_log(path: Path) -> Iterator[None]:
    """The app's log lines (INFO and up, as `run --headless` writes them) into `path` while the soak runs."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("linkus_companion")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        handler.close()


async def soak(kind: str, rounds: int, home: Path, faults: list[str] | None = None) -> dict[str, Any]:
    """`rounds` rounds on one CRM, `faults` (default: all) in schedule order; the count and the faults made."""
    schedule = itertools.islice(itertools.cycle(faults or FAULTS), rounds)
    made: dict[str, int] = dict.fromkeys(FAULTS, 0)
    started = time.perf_counter()
    crashed: list[str] = []
    loads = [os.getloadavg()[0]]
    async with world(home, kind, signed_in=True) as w:
        try:
            for n, fault in enumerate(schedule, 1):
                w.round = f", round {n}: {fault}"
                await every_phase(w, FAULTS[fault])
                made[fault] += 1
                loads.append(os.getloadavg()[0])
        except Exception as exc:  # the count of what was placed is the evidence: keep it
            crashed = [f"crashed{w.round}: {exc!r}", *traceback.format_exc().splitlines()[-12:]]
        counting = time.perf_counter()
        result = await w.settled(bound=10.0 if crashed else SETTLE_BOUND + SETTLE_PER_ROUND * rounds)
        settling = time.perf_counter() - counting
        problems = crashed + w.explain(result).splitlines()[1:] + w.without_cdr()
        waiting = len(w.held(result))
    return {
        "calls": len(w.names),
        "faults": made,
        **result.summary(),
        "lost": len(result.lost) - waiting,
        "waiting": waiting,
        "problems": problems[:200],
        "seconds": round(time.perf_counter() - started, 1),
        "settle_seconds": round(settling, 1),
        "load_1m": [round(min(loads), 1), round(max(loads), 1)],
    }


async def main(args: argparse.Namespace) -> int:
    crms: dict[str, Any] = {}
    try:
        for kind in args.crm or CRMS:
            log = args.logs / f"soak-{kind}-{os.getpid()}.log"
            with tempfile.TemporaryDirectory(prefix=f"soak-{kind}-") as home, app_log(log):
                crms[kind] = await soak(kind, args.rounds, Path(home), args.fault)
            row = crms[kind]
            row["app_log"] = str(log)
            print(
                f"{kind}: {row['calls']} calls, {sum(row['faults'].values())} faults, "
                f"expected {row['expected']}, found {row['found']}, lost {row['lost']}, waiting {row['waiting']},"
                f" doubled {row['doubled']} ({row['seconds']} s, load {os.getloadavg()[0]:.1f}; app log {log})",
                flush=True,
            )
            for problem in row["problems"][:20]:
                print(f"  {problem}", file=sys.stderr)
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
    p.add_argument(
        "--fault", action="append", choices=FAULTS, help="only this fault (repeatable; default all)"
    )
    p.add_argument(
        "--logs",
        type=Path,
        default=Path(tempfile.gettempdir()),
        help="where the app's logs go (default: temp dir)",
    )
    parsed = p.parse_args()
    if parsed.rounds is None:
        parsed.rounds = 2 if parsed.quick else 10
    sys.exit(asyncio.run(main(parsed)))
