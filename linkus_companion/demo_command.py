"""`linkus-companion demo`: the offline demo on the desktop, headless, or through a gateway."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path

from linkus_companion import demo, terminal
from linkus_companion.platform.display import can_show_windows
from linkus_companion.stopping import until_stopped
from linkus_companion.texts import Text, text_of


def main(args: argparse.Namespace) -> int:
    """Entry point for `linkus-companion demo`."""
    kind = args.crm
    say: Callable[[str], None] = lambda line: print(terminal.say(line), flush=True)  # noqa: E731
    if not args.headless and not getattr(args, "gateway", False) and not getattr(args, "ha", False):
        if can_show_windows():
            return demo.run_desktop(kind, args.calls, say)
        say(Text("No display found: running the demo without windows (pops are printed as JSON lines)."))
    if getattr(args, "ha", False):
        from linkus_companion.gateway.demo_ha import failover_summary, run_gateway_ha
        from linkus_companion.sim.postgres_server import NoPostgres

        try:
            played = asyncio.run(until_stopped(run_gateway_ha(kind, args.calls, say)))
        except NoPostgres as exc:
            say(Text("demo --gateway --ha needs a PostgreSQL server: {why}", why=text_of(exc)))
            return 2
        if played is not None:
            say(failover_summary(played))
    elif getattr(args, "gateway", False):
        from linkus_companion.gateway.demo import run_gateway_headless

        played = asyncio.run(until_stopped(run_gateway_headless(kind, args.calls, say)))
    else:
        played = asyncio.run(until_stopped(demo.run_headless(kind, args.calls, say)))
    if played is None:
        say(Text("demo stopped"))
        return 130
    result = played
    say(demo.summary(result))
    for error in result["errors"]:
        say(Text("  error: {error}", error=error))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
        say(Text("report written to {path}", path=args.json))
    return 0 if not result["errors"] and not result["lost"] and not result["duplicated"] else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(argparse.Namespace(crm="hubspot", calls=8, headless=True, json=None)))
