"""Every engine rule's settings, read from the effective configuration in one place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from linkus_companion.config.settings import Settings
from linkus_companion.engine.call_log import LogPolicy
from linkus_companion.engine.contact_sync import SyncPolicy
from linkus_companion.engine.core import AUTO_NAME, AUTO_NAMES, CreatePolicy
from linkus_companion.engine.lookup import LookupPolicy, MultipleRule
from linkus_companion.engine.screen_pop import PopMode, PopPolicy, Trigger
from linkus_companion.model import RecordKind
from linkus_companion.texts import language_of


@dataclass(frozen=True)
class Policies:
    """The rules the engine applies."""

    pop: PopPolicy = field(default_factory=PopPolicy)
    create: CreatePolicy = field(default_factory=CreatePolicy)
    lookup: LookupPolicy = field(default_factory=LookupPolicy)
    log: LogPolicy = field(default_factory=LogPolicy)
    sync: SyncPolicy | None = None
    """None: contact sync is off."""
    manual_binding: Mapping[str, str] = field(default_factory=dict)
    phonebridge: bool = False
    """Zoho PhoneBridge mode: Zoho pops and logs calls itself, we only notify it (pops and logs off)."""
    retention_days: int = 90
    """Closed calls and delivered call logs older than this leave the store."""
    keep_calls: int = 500
    """Calls the engine remembers at most (a site's on a gateway); those in progress always stay."""

    @classmethod
    def from_settings(cls, settings: Settings, timezone: dt.tzinfo | None = None) -> Policies:
        """The policies the effective settings describe."""
        get = settings.get
        region = str(get("match.region"))
        sync = None
        if get("sync.enabled"):
            sync = SyncPolicy(
                phonebook=str(get("sync.phonebook")),
                modules=tuple(get("sync.modules")),  # type: ignore[arg-type]
                interval=float(get("sync.interval_minutes")) * 60,  # type: ignore[arg-type]
                region=region,
            )
        binding = get("binding")
        phonebridge = bool(get("crm.phonebridge")) and get("crm.kind") == "zoho"
        log = LogPolicy.from_settings(settings, timezone)
        return cls(
            pop=PopPolicy(
                enabled=bool(get("pop.enabled")) and not phonebridge,
                mode=PopMode(str(get("pop.mode"))),
                trigger=Trigger(str(get("pop.trigger"))),
            ),
            create=CreatePolicy(
                enabled=bool(get("create.enabled")),
                auto=get("create.mode") == "auto",
                kind=RecordKind(str(get("create.record_type"))),
                inbound=bool(get("create.inbound")),
                outbound=bool(get("create.outbound")),
                name=auto_name(str(get("create.auto_name")), str(get("ui.language"))),
            ),
            lookup=LookupPolicy(
                region=region,
                last_digits=int(get("match.last_digits")),  # type: ignore[arg-type]
                multiple=MultipleRule(str(get("match.multiple"))),
                module_priority=tuple(get("match.module_priority")),  # type: ignore[arg-type]
                always_query_crm=bool(get("match.always_query_crm")),
            ),
            log=replace(log, enabled=log.enabled and not phonebridge),
            sync=sync,
            manual_binding=dict(binding) if isinstance(binding, dict) else {},
            phonebridge=phonebridge,
            retention_days=int(get("store.retention_days")),  # type: ignore[arg-type]
        )


def auto_name(choice: str, language: str) -> str:
    """The auto-created record name: the manuals' text, or in the interface language (`auto`: the system's)."""
    if choice == "manual":
        return AUTO_NAME
    chinese = language_of(language) == "zh_CN" if language == "auto" else language.startswith("zh")
    return AUTO_NAMES["zh"] if chinese else AUTO_NAME
