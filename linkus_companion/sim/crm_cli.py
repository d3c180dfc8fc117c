"""`linkus-companion sim crm --kind ...`: run one CRM emulator and print how to reach it."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from typing import Any, TextIO

from linkus_companion.stopping import stop_requested

EMULATORS = {
    "hubspot": ("linkus_companion.sim.hubspot", "HubSpotEmulator", "Bearer"),
    "salesforce": ("linkus_companion.sim.salesforce", "SalesforceEmulator", "Bearer"),
    "zoho": ("linkus_companion.sim.zoho", "ZohoEmulator", "Zoho-oauthtoken"),
}


def main(args: argparse.Namespace) -> int:
    """Start the emulator chosen by `--kind`, print its address and token, serve until Ctrl-C."""
    asyncio.run(_serve_until_stopped(args))
    return 0


async def _serve_until_stopped(args: argparse.Namespace) -> None:
    await serve(args, sys.stdout, stop_requested())


async def serve(args: argparse.Namespace, out: TextIO, stop: asyncio.Event | None = None) -> None:
    """Run the emulator until `stop` is set (or the task is cancelled, e.g. by Ctrl-C)."""
    emulator = build(args, out)
    await emulator.start(args.host, args.port)
    try:
        describe(args.kind, emulator, out)
        await (stop or asyncio.Event()).wait()
    finally:
        await emulator.stop()


def build(args: argparse.Namespace, out: TextIO) -> Any:
    """The emulator object for `args.kind`, imported only now (each emulator is a large module)."""
    module_name, class_name, _ = EMULATORS[args.kind]
    emulator_class = getattr(importlib.import_module(module_name), class_name)
    options: dict[str, Any] = {"token": args.token}
    if args.search_lag is not None:
        if args.kind == "hubspot":
            options["search_lag"] = args.search_lag
        else:
            print(f"note: --search-lag applies to HubSpot only; ignored for {args.kind}", file=out)
    return emulator_class(**options)


def describe(kind: str, emulator: Any, out: TextIO) -> None:
    """Print what a client or SDK needs to talk to the running emulator."""
    scheme = EMULATORS[kind][2]
    lines = [
        f"{kind} emulator running at {emulator.base_url}",
        f"access token (seeded admin user): {emulator.admin_token}",
        f"  send it as: Authorization: {scheme} {emulator.admin_token}",
    ]
    if emulator.ca_file is not None:
        lines.append(f"TLS CA file (trust it; do not turn verification off): {emulator.ca_file}")
    client_id = getattr(emulator, "oauth_client_id", None)
    if client_id:
        lines.append(f"OAuth client id: {client_id}")
        lines.append(f"OAuth client secret: {emulator.oauth_client_secret}")
    lines.append("Press Ctrl-C to stop.")
    print("\n".join(lines), file=out, flush=True)
