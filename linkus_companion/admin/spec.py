"""An admin's policy spec: `{"locked": {...}, "recommended": {...}}` checked against every policy setting."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from linkus_companion.config.bundle_trust import TRUST_KEYS, TRUST_SETTINGS
from linkus_companion.config.errors import SettingsError, UnknownSetting
from linkus_companion.config.provisioning import SECTIONS, looks_secret
from linkus_companion.config.schema import SCHEMA
from linkus_companion.config.setting import Setting, to_json
from linkus_companion.os_cause import os_why
from linkus_companion.texts import Text, joined, text_of

Spec = dict[str, dict[str, object]]
"""Section (`locked`, `recommended`) -> setting -> JSON value."""


class SpecError(SettingsError):
    """The spec has problems; the message lists every one."""


def policy_settings() -> dict[str, Setting]:
    """Every setting an admin may push: the schema and the bundle-trust settings."""
    return {**SCHEMA, **{entry.key: entry for entry in TRUST_SETTINGS}}


def load(path: Path) -> Spec:
    """The spec in a JSON file, checked."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SpecError(
            Text("cannot read the spec {path} ({why})", path=str(path), why=os_why(exc))
        ) from None
    return check(data)


def check(data: object, *, allow_trust: bool = True) -> Spec:
    """`data` with canonical values; SpecError listing unknown, secret-looking and invalid entries.

    The trust settings (pinned keys, config URL) are allowed only as locked values, and not at all
    with `allow_trust=False` (a bundle cannot vouch for itself).
    """
    if not isinstance(data, Mapping) or not data or not set(data) <= set(SECTIONS):
        raise SpecError(
            Text('a spec is a JSON object with "locked" and/or "recommended" objects of settings')
        )
    known = policy_settings()
    spec: Spec = {}
    errors: list[str] = []
    for section, values in data.items():
        if not isinstance(values, Mapping):
            errors.append(Text("{section}: must be an object of settings", section=section))
            continue
        spec[section] = {}
        for key, value in values.items():
            if looks_secret(key):
                errors.append(
                    Text(
                        "{section}.{key}: secrets never go in policies; deploy them to the keyring",
                        section=section,
                        key=key,
                    )
                )
            elif key in TRUST_KEYS and not (allow_trust and section == "locked"):
                errors.append(
                    Text(
                        "{section}.{key}: set it only as a locked OS policy or managed JSON",
                        section=section,
                        key=key,
                    )
                )
            elif key not in known:
                errors.append(
                    Text("{section}: {why}", section=section, why=text_of(UnknownSetting(key, known)))
                )
            else:
                try:
                    spec[section][key] = to_json(known[key].validate(value))
                except SettingsError as exc:
                    errors.append(Text("{section}: {why}", section=section, why=text_of(exc)))
    if errors:
        raise SpecError(Text("the spec has problems:\n  {problems}", problems=joined(errors, "\n  ")))
    return spec
