"""`linkus-companion run --headless`: the engine for the configured extension(s) without a window."""

from __future__ import annotations

import argparse
import asyncio

from linkus_companion.config.settings import Settings
from linkus_companion.engine.screen_pop import PrintingOpener
from linkus_companion.pbx.events import StreamStatus
from linkus_companion.platform import logs
from linkus_companion.runtime import NotConfigured, embedded_host
from linkus_companion.stopping import stop_requested
from linkus_companion.terminal import tell
from linkus_companion.texts import Text, text_of


async def serve(settings: Settings) -> int:
    """Run until SIGINT/SIGTERM; pops are printed as JSON lines."""
    opener = PrintingOpener(lambda line: print(line, flush=True))
    stopping = stop_requested()  # before anything slow: a signal during start-up stops cleanly too
    async with embedded_host(settings, opener) as host:
        host.watch_status(lambda s: print(_status_line(s), flush=True))
        try:
            await host.start()
            await stopping.wait()
        finally:
            await host.stop()
    return 0


def _status_line(status: StreamStatus) -> str:
    return f"PBX: {status.state.value}" + (f" ({status.reason})" if status.reason else "")


def main(args: argparse.Namespace) -> int:
    """Entry point for `linkus-companion run --headless`."""
    logs.setup(console=True)
    settings = Settings.open()
    for problem in settings.problems:
        tell(Text("warning: {problem}", problem=problem.text))
    try:
        return asyncio.run(serve(settings))
    except NotConfigured as exc:
        tell(Text("Not configured: {why}", why=text_of(exc)))
        return 2
