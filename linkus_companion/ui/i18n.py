"""Interface language: English (source texts) or Simplified Chinese from `resources/translations`."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from linkus_companion.texts import translated
from linkus_companion.ui.resources import translations_dir

log = logging.getLogger(__name__)

LANGUAGES = ("en", "zh_CN")
"""Languages we ship; English is the source language and needs no file."""
CATALOG = "linkus_companion"
"""Our catalogue: `linkus_companion_<lang>.qm`."""


def tr_text(value: object) -> str:
    """A sentence from the core (a `texts.Text`, or plain text) in the interface language."""
    return translated(value, QCoreApplication.translate)


def resolve(choice: str, system: QLocale | None = None) -> str:
    """The language for setting `ui.language` (`auto` follows the system locale)."""
    if choice in LANGUAGES:
        return choice
    locale = system or QLocale.system()
    return "zh_CN" if locale.language() == QLocale.Language.Chinese else "en"


class Translations:
    """The translators installed on the application; `apply` swaps them (widgets get LanguageChange)."""

    def __init__(self, app: QCoreApplication) -> None:
        self._app = app
        self._installed: list[QTranslator] = []
        self.language = "en"

    def apply(self, choice: str) -> str:
        """Switch to the language for `choice`; returns the language now in use."""
        language = resolve(choice)
        for translator in self._installed:
            self._app.removeTranslator(translator)
            translator.deleteLater()  # each switch loads new ones: the old catalogues go
        self._installed = []
        if language != "en":
            self._load(CATALOG, str(translations_dir()), language)
            self._load("qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath), language)
        self.language = language
        return language

    def _load(self, catalog: str, directory: str, language: str) -> None:
        translator = QTranslator(self._app)
        if translator.load(f"{catalog}_{language}", directory):
            self._app.installTranslator(translator)
            self._installed.append(translator)
        else:
            translator.deleteLater()
            log.warning("no %s translation for %s in %s", catalog, language, directory)
