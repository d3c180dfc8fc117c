"""HTTP(S) transport to the PBX Open API: TLS, User-Agent, the JSON envelope and connection errors."""

from __future__ import annotations

import logging
import ssl
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from linkus_companion import USER_AGENT, redaction
from linkus_companion.net_cause import Cause, cause_of, certificate_why, why
from linkus_companion.pbx.errors import PbxError, PbxInvalidRequest, PbxTlsError, PbxUnavailable
from linkus_companion.pbx.tls import client_context
from linkus_companion.texts import Text
from linkus_companion.trust import verified_context

log = logging.getLogger(__name__)

API_PATH = "/openapi/v1.0"


class Transport:
    """Sends Open API requests to one PBX and turns transport failures into `PbxError`s."""

    def __init__(
        self,
        base_url: str,
        *,
        ca_file: Path | None = None,
        fingerprint: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(Text("the PBX address must look like https://pbx.example.com:8088"))
        self.base_url = base_url.rstrip("/")
        self.host = parts.netloc
        self.ssl_context: ssl.SSLContext | None = (
            client_context(ca_file, fingerprint) if parts.scheme == "https" else None
        )
        self._http = httpx.AsyncClient(
            headers={"User-Agent": USER_AGENT},
            timeout=timeout,
            verify=self.ssl_context or verified_context(),
        )
        redaction.install()

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._http.aclose()

    async def send(
        self,
        method: str,
        endpoint: str,
        params: Mapping[str, str | int],
        body: Mapping[str, Any] | None,
    ) -> Mapping[str, Any]:
        """One request to `{base_url}/openapi/v1.0/{endpoint}`; the decoded `{errcode, ...}` reply."""
        url = f"{self.base_url}{API_PATH}/{endpoint}"
        try:
            response = await self._http.request(method, url, params=params, json=body)
        except (
            httpx.InvalidURL
        ) as err:  # e.g. a recording named after a caller id thousands of characters long
            log.warning("PBX %s %s not sent: %s", method, endpoint, err)
            raise PbxInvalidRequest(
                Text(
                    "The request to the PBX is too long to send ({endpoint}); retrying will not help.",
                    endpoint=endpoint,
                )
            ) from None
        except httpx.HTTPError as err:
            raise self.error(err) from None
        log.debug("PBX %s %s -> HTTP %s", method, endpoint, response.status_code)
        if response.status_code != 200:
            raise PbxUnavailable(
                Text(
                    "The PBX at {host} answered HTTP {status}; check that the address "
                    "and port are the PBX web interface and that the API is enabled.",
                    host=self.host,
                    status=response.status_code,
                )
            )
        try:
            reply = response.json()
        except ValueError:
            reply = None
        if not isinstance(reply, dict):
            raise PbxUnavailable(
                Text("The server at {host} does not speak the Yeastar Open API.", host=self.host)
            )
        return reply

    def error(self, err: Exception) -> PbxError:
        """The user-facing error for a failed connection, its cause in words (the exception only logged)."""
        cause = cause_of(err)
        log.info("PBX at %s unreachable: %s (%s)", self.host, type(err).__name__, cause.value)
        host = self.host
        if cause is Cause.CERTIFICATE:
            return PbxTlsError(
                Text(
                    "The certificate of the PBX at {host} could not be verified ({why}); set the PBX's"
                    " CA file or pin its certificate fingerprint in the connection settings.",
                    host=host,
                    why=certificate_why(err),
                )
            )
        if cause is Cause.TLS:
            return PbxTlsError(
                Text(
                    "The secure connection to the PBX at {host} failed; check that the port is the PBX's"
                    " HTTPS web port (or use http:// for a plain HTTP port).",
                    host=host,
                )
            )
        return PbxUnavailable(
            Text(
                "Cannot reach the PBX at {host}: {why}. {advice}",
                host=host,
                why=why(err),
                advice=_ADVICE.get(cause, _ADVICE[Cause.OTHER]),
            )
        )

    def stream(self, path: str, access_token: str) -> AbstractAsyncContextManager[httpx.Response]:
        """A streamed GET of `{base_url}{path}?access_token=` (recording files)."""
        return self._http.stream("GET", f"{self.base_url}{path}", params={"access_token": access_token})


_ADVICE = {
    Cause.ADDRESS: Text("Check the address and that this computer is on the network."),
    Cause.REFUSED: Text("Check the address and port, and that the PBX is running."),
    Cause.TIMEOUT: Text("Check that the PBX is running and that no firewall or VPN is in the way."),
    Cause.DROPPED: Text("Check that the port is the PBX web interface's, then try again."),
    Cause.OTHER: Text("Check the address, port and network."),
}
"""What to check when the PBX cannot be reached, by the cause found in the error's chain."""
