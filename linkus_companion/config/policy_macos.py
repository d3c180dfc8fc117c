"""macOS managed preferences source: forced values (configuration profiles) are locked, others recommended."""

from __future__ import annotations

import getpass
import plistlib
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from linkus_companion.config.schema import SCHEMA
from linkus_companion.config.sources import Layer, PolicySource, Problem, Reading
from linkus_companion.os_cause import os_why
from linkus_companion.platform.launcher import BUNDLE_ID
from linkus_companion.texts import Text

MANAGED_DIR = Path("/Library/Managed Preferences")
"""Where macOS materialises configuration profiles (per computer, and per user in a subfolder)."""


class Preferences(Protocol):
    """The CFPreferences calls for one application id."""

    def keys(self) -> Iterable[str]:
        """Names that may carry a value: the schema's keys and any key a managed profile sets."""
        ...

    def value(self, key: str) -> object | None:
        """`CFPreferencesCopyAppValue` as Python data (bool, int, float, str, list, dict), or None."""
        ...

    def forced(self, key: str) -> bool:
        """`CFPreferencesAppValueIsForced`: a configuration profile enforces this key."""
        ...


class MacPolicySource:
    """Forced keys (LOCKED layer) or the unforced ones (RECOMMENDED layer) of the app's preferences."""

    def __init__(self, preferences: Preferences, layer: Layer, bundle_id: str = BUNDLE_ID) -> None:
        self.layer = layer
        self._preferences = preferences
        kind = "managed preferences" if layer is Layer.LOCKED else "preferences"
        self.name = f"macOS {kind} ({bundle_id})"

    def read(self) -> Reading:
        reading = Reading()
        want_forced = self.layer is Layer.LOCKED
        try:
            for key in dict.fromkeys(self._preferences.keys()):
                value = self._preferences.value(key)
                if value is not None and self._preferences.forced(key) == want_forced:
                    reading.values[key] = (value, self.name)
        except OSError as exc:
            reading.problems.append(
                Problem(self.name, Text("cannot read the preferences ({why})", why=os_why(exc)))
            )
        return reading


def mac_sources(preferences: Preferences) -> list[PolicySource]:
    """The locked and the recommended view of the same preferences."""
    return [MacPolicySource(preferences, Layer.LOCKED), MacPolicySource(preferences, Layer.RECOMMENDED)]


def managed_plist_keys(bundle_id: str = BUNDLE_ID, root: Path = MANAGED_DIR) -> list[str]:
    """Keys in the computer's and this user's managed plist files (unreadable files count as empty)."""
    keys: list[str] = []
    for path in (root / f"{bundle_id}.plist", root / getpass.getuser() / f"{bundle_id}.plist"):
        try:
            data = plistlib.loads(path.read_bytes())
        except (OSError, plistlib.InvalidFileException, ValueError):
            continue
        if isinstance(data, dict):
            keys += [key for key in data if isinstance(key, str)]
    return keys


if sys.platform == "darwin":
    import ctypes
    import ctypes.util

    _CF = ctypes.CDLL(ctypes.util.find_library("CoreFoundation"))
    _UTF8 = 0x08000100
    _SINT64 = 4
    _ref = ctypes.c_void_p
    for _name, _res, _args in (
        ("CFStringCreateWithCString", _ref, [_ref, ctypes.c_char_p, ctypes.c_uint32]),
        ("CFPreferencesCopyAppValue", _ref, [_ref, _ref]),
        ("CFPreferencesAppValueIsForced", ctypes.c_ubyte, [_ref, _ref]),
        ("CFPreferencesAppSynchronize", ctypes.c_ubyte, [_ref]),
        ("CFRelease", None, [_ref]),
        ("CFGetTypeID", ctypes.c_ulong, [_ref]),
        ("CFStringGetTypeID", ctypes.c_ulong, []),
        ("CFNumberGetTypeID", ctypes.c_ulong, []),
        ("CFBooleanGetTypeID", ctypes.c_ulong, []),
        ("CFArrayGetTypeID", ctypes.c_ulong, []),
        ("CFDictionaryGetTypeID", ctypes.c_ulong, []),
        ("CFStringGetLength", ctypes.c_long, [_ref]),
        ("CFStringGetMaximumSizeForEncoding", ctypes.c_long, [ctypes.c_long, ctypes.c_uint32]),
        ("CFStringGetCString", ctypes.c_ubyte, [_ref, ctypes.c_char_p, ctypes.c_long, ctypes.c_uint32]),
        ("CFNumberIsFloatType", ctypes.c_ubyte, [_ref]),
        ("CFNumberGetValue", ctypes.c_ubyte, [_ref, ctypes.c_int, _ref]),
        ("CFBooleanGetValue", ctypes.c_ubyte, [_ref]),
        ("CFArrayGetCount", ctypes.c_long, [_ref]),
        ("CFArrayGetValueAtIndex", _ref, [_ref, ctypes.c_long]),
        ("CFDictionaryGetCount", ctypes.c_long, [_ref]),
        ("CFDictionaryGetKeysAndValues", None, [_ref, _ref, _ref]),
    ):
        _func = getattr(_CF, _name)
        _func.restype = _res
        _func.argtypes = _args

    def _cfstring(text: str) -> int:
        ref: int | None = _CF.CFStringCreateWithCString(None, text.encode("utf-8"), _UTF8)
        if not ref:
            raise OSError(f"CoreFoundation could not make a string of {text!r}")
        return ref

    def _text(ref: int) -> str:
        size = _CF.CFStringGetMaximumSizeForEncoding(_CF.CFStringGetLength(ref), _UTF8) + 1
        buffer = ctypes.create_string_buffer(size)
        if not _CF.CFStringGetCString(ref, buffer, size, _UTF8):
            raise OSError("CoreFoundation could not convert a string")
        return buffer.value.decode("utf-8")

    def _python(ref: int) -> object:
        """A CoreFoundation property-list object as Python data (unknown types as None)."""
        type_id = _CF.CFGetTypeID(ref)
        if type_id == _CF.CFStringGetTypeID():
            return _text(ref)
        if type_id == _CF.CFBooleanGetTypeID():
            return bool(_CF.CFBooleanGetValue(ref))
        if type_id == _CF.CFNumberGetTypeID():
            if _CF.CFNumberIsFloatType(ref):
                real = ctypes.c_double()
                _CF.CFNumberGetValue(ref, 6, ctypes.byref(real))  # kCFNumberFloat64Type
                return real.value
            number = ctypes.c_int64()
            _CF.CFNumberGetValue(ref, _SINT64, ctypes.byref(number))
            return number.value
        if type_id == _CF.CFArrayGetTypeID():
            return [_python(_CF.CFArrayGetValueAtIndex(ref, i)) for i in range(_CF.CFArrayGetCount(ref))]
        if type_id == _CF.CFDictionaryGetTypeID():
            count = _CF.CFDictionaryGetCount(ref)
            keys, values = (_ref * count)(), (_ref * count)()
            _CF.CFDictionaryGetKeysAndValues(ref, ctypes.cast(keys, _ref), ctypes.cast(values, _ref))
            return {str(_python(k)): _python(v) for k, v in zip(keys, values, strict=True)}
        return None

    class CoreFoundationPreferences:
        """The real CFPreferences of `bundle_id`, called through ctypes."""

        def __init__(self, bundle_id: str = BUNDLE_ID) -> None:
            self._bundle_id = bundle_id
            self._app = _cfstring(bundle_id)
            _CF.CFPreferencesAppSynchronize(self._app)

        def keys(self) -> Iterable[str]:
            """Schema keys plus the keys of the managed plist files."""
            return [*SCHEMA, *managed_plist_keys(self._bundle_id)]

        def value(self, key: str) -> object | None:
            """The merged value (managed, user, defaults) as Python data."""
            name = _cfstring(key)
            try:
                ref = _CF.CFPreferencesCopyAppValue(name, self._app)
                if not ref:
                    return None
                try:
                    return _python(ref)
                finally:
                    _CF.CFRelease(ref)
            finally:
                _CF.CFRelease(name)

        def forced(self, key: str) -> bool:
            """Whether a profile forces `key`."""
            name = _cfstring(key)
            try:
                return bool(_CF.CFPreferencesAppValueIsForced(name, self._app))
            finally:
                _CF.CFRelease(name)
