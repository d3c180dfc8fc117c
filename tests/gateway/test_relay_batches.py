"""The leader's relay packs desktop messages into NOTIFY payloads PostgreSQL accepts, in order, none lost."""

from __future__ import annotations

import json

import pytest

from linkus_companion.gateway import relay


def test_a_burst_is_split_into_payloads_under_the_limit_in_order() -> None:
    publisher = relay.Publisher("postgresql://unused", None)
    for i in range(300):
        publisher(str(1000 + i % 7), {"type": "call", "call": {"call_id": f"c{i}", "number": "x" * (i % 90)}})
    payloads = list(relay._batches(publisher._queue))
    assert len(payloads) > 1 and publisher._queue == []
    assert all(len(p.encode()) <= relay.PAYLOAD_LIMIT for p in payloads)
    items = [item for p in payloads for item in json.loads(p)]
    assert [item["message"]["call"]["call_id"] for item in items] == [f"c{i}" for i in range(300)]


def test_a_message_too_large_for_a_notify_is_dropped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    publisher = relay.Publisher("postgresql://unused", None)
    publisher("1001", {"type": "call", "call": {"call_id": "big", "notes": "x" * relay.PAYLOAD_LIMIT}})
    publisher("1001", {"type": "call", "call": {"call_id": "small"}})
    assert "too large to relay" in caplog.text
    [payload] = relay._batches(publisher._queue)
    assert [item["message"]["call"]["call_id"] for item in json.loads(payload)] == ["small"]
