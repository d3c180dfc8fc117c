"""Keep PBX tokens out of logs: redact `access_token=` values in text and in library log records."""

from __future__ import annotations

import logging
import re

_TOKEN_PARAM = re.compile(r"((?:access|refresh)_token=)[^&\s'\"]+")
_LIBRARY_LOGGERS = ("httpx", "websockets.client")
"""Loggers that print request URLs (which carry `access_token=`)."""


def redact(text: str) -> str:
    """`...?access_token=abc` -> `...?access_token=***`."""
    return _TOKEN_PARAM.sub(r"\1***", text)


class RedactTokens(logging.Filter):
    """Rewrites each record's message with tokens redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Render, redact and freeze the message; never drops a record."""
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = RedactTokens()


def install() -> None:
    """Attach the filter to the library loggers that log our request URLs (idempotent)."""
    for name in _LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
