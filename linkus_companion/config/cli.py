"""`linkus-companion config show|set|unset`: inspect and change settings from a terminal."""

from __future__ import annotations

import argparse
import json
import unicodedata

from linkus_companion.config.errors import SettingsError
from linkus_companion.config.schema import SCHEMA
from linkus_companion.config.setting import Value, to_json
from linkus_companion.config.settings import Effective, Settings
from linkus_companion.terminal import say, tell
from linkus_companion.texts import Text, text_of

_WIDEST_VALUE = 48
SOURCES = {
    "default": Text("default"),
    "recommended": Text("recommended"),
    "user": Text("user"),
    "locked": Text("locked"),
}
"""The words for where a value comes from (`Effective.source`)."""


def show(args: argparse.Namespace) -> int:
    """Print every setting's effective value, source and lock (a table, or JSON with --json)."""
    try:
        settings = Settings.open()
    except SettingsError as exc:
        return _fail(exc)
    rows = {key: settings.effective(key) for key in SCHEMA}
    if args.json:
        document = {
            "settings": {
                key: {
                    "value": to_json(e.value),
                    "source": e.source,
                    "locked": e.locked,
                    "policy": e.policy_name,
                }
                for key, e in rows.items()
            },
            "problems": [str(p) for p in settings.problems],
        }
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        _print_table(rows)
    for problem in settings.problems:
        tell(Text("warning: {problem}", problem=problem.text), error=True)
    return 0


def set_value(args: argparse.Namespace) -> int:
    """Store one of the user's own settings; refused for locked keys and invalid values."""
    try:
        settings = Settings.open()
        settings.set_user_text(args.key, args.value)
    except SettingsError as exc:
        return _fail(exc)
    print(_describe(args.key, settings.effective(args.key)))
    return 0


def unset_value(args: argparse.Namespace) -> int:
    """Drop one of the user's own settings; the recommended or default value applies again."""
    try:
        settings = Settings.open()
        settings.unset_user(args.key)
    except SettingsError as exc:
        return _fail(exc)
    print(_describe(args.key, settings.effective(args.key)))
    return 0


def _fail(exc: SettingsError) -> int:
    tell(Text("error: {why}", why=text_of(exc)), error=True)
    return 1


def _text(key: str, value: Value) -> str:
    text = SCHEMA[key].to_text(value)
    return text if text else "-"


def _source(e: Effective) -> str:
    source = say(SOURCES.get(e.source, e.source))
    return f"{source} ({e.policy_name})" if e.policy_name else source


def _describe(key: str, e: Effective) -> str:
    return f"{key} = {_text(key, e.value)}   [{_source(e)}]"


def _print_table(rows: dict[str, Effective]) -> None:
    key_width = max(len(key) for key in rows)
    values = {key: _text(key, e.value) for key, e in rows.items()}
    value_width = min(_WIDEST_VALUE, max(len(v) for v in values.values()))
    heads = [say(Text("KEY")), say(Text("VALUE")), say(Text("LOCKED")), say(Text("SOURCE"))]
    yes, no = say(Text("yes")), say(Text("no"))
    lock_width = max(_width(t) for t in (heads[2], yes, no))
    print(
        f"{_pad(heads[0], key_width)}  {_pad(heads[1], value_width)}  {_pad(heads[2], lock_width)}  {heads[3]}"
    )
    for key, e in rows.items():
        locked = yes if e.locked else no
        print(f"{key:<{key_width}}  {values[key]:<{value_width}}  {_pad(locked, lock_width)}  {_source(e)}")


def _width(text: str) -> int:
    """Columns `text` takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))
