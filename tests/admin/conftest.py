"""Run `admin ...` and `doctor` through their real argument parsers."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable

import pytest

from linkus_companion.admin.commands import Handler, register

Run = Callable[..., tuple[int, str, str]]


def _resolve(target: str) -> Handler:
    module, name = target.split(":")
    handler: Handler = getattr(importlib.import_module(module), name)
    return handler


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """run("admin", "verify", path) -> (exit code, stdout, stderr)."""
    parser = argparse.ArgumentParser(prog="linkus-companion")
    register(parser.add_subparsers(dest="command", required=True), _resolve)

    def invoke(*argv: str) -> tuple[int, str, str]:
        args = parser.parse_args(argv)
        code: int = args.handler(args)
        out, err = capsys.readouterr()
        return code, out, err

    return invoke
