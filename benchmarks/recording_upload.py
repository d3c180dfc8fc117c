"""A long call's recording uploaded into the CRM with bounded memory: peak RSS growth against the file size.

The PBX simulator streams a WAV of the given size; the desktop engine (upload mode) spools it to disk
and streams it as multipart into the CRM emulator, all in this process. The peak resident set
(VmHWM, reset just before the call) is compared with the RSS before the call; the uploaded bytes are
checked against the PBX's by SHA-256.
"""

from __future__ import annotations

import asyncio
import hashlib
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import _rig
from linkus_companion.demo import demo_world
from linkus_companion.sim.pbx_media import long_wav

CALLER = "+14155550101"


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmHWM")


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # Linux: VmHWM := current RSS


def _stored_sha(crm: Any) -> str:
    files = getattr(crm, "files", None)
    if hasattr(files, "store"):  # HubSpot (Files API) and Salesforce (ContentFiles)
        stored = list(files.store.files.values())
    else:
        stored = list(crm.api.files.files.values())
    return str(stored[-1].sha256) if stored else ""


async def one(kind: str, size: int) -> dict[str, Any]:
    """Upload one recording of `size` bytes into `kind`; memory and time figures."""
    expected = hashlib.sha256()
    for chunk in long_wav(size):
        expected.update(chunk)
    with tempfile.TemporaryDirectory(prefix="linkus-bench-rec-") as tmp, _rig.memory_keyring():
        async with demo_world(kind, Path(tmp), lambda _line: None) as world:
            world.pbx.recording_bytes = size
            await world.host.start()
            await asyncio.wait_for(world.host.connected(), 10)
            before = _rig.rss_mb()
            _reset_peak()
            started = time.perf_counter()
            await world.pbx.inbound(CALLER, "1001", talk=0.2)
            for _ in range(6000):
                await asyncio.sleep(0.05)
                if _stored_sha(world.crm) and not world.host.outbox.pending():
                    break
            seconds = time.perf_counter() - started
            peak = _peak_mb()
            same = _stored_sha(world.crm) == expected.hexdigest()
    growth = round(peak - before, 1)
    return {
        "file_mb": round(size / 1e6, 1),
        "rss_before_mb": before,
        "peak_rss_mb": peak,
        "peak_growth_mb": growth,
        "growth_over_file": _rig.ratio(growth, size / 1e6),
        "seconds": round(seconds, 2),
        "bytes_identical": same,
    }


async def run(quick: bool) -> dict[str, Any]:
    size = 8_000_000 if quick else 100_000_000
    crms = {kind: await one(kind, size) for kind in (("hubspot",) if quick else ("hubspot", "salesforce"))}
    bounded = all(c["bytes_identical"] and c["peak_growth_mb"] < 0.25 * c["file_mb"] for c in crms.values())
    return {
        "file_bytes": size,
        "crms": crms,
        "goal": "peak RSS growth < 25% of the file size",
        "met": bounded,
    }


def main() -> int:
    args = _rig.parser(__doc__ or "").parse_args()
    body = asyncio.run(run(args.quick))
    _rig.write("recording_upload", args.out, args.quick, " ".join(sys.argv), body)
    return 0 if body["met"] or args.quick else 1


if __name__ == "__main__":
    raise SystemExit(main())
