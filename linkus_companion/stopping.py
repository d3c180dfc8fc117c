"""Wait for the end of a long-running command: Ctrl+C or the service manager's SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import signal


def stop_requested() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM (where the loop supports signal handlers)."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stopping.set)
    return stopping
