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
from linkus_companion.texts import Text, text_of

AREA = "pbx"
SUBSCRIBE_WITHIN = 15.0
"""Seconds the event WebSocket may take to subscribe."""


async def pbx_findings(settings: Settings, store: SecretStore) -> list[Finding]:
    """Every PBX check, stopping at the first one the others depend on."""
    try:
        client = pbx_client(settings, store)
    except (NotConfigured, SecretStoreUnavailable) as exc:
        return [problem(AREA, text_of(exc))]
    try:
        return await _checks(client, settings, client.base_url, _trust(settings))
    finally:
        with contextlib.suppress(PbxError, OSError):
            await client.close()


def _trust(settings: Settings) -> str:
    """What the PBX certificate is checked against, in words."""
    if settings.get("pbx.cert_fingerprint"):
        return Text("the pinned fingerprint")
    ca_file = settings.get("pbx.ca_file")
    return Text("the CA file {path}", path=str(ca_file)) if ca_file else Text("the system's trust store")


async def _checks(client: PbxClient, settings: Settings, url: str, trust: str) -> list[Finding]:
    try:
        info = await client.system_information()
    except PbxTlsError as exc:
        return [
            problem(
                AREA,
                Text(
                    "TLS: {why} Set pbx.ca_file to the CA that signed it, or pin pbx.cert_fingerprint.",
                    why=text_of(exc),
                ),
            )
        ]
    except (PbxAuthFailed, PbxIpBlocked) as exc:
        return [
            ok(AREA, Text("{url} answers; TLS verified with {trust}", url=url, trust=trust)),
            problem(AREA, Text("token: {why}", why=text_of(exc))),
        ]
    except PbxUnavailable as exc:
        return [problem(AREA, Text("{url} is unreachable: {why}", url=url, why=text_of(exc)))]
    except PbxError as exc:
        return [problem(AREA, Text("{url}: {why}", url=url, why=text_of(exc)))]
    findings = [
        ok(
            AREA,
            Text(
                "{url} answers ({model} {device}); TLS verified with {trust}",
                url=url,
                model=info.model_name or "PBX",
                device=info.device_name,
                trust=trust,
            ),
        ),
        ok(AREA, Text("API token issued for the Client ID")),
        problem(AREA, info.firmware_warning)
        if info.firmware_warning
        else ok(AREA, Text("firmware {firmware} is supported", firmware=info.firmware)),
    ]
    findings += await _extensions(client, settings)
    findings.append(await _subscription(client))
    return findings


async def _extensions(client: PbxClient, settings: Settings) -> list[Finding]:
    wanted = settings.get("pbx.extensions")
    assert isinstance(wanted, tuple)
    if not wanted:
        return [problem(AREA, Text("no extension set (pbx.extensions); set the user's extension number"))]
    try:
        known = {extension.number for extension in await client.list_extensions()}
    except PbxError as exc:
        return [problem(AREA, Text("cannot list extensions: {why}", why=text_of(exc)))]
    missing = [number for number in wanted if number not in known]
    if missing:
        return [
            problem(
                AREA,
                Text(
                    "extension(s) {missing} do not exist on the PBX; fix pbx.extensions",
                    missing=", ".join(missing),
                ),
            )
        ]
    return [ok(AREA, Text("extension(s) {numbers} exist", numbers=", ".join(wanted)))]


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
        reason = stream.status.reason or Text("no answer")
        return problem(
            AREA,
            Text(
                "event WebSocket not subscribed within {seconds} s ({why}); check firewalls and proxies",
                seconds=round(SUBSCRIBE_WITHIN),
                why=reason,
            ),
        )
    finally:
        await stream.close()
    if status.state is StreamState.ERROR:
        return problem(AREA, Text("event WebSocket: {why}", why=status.reason))
    return ok(AREA, Text("event WebSocket subscribed"))
