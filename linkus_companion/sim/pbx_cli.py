"""`linkus-companion sim pbx`: run the PBX simulator on its own until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import shlex
import tempfile
from pathlib import Path

from linkus_companion.sim.pbx import PbxSimulator
from linkus_companion.stopping import stop_requested
from linkus_companion.tls import generate


def banner(sim: PbxSimulator) -> str:
    """What the running simulator prints: credentials, URLs and how to drive it."""
    d = sim.directory
    tls = f"--cacert {shlex.quote(str(sim.tls.ca_file))} " if sim.tls else ""
    ws_env = f"SSL_CERT_FILE={shlex.quote(str(sim.tls.ca_file))} " if sim.tls else ""
    login = f'{{"username":"{sim.client_id}","password":"{sim.client_secret}"}}'
    extensions = ", ".join(f"{e.number} {e.caller_id_name}" for e in d.extensions.values())
    groups = "; ".join(
        f"{g.kind.replace('_', ' ')} {g.number} ({','.join(g.members)})" for g in d.groups.values()
    )
    lines = [
        f"Yeastar P-Series PBX simulator (firmware {sim.firmware}, SN {sim.sn})",
        "",
        f"  Client ID      {sim.client_id}",
        f"  Client Secret  {sim.client_secret}",
        f"  API base URL   {sim.api_url}",
        f"  WebSocket URL  {sim.ws_url}?access_token=<access_token>",
        *([f"  CA file        {sim.tls.ca_file}"] if sim.tls else []),
        f"  Extensions     {extensions}",
        f"  Groups         {groups}; trunk {d.trunk}, DID {d.did}",
        "",
        "Get a token:",
        f"  curl -s {tls}-H 'User-Agent: demo' -H 'Content-Type: application/json' \\",
        f"    -d '{login}' {sim.api_url}/get_token",
        "Watch events (once connected send the line below; send heartbeat to keep the socket open):",
        f"  {ws_env}python -m websockets '{sim.ws_url}?access_token=<access_token>'",
        '  {"topic_list":[30008,30011,30012,30013,30015]}',
        "Start a scripted call (GET /sim lists every scenario and its parameters):",
        f'  curl -s {tls}-X POST -d \'{{"caller":"+15551234567","extension":"1001"}}\' '
        f"{sim.base_url}/sim/calls/inbound",
        "",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


async def serve(args: argparse.Namespace, tls_dir: Path | None) -> int:
    """Start the simulator, print the banner and run until SIGINT/SIGTERM."""
    sim = PbxSimulator(
        client_id=args.client_id,
        client_secret=args.client_secret,
        tls=generate(tls_dir) if tls_dir else None,
        idle_timeout=args.idle_timeout,
    )
    stopping = stop_requested()  # before the banner: a client may signal as soon as it reads it
    await sim.start(args.host, args.port)
    print(banner(sim), flush=True)
    try:
        await stopping.wait()
    finally:
        await sim.stop()
    return 0


def main(args: argparse.Namespace) -> int:
    """Entry point for `linkus-companion sim pbx`."""
    if not args.tls:
        return asyncio.run(serve(args, None))
    with tempfile.TemporaryDirectory(prefix="linkus-pbx-tls-") as tmp:
        return asyncio.run(serve(args, Path(tmp)))
