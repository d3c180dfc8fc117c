"""Logging for the app and gateway: rotating files in the log dir, secrets redacted, crashes reported."""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from linkus_companion import APP_ID, paths
from linkus_companion.redaction import redact
from linkus_companion.texts import Text

log = logging.getLogger(__name__)

MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_HANDLER_NAME = f"{APP_ID}-redacting"


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then redacts the whole text: message, arguments and traceback alike."""

    def format(self, record: logging.LogRecord) -> str:
        """The redacted log line."""
        return redact(super().format(record))


def setup(
    log_dir: Path | None = None, level: int = logging.INFO, console: bool = False, name: str = APP_ID
) -> Path:
    """Log to `<log dir>/<name>.log` (rotating) and optionally stderr; returns the log file.

    Calling it again replaces the handlers it installed before.
    """
    log_file = (log_dir or paths.log_dir()) / f"{name}.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handlers: list[logging.Handler] = [
        logging.handlers.RotatingFileHandler(
            log_file, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
        )
    ]
    if console:
        handlers.append(logging.StreamHandler(sys.stderr))
    root = logging.getLogger()
    _remove_ours(root)
    for handler in handlers:
        handler.setFormatter(RedactingFormatter(FORMAT))
        handler.set_name(_HANDLER_NAME)
        root.addHandler(handler)
    root.setLevel(level)
    return log_file


def _remove_ours(root: logging.Logger) -> None:
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
            handler.close()


Notify = Callable[[str], None]
"""Tells the user something went wrong (a dialog or tray message); called with a short sentence."""


class CrashReporter:
    """Logs uncaught exceptions (main thread, other threads, asyncio callbacks) and tells the user."""

    def __init__(self, notify: Notify, log_file: Path) -> None:
        self._notify = notify
        self._log_file = log_file

    def install(self) -> None:
        """Become `sys.excepthook` and `threading.excepthook` (asyncSlot errors also land here)."""
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook

    def excepthook(self, kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        """Log the exception and tell the user; Ctrl+C keeps Python's default behaviour."""
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        log.critical("Uncaught exception", exc_info=(kind, error, tb))
        self._tell(error)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        """`threading.excepthook`: the same, for exceptions that end a thread."""
        if args.exc_value is not None:
            self.excepthook(args.exc_type, args.exc_value, args.exc_traceback)

    def asyncio_handler(self, loop: object, context: dict[str, object]) -> None:
        """`loop.set_exception_handler`: a task or callback failed and nobody awaited it."""
        error = context.get("exception")
        if isinstance(error, BaseException):
            self.excepthook(type(error), error, error.__traceback__)
        else:
            log.error("Asyncio error: %s", context.get("message"))

    def _tell(self, error: BaseException) -> None:
        try:
            self._notify(
                Text(
                    "Linkus Companion hit an unexpected error; the details are in {path}. Restart it if"
                    " something no longer works, and report the problem with that file.",
                    path=str(self._log_file),
                )
            )
        except Exception:
            log.exception("Could not tell the user about an error")


def open_logs_folder(opener: Callable[[Path], object] | None = None) -> Path:
    """Create the log dir and open it in the file manager (QDesktopServices unless `opener`); returns it."""
    folder = paths.log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    if opener is None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
    else:
        opener(folder)
    return folder
