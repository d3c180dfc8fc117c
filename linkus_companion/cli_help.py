"""The command line's help and argparse's own words (usage, options, errors) in the user's language."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

from linkus_companion import terminal

CONTEXT = "CommandLine"
"""The translation context of the help texts (collected by resources/translations/update.py)."""
SHOWN_WORDS = ("usage: ", "positional arguments", "options", "show this help message and exit")
"""argparse's words in every help text (translated as the help is written out)."""
ERROR_WORDS = (
    "%(prog)s: error: %(message)s\n",
    "the following arguments are required: %s",
    "unrecognized arguments: %s",
    "invalid choice: %(value)r (choose from %(choices)s)",
    "argument %(argument_name)s: %(message)s",
    "expected one argument",
    "expected at least one argument",
    "expected at most one argument",
    "invalid %(type)s value: %(value)r",
    "not allowed with argument %s",
    "one of the arguments %s is required",
    "ambiguous option: %(option)s could match %(matches)s",
    "ignored explicit argument %r",
)
"""argparse's messages about a command line it refuses (Python 3.11's gettext messages)."""


def word(text: str) -> str:
    """`text` (a help text or argparse's own message) in the user's language (`ui.language`)."""
    return terminal.translator(terminal.user_language())(CONTEXT, text) or text


class TranslatedHelp(argparse.HelpFormatter):
    """Help whose descriptions and argument help are translated as they are written out."""

    def start_section(self, heading: str | None) -> None:
        super().start_section(word(heading) if heading else heading)

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, word("usage: ") if prefix is None else prefix)

    def add_text(self, text: str | None) -> None:
        super().add_text(word(text) if text and text is not argparse.SUPPRESS else text)

    def _get_help_string(self, action: argparse.Action) -> str | None:
        return word(action.help) if action.help and action.help is not argparse.SUPPRESS else action.help


class Parser(argparse.ArgumentParser):
    """An ArgumentParser (and its subcommands' parsers) that speaks the user's language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", TranslatedHelp)
        super().__init__(*args, **kwargs)

    def parse_args(self, *args: Any, **kwargs: Any) -> Any:
        """Parse as argparse does; what it says about a refused command line is in the user's language."""
        argparse._ = _error_word  # type: ignore[attr-defined]  # argparse's own gettext hook
        return super().parse_args(*args, **kwargs)


def _error_word(message: str) -> str:
    return word(message) if message in ERROR_WORDS else message


def help_texts(parser: argparse.ArgumentParser) -> Iterator[str]:
    """Every description and help text of `parser` and its subcommands, for the catalogue."""
    if parser.description:
        yield parser.description
    for action in parser._actions:
        if action.help and action.help is not argparse.SUPPRESS:
            yield action.help
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                if choice.help:
                    yield choice.help
            for sub in dict.fromkeys(action.choices.values()):
                yield from help_texts(sub)
