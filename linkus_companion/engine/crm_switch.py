"""Disable, enable and disconnect the CRM integration, and its status (Connected / Disabled / Error)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from linkus_companion.config.schema import SCHEMA
from linkus_companion.config.settings import Settings
from linkus_companion.crm.base import CallLog, CrmError
from linkus_companion.crm.oauth import OAuthGrants
from linkus_companion.engine.call_log import CallLogger, LogPolicy
from linkus_companion.engine.contact_sync import ContactSync, SyncPolicy
from linkus_companion.engine.host import EngineHost
from linkus_companion.engine.outbox import JobKind
from linkus_companion.pbx.calls import Call, Party, Phase
from linkus_companion.pbx.errors import PbxError
from linkus_companion.pbx.models import CdrRecord
from linkus_companion.secrets import SecretStore
from linkus_companion.texts import text_of

if TYPE_CHECKING:
    from linkus_companion.engine.phonebridge_mode import PhoneBridgeMode

log = logging.getLogger(__name__)

CRM_SETTINGS = ("crm.", "binding", "create.", "calllog.", "sync.")
"""Settings of the CRM integration page that Disconnect clears (pop and matching settings stay)."""
_DISABLED_SINCE = "crm.disabled_since"
"""`meta` key: when the integration was disabled (calls from then until Enable are never logged)."""
_DRAIN_PATIENCE = 15.0


class CrmStatus(StrEnum):
    """The CRM connection as the manuals show it (values match `backend.CrmState`)."""

    NONE = "none"
    """Not connected: no CRM chosen or no sign-in stored."""
    CONNECTED = "connected"
    DISABLED = "disabled"
    ERROR = "error"


@dataclass(frozen=True)
class DisconnectReport:
    """What Disconnect did, for the settings page to tell the user."""

    revoked: bool
    """The CRM confirmed the sign-in was revoked (it is deleted here either way)."""
    undelivered: tuple[CallLog, ...]
    """Call logs that could not reach the CRM before disconnecting; they are dropped, not sent later."""
    cleared: tuple[str, ...]
    """Settings whose own values were removed."""
    contacts_error: str = ""
    """Why the synced PBX contacts could not all be handed over ("" when they were)."""


class CrmSwitch:
    """The one place the settings page and the gateway turn the CRM integration off and on.

    Disable keeps every setting and stops the engine host: no lookup, pop, record creation, call
    log or contact refresh reaches the CRM. As with Yeastar's own integration (and Zoho PhoneBridge,
    which never backfills), calls during Disable are not handled at all: Enable marks the calls the
    PBX recorded meanwhile as closed, so the CDR backfill does not log them later. Call logs queued
    before Disable are kept and delivered after Enable. Disconnect delivers what it can, revokes the
    sign-in, deletes it and the given keyring entries, hands synced contacts over to the PBX (they
    stay and become editable), drops undelivered call logs (reported) and clears the CRM settings.
    """

    def __init__(
        self,
        settings: Settings,
        grants: OAuthGrants,
        host: EngineHost,
        *,
        secrets: SecretStore | None = None,
        secret_names: Iterable[str] = (),
        phonebridge: PhoneBridgeMode | None = None,
    ) -> None:
        """`secret_names`: keyring entries besides the grant to delete on Disconnect (e.g. the client secret)."""
        self._settings = settings
        self._grants = grants
        self._host = host
        self._secrets = secrets or SecretStore()
        self._secret_names = tuple(secret_names)
        self._phonebridge = phonebridge
        self._running = False
        self._problem = ""

    @property
    def enabled(self) -> bool:
        """The `crm.enabled` setting."""
        return bool(self._settings.get("crm.enabled"))

    @property
    def status(self) -> CrmStatus:
        """Connected, Disabled, Error (see `problem`) or none."""
        if not self._settings.get("crm.kind") or not self._grants.connected():
            return CrmStatus.NONE
        if not self.enabled:
            return CrmStatus.DISABLED
        return CrmStatus.ERROR if self._problem else CrmStatus.CONNECTED

    @property
    def problem(self) -> str:
        """Why the status is Error, as a sentence for the user ("" otherwise)."""
        return self._problem

    async def start(self) -> None:
        """Start the engine host unless disabled or disconnected (call this instead of `host.start`).

        After Disconnect the host is never started again: build a new one once the user reconnects.
        """
        if self.enabled and self._grants.connected() and not self._running:
            await self._start_host()

    async def stop(self) -> None:
        """Stop the engine host (app exit); queued call logs stay for the next start."""
        if self._running:
            self._running = False
            await self._host.stop()

    async def check(self) -> CrmStatus:
        """Ask the CRM (one user-list request) whether the sign-in still works; Error with the reason if not."""
        if self.status in (CrmStatus.CONNECTED, CrmStatus.ERROR):
            try:
                await self._host.connector.list_users()
                self._problem = ""
            except CrmError as exc:
                self._problem = text_of(exc)
        return self.status

    async def disable(self) -> None:
        """Keep every setting and stop all CRM traffic until `enable()` (SettingLocked if an admin forbids)."""
        self._settings.set_user("crm.enabled", False)
        with self._host.store.transaction() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                (_DISABLED_SINCE, dt.datetime.now(dt.UTC).isoformat()),
            )
        await self.stop()
        log.info("CRM integration disabled")

    async def enable(self) -> None:
        """Resume the integration with the kept settings; calls made while disabled stay unlogged."""
        self._settings.set_user("crm.enabled", True)
        await self._close_disabled_calls()
        await self.start()
        log.info("CRM integration enabled")

    async def disconnect(self) -> DisconnectReport:
        """Leave the CRM: see the class docstring. Safe to call again after a failure."""
        await self.stop()
        if self._phonebridge is not None:
            try:
                await self._phonebridge.detach()
            except CrmError as exc:
                log.warning("could not turn Zoho PhoneBridge off before disconnecting: %s", exc)
        undelivered = await self._give_up_call_logs()
        contacts_error = await self._release_contacts()
        revoked = await self._grants.disconnect()
        for name in self._secret_names:
            self._secrets.delete(name)
        cleared = self._clear_settings()
        with self._host.store.transaction() as db:
            db.execute("DELETE FROM meta WHERE key = ?", (_DISABLED_SINCE,))
        self._problem = ""
        log.info("disconnected from the CRM; %d undelivered call log(s) dropped", len(undelivered))
        return DisconnectReport(revoked, undelivered, cleared, contacts_error)

    # --- internals ----------------------------------------------------------------------------

    async def _start_host(self) -> None:
        self._running = True  # a half-started host is stopped by `stop()` too
        try:
            await self._host.start()
        except CrmError as exc:
            self._problem = text_of(exc)
            raise
        self._problem = ""

    async def _close_disabled_calls(self) -> None:
        """Close the calls the PBX recorded while disabled, unlogged, so no backfill logs them later."""
        with self._host.store.transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (_DISABLED_SINCE,)).fetchone()
        if row is None:
            return
        pbx = self._host.pbx
        try:
            ours = {extension.number for extension in await pbx.list_extensions()}
            records = await pbx.search_cdr(dt.datetime.fromisoformat(row[0]), dt.datetime.now(dt.UTC))
        except PbxError as exc:
            log.warning("could not read the calls made while the CRM was disabled: %s", exc)
            return
        closer = CallLogger(self._host.store, LogPolicy(enabled=False), lambda _extension: None)
        for record in records:
            closer.call_ended(_unhandled(record, ours), None)
        with self._host.store.transaction() as db:
            db.execute("DELETE FROM meta WHERE key = ?", (_DISABLED_SINCE,))

    async def _give_up_call_logs(self) -> tuple[CallLog, ...]:
        """Deliver what the CRM still takes (briefly), then drop and return the rest."""
        outbox = self._host.outbox
        if outbox.pending() and self._grants.connected():
            outbox.retry_now()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(outbox.drain(), _DRAIN_PATIENCE)
        left = tuple(job.log for job in outbox.pending() if job.kind is JobKind.LOG)
        with self._host.store.transaction() as db:
            db.execute("DELETE FROM outbox WHERE delivered_at IS NULL")
        return left

    async def _release_contacts(self) -> str:
        # ContactSync.disconnect() works from the store alone; the policy only matters for syncing.
        host = self._host
        sync = host.sync or ContactSync(host.pbx, host.connector, host.store, SyncPolicy("released"))
        try:
            await sync.disconnect()
        except PbxError as exc:
            log.warning("could not hand the synced contacts over to the PBX: %s", exc)
            return text_of(exc)
        return ""

    def _clear_settings(self) -> tuple[str, ...]:
        cleared = []
        for key in _crm_keys():
            if self._settings.effective(key).source == "user":
                self._settings.unset_user(key)
                cleared.append(key)
        return tuple(cleared)


def _crm_keys() -> list[str]:
    return [key for key in SCHEMA if key.startswith(CRM_SETTINGS)]


def _unhandled(record: CdrRecord, ours: set[str]) -> Call:
    """A call from the CDR, as far as closing it for our extensions needs."""
    return Call(
        call_id=record.uid,
        direction=record.direction,
        phase=Phase.ENDED,
        caller=Party(record.call_from),
        callee=Party(record.call_to),
        extensions=tuple(n for n in dict.fromkeys((record.call_from, record.call_to)) if n in ours),
        rang=frozenset(),
        talked=(),
        answered_by="",
        started_at=record.started_at,
        ended_at=record.ended_at,
        outcome=record.outcome,
        recovered=True,
    )
