"""Deleting one call's recording on request: links withdrawn, pending uploads cancelled, local copies removed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from linkus_companion import paths
from linkus_companion.engine.outbox import JobKind
from linkus_companion.engine.recording_spool import discard_call
from linkus_companion.store import Store


@dataclass(frozen=True)
class Erased:
    """What was removed for the call."""

    links: int
    """Capability links withdrawn (they now answer 410)."""
    uploads: int
    """Uploads still queued, cancelled before reaching the CRM."""
    uploaded: tuple[str, ...]
    """CRM file ids already stored with the call: remove those in the CRM (the admin's CRM access)."""
    files: int
    """Spooled or cached copies deleted from this computer."""


def erase_recording(store: Store, call_id: str, dirs: tuple[Path, ...] | None = None) -> Erased:
    """Withdraw every link of `call_id`, cancel its queued uploads, delete local copies."""
    now = dt.datetime.now(dt.UTC).isoformat()
    with store.transaction() as db:
        links = db.execute(
            "UPDATE recording_links SET revoked_at = ? WHERE call_id = ? AND revoked_at IS NULL",
            (now, call_id),
        ).rowcount
        uploads = db.execute(
            "DELETE FROM outbox WHERE call_id = ? AND kind = ? AND delivered_at IS NULL",
            (call_id, JobKind.RECORDING.value),
        ).rowcount
        uploaded = tuple(
            str(row[0])
            for row in db.execute(
                "SELECT crm_id FROM outbox WHERE call_id = ? AND kind = ? AND delivered_at IS NOT NULL",
                (call_id, JobKind.RECORDING.value),
            ).fetchall()
        )
    folders = dirs or (paths.data_dir() / "recording-spool", paths.cache_dir() / "recording-cache")
    files = sum(discard_call(folder, call_id) for folder in folders)
    return Erased(int(links), int(uploads), uploaded, files)
