"""Keep secrets out of logs, files and messages: one redactor for text and URLs, and a library-logger filter."""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
_SENSITIVE_NAMES = (
    r"access_token|refresh_token|id_token|token|client_secret|secret|password|passwd|api_key|apikey"
    r"|code|code_verifier|assertion|session_id|sessionid"
)
_PATTERNS = (
    # Authorization: Bearer x / Zoho-oauthtoken x / Basic x (header lines and header dicts)
    re.compile(r"(?i)(\bauthorization['\"]?\s*[:=]\s*['\"]?)[^'\"\r\n,}]+"),
    # key=value in URLs, form bodies and log text; key='value' in dataclass reprs
    re.compile(rf"(?i)((?<![A-Za-z0-9_])(?:{_SENSITIVE_NAMES})=['\"]?)[^&\s'\",;)]+"),
    # "key": "value" in JSON and 'key': 'value' in Python reprs
    re.compile(rf"(?i)(['\"](?:{_SENSITIVE_NAMES})['\"]\s*:\s*['\"])[^'\"]*"),
    # credentials named on their own: Bearer x, Zoho-oauthtoken x
    re.compile(r"(?i)(\b(?:bearer|zoho-oauthtoken)\s+)[A-Za-z0-9._~+/=-]+"),
    # the password in a URL's user info: postgresql://user:password@host
    re.compile(r"(://[^/\s:@]+:)[^@/\s]+(?=@)"),
    # token path segments: HubSpot's /oauth/v1/access-tokens/{token}
    re.compile(r"(/(?:access|refresh)-tokens/)[^/?#\s'\"]+"),
    # JWTs, HubSpot private-app tokens, Zoho tokens, Salesforce session ids, wherever they appear
    re.compile(r"()\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"),
    re.compile(r"()\bpat-[a-z]{2,3}\d-[0-9a-f-]{36}\b"),
    re.compile(r"()\b1000\.[0-9a-f]{32}\.[0-9a-f]{32}\b"),
    re.compile(r"()\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._-]+"),
)
_SECRET_PARAM = re.compile(r"token|secret|password|code|assertion|verifier", re.IGNORECASE)
_LIBRARY_LOGGERS = ("httpx", "websockets.client")
"""Loggers of the libraries that print request URLs (which may carry tokens)."""


class Redactor:
    """Masks secrets in text: by the shapes above and by the exact values registered with add()."""

    def __init__(self) -> None:
        self._values: set[str] = set()

    def add(self, secret: str) -> None:
        """Mask this exact value from now on (a PBX client secret read from the keyring, say)."""
        if len(secret) >= 4:
            self._values.add(secret)

    def __call__(self, text: str, *secrets: str) -> str:
        """`text` with every secret, registered or given here, replaced by `***`."""
        for value in sorted(self._values.union(s for s in secrets if s), key=len, reverse=True):
            text = text.replace(value, MASK)
        for pattern in _PATTERNS:
            text = pattern.sub(rf"\g<1>{MASK}", text)
        return text

    def url(self, url: object, *secrets: str) -> str:
        """`url` with token-like query values masked too (`code=`, `client_secret=`...), then redacted."""
        parts = urlsplit(str(url))
        query = [(k, MASK if _SECRET_PARAM.search(k) else v) for k, v in parse_qsl(parts.query, True)]
        return self(urlunsplit(parts._replace(query=urlencode(query, safe="*"))), *secrets)


redact = Redactor()
"""The process-wide redactor: log handlers, library loggers and error messages all use it."""


class RedactingFilter(logging.Filter):
    """Renders each record's message with secrets masked; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the message and its arguments."""
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = RedactingFilter()


def install() -> None:
    """Attach the filter to the library loggers that log request URLs (idempotent)."""
    for name in _LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
