"""The queries run on every status update and every ended call read an index, not the whole table:
after a day-long CRM outage (thousands of waiting logs) each call still costs what the first did."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkus_companion.store import Store

EVERY_CALL = [
    # LocalBackend's status: the waiting call logs (Outbox.waiting_log_count)
    ("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND kind = ?", ("log",), "COVERING INDEX"),
    # CallHistory.remember: history past KEEP dropped at each ended call
    ("DELETE FROM call_history WHERE started_at < ?", ("2026-01-01T00:00:00+00:00",), "(started_at<?)"),
]


@pytest.mark.parametrize(("sql", "args", "reads"), EVERY_CALL)
def test_per_call_queries_use_an_index(tmp_path: Path, sql: str, args: tuple[str, ...], reads: str) -> None:
    """`reads`: how the plan must find the rows (the count from the index alone, the delete by age)."""
    store = Store.open(tmp_path / "app.db")
    try:
        with store.transaction() as db:
            plan = " | ".join(str(row[-1]) for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", args))
    finally:
        store.close()
    assert "INDEX" in plan and reads in plan, plan
