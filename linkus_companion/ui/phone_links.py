"""The `tel:`/`callto:` registration of the running app, offered by the first run and the settings."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QCoreApplication

from linkus_companion.backend import BackendError
from linkus_companion.os_cause import os_why
from linkus_companion.platform import url_handler
from linkus_companion.platform.launcher import app_command
from linkus_companion.ui.i18n import tr_text


def phone_link_handler() -> url_handler.UrlHandler | None:
    """This OS's `tel:`/`callto:` registration for the running app (None on macOS: the bundle declares it)."""
    return url_handler.pick(app_command())


async def register_phone_links(handler: url_handler.UrlHandler) -> bool:
    """Register `handler` off the UI thread (registry writes, xdg-mime); True when it is in place."""
    loop = asyncio.get_running_loop()
    try:
        await loop.run_in_executor(None, handler.register)
        return await loop.run_in_executor(None, handler.is_registered)
    except OSError as exc:
        raise BackendError(
            QCoreApplication.translate("SettingsDialog", "Could not register for phone links: %1").replace(
                "%1", tr_text(os_why(exc))
            )
        ) from exc
