"""Errors of the settings layer, each with a sentence a user can act on."""

from __future__ import annotations

from collections.abc import Iterable

from linkus_companion.texts import Text

_SHOWN_CHARS = 80


def shown(value: object) -> str:
    """`repr(value)` cut to a readable length for messages."""
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


class SettingsError(ValueError):
    """A setting could not be read, changed or applied."""


class UnknownSetting(SettingsError):
    """No setting has this name."""

    def __init__(self, key: str, known: Iterable[str]) -> None:
        import difflib  # only for the hint: settings load without it

        close = difflib.get_close_matches(key, list(known), n=1)
        super().__init__(
            Text(
                "there is no setting named {key}; did you mean {close}?",
                key=shown(key),
                close=shown(close[0]),
            )
            if close
            else Text("there is no setting named {key}", key=shown(key))
        )
        self.key = key


class InvalidValue(SettingsError):
    """A value breaks its setting's rule."""

    def __init__(self, key: str, value: object, rule: str) -> None:
        super().__init__(
            Text("{key}: {value} is not valid; it must be {rule}", key=key, value=shown(value), rule=rule)
        )
        self.key = key
        self.value = value
        self.rule = rule


class SettingLocked(SettingsError):
    """An admin policy locked this setting."""

    def __init__(self, key: str, policy: str) -> None:
        super().__init__(
            Text(
                "{key} is locked by your administrator (policy: {policy}) and cannot be changed",
                key=key,
                policy=policy,
            )
        )
        self.key = key
        self.policy = policy
