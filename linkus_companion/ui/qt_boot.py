"""Loads PySide6 for the desktop app without its import hook keeping every module's source in memory.

PySide6 replaces `__import__` and, for each module imported after it, reads the module's source to see
whether it uses PySide6 (`from __feature__ import ...` switching). It reads through `inspect.getsource`,
which keeps every line of every such module in `linecache`: about 14 MB for this app, a fifth of a bare
PySide6 process. The same test is made here on source read without caching. Import this first.
"""

from __future__ import annotations

import sys
from types import ModuleType

import PySide6.QtCore  # noqa: F401 - loads shiboken's import hook and its `feature` module

_FEATURE = "PySide6.support.feature"


def uses_pyside(module: ModuleType) -> bool:
    """PySide6's own test, whether "PySide6" is in the module's source, reading it uncached."""
    get_source = getattr(getattr(module, "__loader__", None), "get_source", None)
    if get_source is None:
        return False
    try:
        source = get_source(module.__name__)
    except Exception:  # any loader's failure means "no source": PySide6 answers False then too
        return False
    return isinstance(source, str) and "PySide6" in source


def install() -> bool:
    """Put `uses_pyside` in place of PySide6's test; False when this PySide6 has none to replace."""
    feature = sys.modules.get(_FEATURE)
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]
    return True


install()
