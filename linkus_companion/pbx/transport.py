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
from linkus_companion.pbx.errors import PbxError, PbxTlsError, PbxUnavailable
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
        """The user-facing error for a failed connection (TLS, timeout, refused)."""
        cause: BaseException | None = err
        while cause is not None:
            if isinstance(cause, ssl.SSLCertVerificationError):
                why = redaction.redact(str(cause.args[-1] if cause.args else cause))[:120]
                return PbxTlsError(
                    Text(
                        "The certificate of the PBX at {host} could not be verified ({why}); set the PBX's"
                        " CA file or pin its certificate fingerprint in the connection settings.",
                        host=self.host,
                        why=why,
                    )
                )
            cause = cause.__cause__ or cause.__context__
        if isinstance(err, httpx.TimeoutException):
            return PbxUnavailable(
                Text("The PBX at {host} did not answer in time; check it is running.", host=self.host)
            )
        reason = redaction.redact(str(err))[:120] or type(err).__name__
        return PbxUnavailable(
            Text(
                "Cannot reach the PBX at {host} ({reason}); check the address, port and network.",
                host=self.host,
                reason=reason,
            )
        )

    def stream(self, path: str, access_token: str) -> AbstractAsyncContextManager[httpx.Response]:
        """A streamed GET of `{base_url}{path}?access_token=` (recording files)."""
        return self._http.stream("GET", f"{self.base_url}{path}", params={"access_token": access_token})
