"""Doctor checks of the PBX link: reachability, TLS trust, API token, firmware, extensions, event subscription."""

from __future__ import annotations

import asyncio
import contextlib

from linkus_companion.admin.findings import Finding, ok, problem
from linkus_companion.config.settings import Settings
from linkus_companion.pbx.client import PbxClient
from linkus_companion.pbx.errors import PbxAuthFailed, PbxError, PbxIpBlocked, PbxTlsError, PbxUnavailable
from linkus_companion.pbx.events import EventStream, StreamState, StreamStatus
from linkus_companion.runtime import NotConfigured, pbx_client
from linkus_companion.secrets import SecretStore, SecretStoreUnavailable

AREA = "pbx"
SUBSCRIBE_WITHIN = 15.0
"""Seconds the event WebSocket may take to subscribe."""


async def pbx_findings(settings: Settings, store: SecretStore) -> list[Finding]:
    """Every PBX check, stopping at the first one the others depend on."""
    try:
        client = pbx_client(settings, store)
    except (NotConfigured, SecretStoreUnavailable) as exc:
        return [problem(AREA, str(exc))]
    try:
        return await _checks(client, settings, client.base_url, _trust(settings))
    finally:
        with contextlib.suppress(PbxError, OSError):
            await client.close()


def _trust(settings: Settings) -> str:
    """What the PBX certificate is checked against, in words."""
    if settings.get("pbx.cert_fingerprint"):
        return "the pinned fingerprint"
    ca_file = settings.get("pbx.ca_file")
    return f"the CA file {ca_file}" if ca_file else "the system's trust store"


async def _checks(client: PbxClient, settings: Settings, url: str, trust: str) -> list[Finding]:
    try:
        info = await client.system_information()
    except PbxTlsError as exc:
        return [
            problem(
                AREA, f"TLS: {exc} Set pbx.ca_file to the CA that signed it, or pin pbx.cert_fingerprint."
            )
        ]
    except (PbxAuthFailed, PbxIpBlocked) as exc:
        return [ok(AREA, f"{url} answers; TLS verified with {trust}"), problem(AREA, f"token: {exc}")]
    except PbxUnavailable as exc:
        return [problem(AREA, f"{url} is unreachable: {exc}")]
    except PbxError as exc:
        return [problem(AREA, f"{url}: {exc}")]
    findings = [
        ok(AREA, f"{url} answers ({info.model_name or 'PBX'} {info.device_name}); TLS verified with {trust}"),
        ok(AREA, "API token issued for the Client ID"),
        problem(AREA, info.firmware_warning)
        if info.firmware_warning
        else ok(AREA, f"firmware {info.firmware} is supported"),
    ]
    findings += await _extensions(client, settings)
    findings.append(await _subscription(client))
    return findings


async def _extensions(client: PbxClient, settings: Settings) -> list[Finding]:
    wanted = settings.get("pbx.extensions")
    assert isinstance(wanted, tuple)
    if not wanted:
        return [problem(AREA, "no extension set (pbx.extensions); set the user's extension number")]
    try:
        known = {extension.number for extension in await client.list_extensions()}
    except PbxError as exc:
        return [problem(AREA, f"cannot list extensions: {exc}")]
    missing = [number for number in wanted if number not in known]
    if missing:
        return [
            problem(AREA, f"extension(s) {', '.join(missing)} do not exist on the PBX; fix pbx.extensions")
        ]
    return [ok(AREA, f"extension(s) {', '.join(wanted)} exist")]


async def _subscription(client: PbxClient) -> Finding:
    settled: asyncio.Future[StreamStatus] = asyncio.get_running_loop().create_future()

    def on_status(status: StreamStatus) -> None:
        if status.state in (StreamState.CONNECTED, StreamState.ERROR) and not settled.done():
            settled.set_result(status)

    stream = EventStream(client, on_status=on_status, backoff_max=2.0)
    stream.start()
    try:
        status = await asyncio.wait_for(settled, SUBSCRIBE_WITHIN)
    except TimeoutError:
        reason = stream.status.reason or "no answer"
        return problem(
            AREA,
            f"event WebSocket not subscribed within {SUBSCRIBE_WITHIN:.0f} s ({reason}); check firewalls and proxies",
        )
    finally:
        await stream.close()
    if status.state is StreamState.ERROR:
        return problem(AREA, f"event WebSocket: {status.reason}")
    return ok(AREA, "event WebSocket subscribed")
