"""The HubSpot emulator's search answers from an exact-value index, as HubSpot does, not by scanning."""

from __future__ import annotations

from typing import Any

import pytest

from linkus_companion.sim import hubspot_store
from linkus_companion.sim.hubspot_search import parse_request
from linkus_companion.sim.hubspot_store import Store


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _by_phone(digits: str) -> Any:
    return parse_request(
        {
            "filterGroups": [
                {
                    "filters": [
                        {
                            "propertyName": "hs_searchable_calculated_phone_number",
                            "operator": "EQ",
                            "value": digits,
                        }
                    ]
                },
                {"filters": [{"propertyName": "phone", "operator": "IN", "values": [f"+{digits}"]}]},
            ],
            "limit": 10,
        }
    )


def _ids(store: Store, request: Any, lag: float = 0.0) -> list[str]:
    return [r.id for r in store.search("contacts", request, lag)[0]]


def test_a_phone_search_over_thousands_of_records_checks_only_the_matching_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = Store(Clock())
    for i in range(3000):
        store.create("contacts", {"phone": f"+1555010{i:04d}", "lastname": str(i)})
    wanted = store.create("contacts", {"phone": "+15559990000", "lastname": "Wanted"})
    checked: list[object] = []
    real = hubspot_store.matches

    def counting(*args: Any) -> bool:
        checked.append(args)
        return real(*args)

    monkeypatch.setattr(hubspot_store, "matches", counting)
    assert _ids(store, _by_phone("15559990000")) == [wanted.id]
    assert len(checked) == 1  # a scan would check all 3001 records per lookup (60 ms each in the soak)


def test_the_index_follows_updates_within_the_search_lag() -> None:
    clock = Clock()
    store = Store(clock)
    record = store.create("contacts", {"phone": "+15550001111", "lastname": "Moved"})
    clock.now += 10
    store.update("contacts", record.id, {"phone": "+15550002222"})
    assert _ids(store, _by_phone("15550001111"), lag=5.0) == [record.id]  # the index has not seen the change
    assert _ids(store, _by_phone("15550002222"), lag=5.0) == []
    clock.now += 10
    assert _ids(store, _by_phone("15550001111"), lag=5.0) == []
    assert _ids(store, _by_phone("15550002222"), lag=5.0) == [record.id]


def test_searches_without_an_exact_filter_still_see_every_record() -> None:
    store = Store(Clock())
    ids = [
        store.create("contacts", {"phone": f"+1555000{i:04d}", "lastname": f"Smith{i}"}).id for i in range(3)
    ]
    by_token = parse_request(
        {
            "filterGroups": [{"filters": [{"propertyName": "lastname", "operator": "HAS_PROPERTY"}]}],
            "limit": 10,
        }
    )
    assert _ids(store, by_token) == ids
    assert _ids(store, parse_request({"query": "smith1", "limit": 10})) == [ids[1]]
    assert _ids(store, parse_request({"limit": 10})) == ids
