"""Hand the C heap's free pages back to the OS once the app has gone quiet after work (glibc only)."""

from __future__ import annotations

import asyncio
import ctypes
import sys
import time
from collections.abc import Callable

CHECK_S = 1.0
"""How often the process's CPU time is looked at."""
QUIET_CPU_S = 0.1
"""At most this much CPU in the last CHECK_S is quiet. An idle app spends ~2 ms a second on its timers; for
minutes after a burst of calls it still asks the CDR for late recordings (a few ms a second, more on a busy
PBX: ~40 ms while one search read every call between two bursts), and the trim (well under a millisecond)
should not wait for those searches to end."""
WORK_CPU_S = 0.2
"""CPU time spent since the last trim that makes another worth it (a few calls' frames, pops and logs)."""


def _malloc_trim() -> Callable[[], object] | None:
    """glibc's `malloc_trim(0)`, or None where the C library has none (macOS, Windows, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")  # glibc's soname; musl has none of that name
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return lambda: trim(0)


async def trim_when_quiet() -> None:
    """Forever: after a spell of work, once a CHECK_S passes quietly, return the freed heap to the OS.

    glibc keeps what a burst of calls freed (parsed frames, SQLite pages, painted cards) inside its heap,
    so the idle app's memory would creep up burst after burst; `malloc_trim(0)` gives those pages back
    in well under a millisecond."""
    trim = _malloc_trim()
    if trim is None:
        return
    trimmed_at = last = time.process_time()
    while True:
        await asyncio.sleep(CHECK_S)
        now = time.process_time()
        if now - last <= QUIET_CPU_S and now - trimmed_at >= WORK_CPU_S:
            trim()
            trimmed_at = now = time.process_time()
        last = now
