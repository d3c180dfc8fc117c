"""Effective settings: defaults < admin recommended < user < admin locked, with change callbacks."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

from linkus_companion import paths
from linkus_companion.config.errors import SettingLocked, SettingsError, shown
from linkus_companion.config.schema import SCHEMA, setting
from linkus_companion.config.setting import Value, to_json
from linkus_companion.config.sources import Layer, PolicySource, Problem
from linkus_companion.config.userfile import UserFile
from linkus_companion.os_cause import os_why
from linkus_companion.texts import Text, text_of

log = logging.getLogger(__name__)

_SECRET_WORDS = ("secret", "password", "token")


class Effective(NamedTuple):
    """A setting's value now, which layer gave it, and whether an admin locked it."""

    value: Value
    source: str
    """`default`, `recommended`, `user` or `locked`."""
    locked: bool
    policy_name: str | None
    """The admin policy that set it (a file path, a registry key...); None for default and user."""


Listener = Callable[[str, Effective], None]
_Entries = dict[str, tuple[Value, str | None]]


class Settings:
    """All settings, resolved from the admin policy sources and the user's file."""

    def __init__(self, user_file: UserFile, policy_sources: Sequence[PolicySource] = ()) -> None:
        """`policy_sources` come highest priority first; the first to set a key in a layer wins."""
        self._user_file = user_file
        self._sources = list(policy_sources)
        self._listeners: list[Listener] = []
        self._layers: dict[Layer, _Entries] = {}
        self._policy_problems: list[Problem] = []
        self._user_problems: list[Problem] = []
        self._read_policies()
        self._read_user(self._load_user())

    @classmethod
    def open(cls) -> Settings:
        """The settings of this user and computer, from the standard places."""
        from linkus_companion.config.policies import policy_sources  # OS readers load only when used

        return cls(UserFile(paths.settings_file()), policy_sources())

    @property
    def problems(self) -> tuple[Problem, ...]:
        """What was ignored in the sources (unreadable files, unknown keys, invalid values).

        Not logged here: the app, the gateway and the CLI report them once, each in its own way.
        """
        return (*self._policy_problems, *self._user_problems)

    def get(self, key: str) -> Value:
        """The effective value of `key`."""
        return self.effective(key).value

    def effective(self, key: str) -> Effective:
        """The effective value of `key` with its source and lock (UnknownSetting if no such key)."""
        entry = setting(key)
        for layer in (Layer.LOCKED, Layer.USER, Layer.RECOMMENDED):
            if key in self._layers[layer]:
                value, origin = self._layers[layer][key]
                return Effective(_copy(value), layer.label, layer is Layer.LOCKED, origin)
        return Effective(_copy(entry.default), Layer.DEFAULT.label, False, None)

    def set_user(self, key: str, value: object) -> None:
        """Store the user's own `value` for `key`: SettingLocked, InvalidValue or UnknownSetting if not."""
        self._refuse_locked(key)
        self._write_user(key, to_json(setting(key).validate(value)))

    def set_user_text(self, key: str, text: str) -> None:
        """Like `set_user` with the text a user typed (`true`, `30`, `a, b`, `1001=u1` or JSON)."""
        self._refuse_locked(key)
        self._write_user(key, to_json(setting(key).from_text(text)))

    def unset_user(self, key: str) -> None:
        """Drop the user's own value of `key` so the admin recommendation or the default applies."""
        self._refuse_locked(key)
        self._write_user(key, None)

    def reload(self) -> None:
        """Read every source again (e.g. after an admin policy changed) and notify changes."""
        before = self._snapshot()
        self._read_policies()
        self._read_user(self._load_user())
        self._notify(before)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(key, effective)` whenever a key's effective value changes; returns unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _refuse_locked(self, key: str) -> None:
        current = self.effective(key)
        if current.locked:
            raise SettingLocked(key, current.policy_name or Text("unknown policy"))

    def _write_user(self, key: str, value: object | None) -> None:
        before = self._snapshot()
        raw = self._load_user()  # re-read so a change made by another process is kept
        if value is None:
            raw.pop(key, None)
        else:
            raw[key] = value
        try:
            self._user_file.save(raw)
        except OSError as exc:
            raise SettingsError(
                Text(
                    "cannot save your settings to {path} ({why})",
                    path=str(self._user_file.path),
                    why=os_why(exc),
                )
            ) from None
        self._read_user(raw)
        self._notify(before)

    def _load_user(self) -> dict[str, object]:
        raw, self._user_problems = self._user_file.load()
        return raw

    def _read_policies(self) -> None:
        problems: list[Problem] = []
        layers: dict[Layer, _Entries] = {Layer.RECOMMENDED: {}, Layer.LOCKED: {}}
        for source in self._sources:
            reading = source.read()
            problems += reading.problems
            for key, (raw, origin) in reading.values.items():
                value = _checked(key, raw, origin, problems)
                if value is not None:
                    layers[source.layer].setdefault(key, (value, origin))
        self._layers.update(layers)
        self._policy_problems = problems

    def _read_user(self, raw: Mapping[str, object]) -> None:
        """Validate the user's values; bad ones are reported and ignored, yet stay in the file."""
        origin = str(self._user_file.path)
        entries: _Entries = {}
        for key, item in raw.items():
            value = _checked(key, item, origin, self._user_problems)
            if value is not None:
                entries[key] = (value, None)
        self._layers[Layer.USER] = entries

    def _snapshot(self) -> dict[str, Effective]:
        return {key: self.effective(key) for key in SCHEMA}

    def _notify(self, before: Mapping[str, Effective]) -> None:
        for key, old in before.items():
            new = self.effective(key)
            if new == old:
                continue
            for listener in list(self._listeners):
                try:
                    listener(key, new)
                except Exception:
                    log.exception("settings listener failed for %s", key)


def _checked(key: str, raw: object, origin: str, problems: list[Problem]) -> Value | None:
    """`raw` validated for `key`, or None with the reason appended to `problems`."""
    if key not in SCHEMA:
        secret = any(w in key.lower() for w in _SECRET_WORDS)
        problem = Problem(
            origin,
            Text(
                "unknown setting {key} ignored; secrets belong in the keyring, never in settings",
                key=shown(key),
            )
            if secret
            else Text("unknown setting {key} ignored", key=shown(key)),
        )
    else:
        try:
            return SCHEMA[key].validate(raw)
        except SettingsError as exc:
            problem = Problem(origin, Text("{why}; ignored", why=text_of(exc)))
    problems.append(problem)
    return None


def _copy(value: Value) -> Value:
    return dict(value) if isinstance(value, dict) else value
