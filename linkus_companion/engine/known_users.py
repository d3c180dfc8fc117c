"""The CRM users last read, kept in the store: extensions stay bound when a start finds the CRM down."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from linkus_companion.crm.base import CrmUser
from linkus_companion.store import Store

log = logging.getLogger(__name__)


def _key(crm_kind: str) -> str:
    return f"crm_users.{crm_kind}"


def remember(store: Store, crm_kind: str, users: Sequence[CrmUser]) -> None:
    """Keep `users` (the CRM's answer just now) for the next start that cannot reach the CRM."""
    value = json.dumps([[u.id, u.email, u.name, u.active] for u in users], ensure_ascii=False)
    with store.transaction() as db:
        db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (_key(crm_kind), value),
        )


def remembered(store: Store, crm_kind: str) -> list[CrmUser]:
    """The users of `crm_kind` last read (on PostgreSQL: by any replica of the site); [] when none."""
    with store.transaction() as db:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (_key(crm_kind),)).fetchone()
    if row is None:
        return []
    try:
        return [CrmUser(str(i), str(e), str(n), bool(a)) for i, e, n, a in json.loads(row[0])]
    except (TypeError, ValueError) as exc:
        log.warning("the CRM users kept in the store are unreadable (%s); binding waits for the CRM", exc)
        return []
