"""Structured logs for the gateway: one JSON object per line on stderr (journald, containers), secrets redacted."""

from __future__ import annotations

import json
import logging
import sys

from linkus_companion.redaction import redact


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message"[, "error"]}`, every value redacted."""

    def format(self, record: logging.LogRecord) -> str:
        """The redacted JSON line."""
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            entry["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


_HANDLER_NAME = "linkus-gateway-json"


def setup(level: int = logging.INFO) -> None:
    """Send every log record to stderr as JSON lines (calling it again replaces the handler)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.set_name(_HANDLER_NAME)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
