"""What the command line and the browser's native host print, in the user's language (`ui.language`).

Commands follow the `ui.language` setting like the app; its default `auto` follows the system locale
(LC_ALL, LC_MESSAGES, LANG), as the auto-created record name does. Sentences are `texts.Text`, so
their Chinese comes from the app's own catalogue (`resources/translations`).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from functools import cache

from linkus_companion.paths import resource_dir
from linkus_companion.texts import language_of, translated

log = logging.getLogger(__name__)

Translate = Callable[[str, str], str]


@cache
def user_language() -> str:
    """`en` or `zh_CN`: the user's `ui.language` setting (`auto`, or unreadable settings: the system's)."""
    from linkus_companion.config.settings import Settings

    try:
        choice = str(Settings.open().get("ui.language"))
    except (OSError, ValueError) as exc:
        log.debug("settings unreadable, language from the system: %s", exc)
        choice = "auto"
    return language_of(choice)


@cache
def translator(language: str) -> Translate:
    """The catalogue of `language` (English: none; the Qt core loads only for another language)."""
    if language == "en":
        return lambda _context, source: source
    from PySide6.QtCore import QTranslator

    catalogue = QTranslator()
    if not catalogue.load(f"linkus_companion_{language}", str(resource_dir() / "translations")):
        log.warning("no %s translation in %s", language, resource_dir() / "translations")
    return lambda context, source: catalogue.translate(context, source) or source


def say(value: object, language: str | None = None) -> str:
    """`value` (a `Text`, or plain text) in `language` (default: the user's)."""
    return translated(value, translator(language or user_language()))


def tell(value: object, *, error: bool = False) -> None:
    """Print `value` in the user's language (to stderr with `error`)."""
    print(say(value), file=sys.stderr if error else sys.stdout)
