"""Settings: schema, layered sources, locks."""

from linkus_companion.config.errors import InvalidValue, SettingLocked, SettingsError, UnknownSetting
from linkus_companion.config.schema import SCHEMA
from linkus_companion.config.settings import Effective, Settings

__all__ = [
    "SCHEMA",
    "Effective",
    "InvalidValue",
    "SettingLocked",
    "Settings",
    "SettingsError",
    "UnknownSetting",
]
