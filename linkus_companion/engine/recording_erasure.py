"""Deleting one call's recording on request: links withdrawn, pending uploads cancelled, local copies removed,
and the copies uploaded to the CRM deleted there."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from linkus_companion import paths
from linkus_companion.crm.base import Connector
from linkus_companion.engine.outbox import JobKind
from linkus_companion.engine.recording_spool import discard_call
from linkus_companion.store import Db, Store


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
        uploaded = tuple(file_id for _call, file_id in _uploaded(db, call_id))
    folders = dirs or (paths.data_dir() / "recording-spool", paths.cache_dir() / "recording-cache")
    files = sum(discard_call(folder, call_id) for folder in folders)
    return Erased(int(links), int(uploads), uploaded, files)


async def delete_uploaded(store: Store, call_id: str, connector: Connector) -> tuple[str, ...]:
    """Delete in the CRM the recordings of `call_id` uploaded there; the CRM file ids deleted.

    Each is forgotten once deleted (a second run has nothing to do); its upload job stays delivered,
    so a late recording signal never uploads it again.
    """
    with store.transaction() as db:
        uploaded = _uploaded(db, call_id)
    for crm_call, file_id in uploaded:
        await connector.delete_recording(crm_call, file_id)
        with store.transaction() as db:
            db.execute(
                "UPDATE outbox SET crm_id = '' WHERE call_id = ? AND kind = ? AND crm_id = ?",
                (call_id, JobKind.RECORDING.value, file_id),
            )
    return tuple(file_id for _call, file_id in uploaded)


def _uploaded(db: Db, call_id: str) -> list[tuple[str, str]]:
    """(CRM call id, CRM file id) of each recording of `call_id` stored in the CRM."""
    rows = db.execute(
        "SELECT log.crm_id, upload.crm_id FROM outbox AS upload JOIN outbox AS log"
        " ON log.idempotency_key = upload.after_key WHERE upload.call_id = ? AND upload.kind = ?"
        " AND upload.delivered_at IS NOT NULL AND COALESCE(upload.crm_id, '') <> ''",
        (call_id, JobKind.RECORDING.value),
    )
    return [(str(crm_call), str(file_id)) for crm_call, file_id in rows.fetchall()]
