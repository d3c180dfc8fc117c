"""Caller lookup: caching, de-duplication, our own numbers, several matches, CRM failures."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from linkus_companion.crm.hubspot import HubSpotConnector
from linkus_companion.engine.lookup import Lookup, LookupPolicy, MultipleRule, Source
from linkus_companion.model import RecordKind
from linkus_companion.sim.hubspot_api import Fault

if TYPE_CHECKING:
    from tests.engine.conftest import Crm


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_known_caller_is_found_and_then_served_from_the_cache(crm: Crm) -> None:
    contact = crm.emulator.seed_record(
        "contacts", {"firstname": "Ada", "lastname": "Lovelace", "phone": "(415) 555-0132"}
    )
    lookup = Lookup(crm.connector, LookupPolicy())
    first = await lookup.find("+14155550132")
    assert first.chosen is not None and first.chosen.id == contact
    assert first.source is Source.CRM
    searches = crm.searches()
    again = await lookup.find("4155550132")
    assert again.chosen == first.chosen
    assert again.source is Source.CACHE
    assert crm.searches() == searches


async def test_simultaneous_lookups_of_one_number_share_one_search(crm: Crm) -> None:
    crm.emulator.seed_record(
        "contacts", {"firstname": "Ada", "lastname": "Lovelace", "phone": "+14155550132"}
    )
    lookup = Lookup(crm.connector, LookupPolicy())
    matches = await asyncio.gather(*(lookup.find(n) for n in ("+14155550132", "4155550132", "14155550132")))
    assert all(m.known for m in matches)
    assert [m.raw for m in matches] == ["+14155550132", "4155550132", "14155550132"]
    assert lookup.stats.crm_searches == 1
    assert lookup.stats.joined == 2


async def test_our_own_numbers_and_extensions_are_never_looked_up(crm: Crm) -> None:
    crm.emulator.seed_record("companies", {"name": "Us Inc", "phone": "+15550100"})
    lookup = Lookup(crm.connector, LookupPolicy(), own_numbers=["+15550100", "1001"])
    for number in ("+15550100", "1001", "2002", "not a number"):
        match = await lookup.find(number)
        assert not match.known
        assert match.source is Source.NONE
    assert crm.searches() == 0


async def test_an_unknown_number_is_remembered_briefly(crm: Crm) -> None:
    clock = Clock()
    lookup = Lookup(crm.connector, LookupPolicy(negative_ttl=60), clock=clock)
    assert not (await lookup.find("+14155550199")).known
    assert (await lookup.find("+14155550199")).source is Source.CACHE
    crm.emulator.seed_record("contacts", {"firstname": "New", "lastname": "Caller", "phone": "+14155550199"})
    clock.now += 61
    assert (await lookup.find("+14155550199")).known
    assert lookup.stats.crm_searches == 2


async def test_forget_makes_the_next_lookup_ask_the_crm(crm: Crm) -> None:
    lookup = Lookup(crm.connector, LookupPolicy())
    assert not (await lookup.find("+14155550199")).known
    crm.emulator.seed_record("contacts", {"firstname": "New", "lastname": "Caller", "phone": "+14155550199"})
    lookup.forget("(415) 555-0199")
    assert (await lookup.find("+14155550199")).known


async def test_several_matches_follow_the_admin_rule(crm: Crm) -> None:
    crm.emulator.seed_record("companies", {"name": "Analytical Engines", "phone": "+14155550132"})
    person = crm.emulator.seed_record(
        "contacts", {"firstname": "Ada", "lastname": "L", "phone": "+14155550132"}
    )
    # contacts rank first: HubSpot's company search is skipped once a contact matches
    priority = await Lookup(crm.connector, LookupPolicy(multiple=MultipleRule.PRIORITY)).find("+14155550132")
    assert priority.chosen is not None and priority.chosen.id == person
    assert [r.kind for r in priority.records] == [RecordKind.CONTACT]
    both = HubSpotConnector(crm.client, crm.grants, companies_first=True)
    ask = await Lookup(both, LookupPolicy(multiple=MultipleRule.ASK)).find("+14155550132")
    assert ask.needs_choice and ask.chosen is None
    assert [r.kind for r in ask.records] == [RecordKind.CONTACT, RecordKind.ACCOUNT]
    companies_first = LookupPolicy(multiple=MultipleRule.PRIORITY, module_priority=("companies", "contacts"))
    assert companies_first.companies_first()
    company = await Lookup(both, companies_first).find("+14155550132")
    assert company.chosen is not None and company.chosen.kind is RecordKind.ACCOUNT


async def test_a_crm_failure_is_reported_not_cached_and_retried_next_time(crm: Crm) -> None:
    crm.emulator.seed_record("contacts", {"firstname": "Ada", "lastname": "L", "phone": "+14155550132"})
    crm.emulator.inject_fault(Fault(status=400, remaining=1))
    lookup = Lookup(crm.connector, LookupPolicy())
    failed = await lookup.find("+14155550132")
    assert failed.error and not failed.known
    assert "token" not in failed.error.lower()
    assert lookup.stats.errors == 1
    recovered = await lookup.find("+14155550132")
    assert recovered.known and recovered.source is Source.CRM


async def test_the_cache_stays_bounded(crm: Crm) -> None:
    lookup = Lookup(crm.connector, LookupPolicy(max_entries=3))
    for n in range(5):
        await lookup.find(f"+1415555010{n}")
    searches = lookup.stats.crm_searches
    await lookup.find("+14155550100")
    assert lookup.stats.crm_searches == searches + 1
    await lookup.find("+14155550104")
    assert lookup.stats.crm_searches == searches + 1


async def test_expired_answers_leave_the_cache_as_new_callers_come(crm: Crm) -> None:
    """A desktop running for days keeps only the last few minutes' callers, not its cache's capacity."""
    clock = Clock()
    lookup = Lookup(crm.connector, LookupPolicy(ttl=300, negative_ttl=60, max_entries=1000), clock=clock)
    for n in range(5):
        await lookup.find(f"+1415555010{n}")
    assert len(lookup._cache) == 5
    clock.now += 301
    await lookup.find("+14155550199")
    assert list(lookup._cache) == ["+14155550199"]
