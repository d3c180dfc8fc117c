"""Typed PBX errors whose text is a sentence a user can act on (never a secret)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from linkus_companion.texts import Text


class PbxError(Exception):
    """A PBX request failed; `str(err)` says what to do, `errcode` is the PBX code (0 if none)."""

    retryable: bool = False

    def __init__(self, message: str, *, errcode: int = 0) -> None:
        super().__init__(message)
        self.errcode = errcode


class PbxUnavailable(PbxError):
    """The PBX could not be reached or answered with something other than the Open API."""

    retryable = True


class PbxTlsError(PbxError):
    """The PBX certificate did not verify against the CA file or the pinned fingerprint."""


class PbxAuthFailed(PbxError):
    """The Client ID or Client Secret is wrong; retrying would get this computer's IP blocked."""


class PbxIpBlocked(PbxError):
    """The PBX blocked this computer's IP address after failed logins."""


class PbxTokenLimit(PbxError):
    """The PBX refused a new token because the application already holds the maximum."""

    retryable = True


class PbxTokenExpired(PbxError):
    """The PBX rejected our access token even after a fresh login."""

    retryable = True


class PbxAccessDenied(PbxError):
    """The API application or this computer is not allowed to do this."""


class PbxNotFound(PbxError):
    """The requested object does not exist on the PBX."""


class PbxInvalidRequest(PbxError):
    """The PBX refused the data we sent; fix the input, retrying will not help."""


class PbxUnsupported(PbxError):
    """The PBX firmware does not offer this API."""


_MESSAGES: dict[int, tuple[type[PbxError], str]] = {
    -2: (PbxUnavailable, Text("The PBX reported an internal error; try again in a minute.")),
    10001: (PbxUnsupported, Text("The PBX does not offer this API; upgrade the PBX firmware.")),
    10002: (PbxUnsupported, Text("The PBX no longer maintains this API version; upgrade Linkus Companion.")),
    10003: (PbxUnsupported, Text("The PBX does not support this API version; upgrade the PBX firmware.")),
    10004: (
        PbxTokenExpired,
        Text(
            "The PBX keeps rejecting new API tokens; check the PBX clock and that the API is enabled "
            "at Integrations > API."
        ),
    ),
    10005: (
        PbxAccessDenied,
        Text("The PBX API application lacks permission for this; check Integrations > API."),
    ),
    40001: (PbxInvalidRequest, Text("The PBX could not read the request; please report this problem.")),
    40002: (PbxInvalidRequest, Text("The PBX refused a missing or invalid value.")),
    40003: (PbxInvalidRequest, Text("The PBX already has an entry with this value.")),
    40004: (PbxInvalidRequest, Text("The file is larger than the PBX accepts.")),
    60001: (PbxNotFound, Text("The PBX has no such entry; it may have been deleted.")),
    60002: (PbxInvalidRequest, Text("A PBX limit was reached; delete unused entries on the PBX first.")),
    70004: (
        PbxIpBlocked,
        Text(
            "The PBX has blocked this computer's IP address after failed logins; unblock it at "
            "Security > Security Rules > Blocked IPs."
        ),
    ),
    70084: (PbxAccessDenied, Text("The PBX does not allow this action.")),
    70087: (
        PbxAccessDenied,
        Text(
            "The PBX only accepts API requests from allowed IP addresses; add this computer's address "
            "at Integrations > API."
        ),
    ),
    70091: (
        PbxInvalidRequest,
        Text("The contact still belongs to a phonebook; remove it from the phonebook first."),
    ),
    70093: (PbxNotFound, Text("The PBX phonebook does not exist; it may have been deleted.")),
    70120: (PbxAccessDenied, Text("The PBX organisation is disabled; ask the PBX administrator.")),
}


def from_response(body: Mapping[str, Any], action: str) -> PbxError:
    """The typed error for a failed Open API response to `action` (e.g. `searching contacts`)."""
    code = body.get("errcode")
    errcode = code if isinstance(code, int) else 0
    errmsg = str(body.get("errmsg", ""))[:40]
    fallback = Text(
        "The PBX refused {action} (error {code} {said}).", action=action, code=errcode, said=errmsg
    )
    cls, message = _MESSAGES.get(errcode, (PbxError, fallback))
    detail = _detail(body)
    if detail:
        message = Text("{message} Fields concerned: {fields}.", message=message, fields=detail)
    return cls(message, errcode=errcode)


def _detail(body: Mapping[str, Any]) -> str:
    """The field names a 40002/40003 answer blames (values are left out: they may be personal data)."""
    fields: list[str] = []
    for item in body.get("invalid_param_list") or []:
        if isinstance(item, Mapping) and isinstance(item.get("field"), str):
            fields.append(item["field"])
    for item in body.get("duplicate_field_list") or []:
        if isinstance(item, str):
            fields.append(item)
    return ", ".join(fields[:5])
