"""Keep tokens out of logs and messages: one redaction for URLs and text, and a filter for library loggers."""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
_SECRET_PARAM = re.compile(r"token|secret|password|code|assertion|verifier", re.IGNORECASE)
_TOKEN_IN_TEXT = re.compile(
    r"(?i)((?:access_token|refresh_token|client_secret|code|code_verifier)=)[^&\s'\"]+"
)
_TOKEN_IN_PATH = re.compile(r"(/(?:access|refresh)-tokens/)[^/?#\s'\"]+")
_LIBRARY_LOGGERS = ("httpx", "websockets.client")
"""Loggers of the libraries that print request URLs (which may carry tokens)."""


def redact_url(url: object, secrets: tuple[str, ...] = ()) -> str:
    """`url` with token-like query values, token path segments and `secrets` replaced by `***`."""
    parts = urlsplit(str(url))
    query = [(k, MASK if _SECRET_PARAM.search(k) else v) for k, v in parse_qsl(parts.query, True)]
    path = _TOKEN_IN_PATH.sub(rf"\1{MASK}", parts.path)
    return redact_text(urlunsplit(parts._replace(path=path, query=urlencode(query, safe="*"))), secrets)


def redact_text(text: str, secrets: tuple[str, ...] = ()) -> str:
    """`text` with `access_token=...`-style values, token path segments and `secrets` masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    text = _TOKEN_IN_PATH.sub(rf"\1{MASK}", text)
    return _TOKEN_IN_TEXT.sub(rf"\1{MASK}", text)


class RedactingFilter(logging.Filter):
    """Renders each record's message with tokens masked; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the message and its arguments."""
        message = record.getMessage()
        cleaned = redact_text(message)
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
