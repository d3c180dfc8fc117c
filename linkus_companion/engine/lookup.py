"""Find the other party of a call in the CRM: cached, de-duplicated, never matching our own numbers."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from linkus_companion.crm.base import Connector, CrmError
from linkus_companion.model import Record, RecordKind
from linkus_companion.phone import InvalidNumber, PhoneNumber, parse
from linkus_companion.texts import text_of

log = logging.getLogger(__name__)

MODULE_KINDS = {
    "contacts": RecordKind.CONTACT,
    "leads": RecordKind.LEAD,
    "accounts": RecordKind.ACCOUNT,
    "companies": RecordKind.ACCOUNT,
}
"""Our module names (settings `match.module_priority`) and the record kind each holds."""

SEARCHES_AT_ONCE = 40
"""CRM lookups in flight at once; later ones wait their turn, in the order the calls rang. A burst of
calls then holds at most 80 of the HTTP pool's 100 connections (a HubSpot lookup may send two searches
at once), so a call log being delivered never waits behind a queue of searches for a connection."""


class Source(StrEnum):
    """Where a lookup answer came from."""

    CRM = "crm"
    PBX = "pbx"
    CACHE = "cache"
    NONE = "none"
    """Not looked up: not a number, an internal number or one of our own numbers."""


class MultipleRule(StrEnum):
    """What to do when several records share a number (setting `match.multiple`)."""

    ASK = "ask"
    PRIORITY = "priority"
    RECENT = "recent"


@dataclass(frozen=True)
class LookupPolicy:
    """The matching settings the lookup applies."""

    region: str = "US"
    last_digits: int = 7
    multiple: MultipleRule = MultipleRule.ASK
    module_priority: tuple[str, ...] = ("contacts", "leads", "accounts", "companies")
    always_query_crm: bool = False
    ttl: float = 300.0
    negative_ttl: float = 60.0
    max_entries: int = 5000

    def deciding_kinds(self) -> tuple[RecordKind, ...]:
        """Record kinds in the admin's order when the first match decides (the priority rule), else ()."""
        if self.multiple is not MultipleRule.PRIORITY:
            return ()
        return tuple(dict.fromkeys(MODULE_KINDS[m] for m in self.module_priority if m in MODULE_KINDS))

    def companies_first(self) -> bool:
        """Accounts/companies rank above contacts in the admin's module order."""
        kinds = [MODULE_KINDS[m] for m in self.module_priority if m in MODULE_KINDS]
        return RecordKind.ACCOUNT in kinds and (
            RecordKind.CONTACT not in kinds
            or kinds.index(RecordKind.ACCOUNT) < kinds.index(RecordKind.CONTACT)
        )


@dataclass(frozen=True)
class Match:
    """The answer for one number."""

    raw: str
    number: PhoneNumber | None
    records: tuple[Record, ...] = ()
    """Every matching record, in module-priority order."""
    chosen: Record | None = None
    """The record to pop and link; None when nothing matched or the user must pick."""
    source: Source = Source.NONE
    error: str = ""
    """Why the CRM could not be asked (the call goes on; the next lookup tries again)."""

    @property
    def needs_choice(self) -> bool:
        """Several records match and the rule says the user picks."""
        return self.chosen is None and len(self.records) > 1

    @property
    def known(self) -> bool:
        """At least one record matches."""
        return bool(self.records)


class PhonebookMatcher(Protocol):
    """CRM records known through the PBX's CRM-owned phonebook (contact sync), without asking the CRM."""

    async def match(self, number: PhoneNumber) -> list[Record]:
        """Records synced to the PBX for this number."""
        ...


@dataclass
class _Entry:
    match: Match
    expires_at: float


@dataclass
class LookupStats:
    """Counters for benchmarks and the status line."""

    crm_searches: int = 0
    cache_hits: int = 0
    pbx_hits: int = 0
    errors: int = 0
    joined: int = 0
    """Lookups that joined one already in flight for the same number."""


@dataclass
class Lookup:
    """Looks numbers up in the CRM (after the PBX phonebook unless `always_query_crm`)."""

    connector: Connector
    policy: LookupPolicy
    own_numbers: Iterable[str] = ()
    """Our extensions, DIDs and colleagues' numbers: never matched as customers."""
    phonebook: PhonebookMatcher | None = None
    clock: Callable[[], float] = time.monotonic
    stats: LookupStats = field(default_factory=LookupStats)
    searches_at_once: int = SEARCHES_AT_ONCE

    def __post_init__(self) -> None:
        self._turns = asyncio.Semaphore(self.searches_at_once)
        self._cache: OrderedDict[str, _Entry] = OrderedDict()
        self._inflight: dict[str, asyncio.Future[Match]] = {}
        self._forgotten: set[str] = set()
        """In-flight searches `forget` overtook: their answer is not cached."""
        self._own: set[str] = set()
        self.set_own_numbers(self.own_numbers)

    def set_own_numbers(self, numbers: Iterable[str]) -> None:
        """Replace the numbers that are ours (refreshed when the extension list changes)."""
        own: set[str] = set()
        for text in numbers:
            try:
                own.add(self._key(parse(text, self.policy.region)))
            except InvalidNumber:
                continue
        self._own = own

    async def find(self, raw: str) -> Match:
        """The records for `raw`; concurrent calls for the same number share one CRM search."""
        try:
            number = parse(raw, self.policy.region)
        except InvalidNumber:
            return Match(raw, None)
        key = self._key(number)
        if number.internal or key in self._own:
            return Match(raw, number)
        hit = self._hit(raw, number, key)
        if hit is not None:
            return hit
        pending = self._inflight.get(key)
        if pending is not None:
            self.stats.joined += 1
            return _for_raw(await asyncio.shield(pending), raw)
        future: asyncio.Future[Match] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            match = await self._search(raw, number)
            future.set_result(match)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # joiners re-raise it; mark it retrieved for the owner
            raise
        finally:
            del self._inflight[key]
            forgotten = key in self._forgotten
            self._forgotten.discard(key)
        if not match.error and not forgotten:
            self._remember(key, match)
        return match

    def cached(self, raw: str) -> Match | None:
        """The answer for `raw` while it is cached (a repeat caller), else None; never asks the CRM."""
        try:
            number = parse(raw, self.policy.region)
        except InvalidNumber:
            return None
        key = self._key(number)
        return None if number.internal or key in self._own else self._hit(raw, number, key)

    def _hit(self, raw: str, number: PhoneNumber, key: str) -> Match | None:
        cached = self._cached(key)
        if cached is None:
            return None
        self.stats.cache_hits += 1
        return Match(raw, number, cached.records, cached.chosen, Source.CACHE)

    def forget(self, raw: str) -> None:
        """Drop the cached answer for `raw` (after a record was created or changed for it)."""
        try:
            key = self._key(parse(raw, self.policy.region))
        except InvalidNumber:
            return
        self._cache.pop(key, None)
        if key in self._inflight:
            self._forgotten.add(key)

    def resolve(self, records: Sequence[Record]) -> tuple[tuple[Record, ...], Record | None]:
        """Order records by module priority and choose one per the rule (None: the user picks)."""
        rank = {kind: i for i, kind in enumerate(self._kind_priority())}
        ordered = tuple(sorted(records, key=lambda r: rank.get(r.kind, len(rank))))
        if len(ordered) <= 1:
            return ordered, (ordered[0] if ordered else None)
        if self.policy.multiple is MultipleRule.PRIORITY:
            return ordered, ordered[0]
        if self.policy.multiple is MultipleRule.RECENT:
            dated = [r for r in ordered if r.updated_at is not None]
            return ordered, (max(dated, key=lambda r: r.updated_at or 0) if dated else ordered[0])
        return ordered, None

    async def _search(self, raw: str, number: PhoneNumber) -> Match:
        if self.phonebook is not None and not self.policy.always_query_crm:
            synced = await self.phonebook.match(number)
            if synced:
                self.stats.pbx_hits += 1
                records, chosen = self.resolve(synced)
                return Match(raw, number, records, chosen, Source.PBX)
        self.stats.crm_searches += 1
        try:
            async with self._turns:
                found = await self.connector.search_by_phone(number)
        except CrmError as exc:
            self.stats.errors += 1
            log.warning("CRM lookup failed: %s", exc)
            return Match(raw, number, source=Source.CRM, error=text_of(exc))
        records, chosen = self.resolve(found)
        return Match(raw, number, records, chosen, Source.CRM)

    def _kind_priority(self) -> list[RecordKind]:
        kinds: list[RecordKind] = []
        for module in self.policy.module_priority:
            kind = MODULE_KINDS.get(module)
            if kind is not None and kind not in kinds:
                kinds.append(kind)
        return kinds

    def _cached(self, key: str) -> Match | None:
        entry = self._cache.get(key)
        if entry is None:
            return None
        if entry.expires_at <= self.clock():
            del self._cache[key]
            return None
        self._cache.move_to_end(key)
        return entry.match

    def _remember(self, key: str, match: Match) -> None:
        ttl = self.policy.ttl if match.known else self.policy.negative_ttl
        if ttl <= 0:
            return
        now = self.clock()
        self._cache[key] = _Entry(match, now + ttl)
        self._cache.move_to_end(key)
        while len(self._cache) > self.policy.max_entries:
            self._cache.popitem(last=False)
        # the least recently used answers go once expired, so a quiet cache shrinks back
        while next(iter(self._cache.values())).expires_at <= now:
            self._cache.popitem(last=False)

    @staticmethod
    def _key(number: PhoneNumber) -> str:
        return number.e164 or number.digits


def _for_raw(match: Match, raw: str) -> Match:
    return Match(raw, match.number, match.records, match.chosen, match.source, match.error)
