"""`linkus-companion browser-extension install|uninstall|status|pack`: the host registration from a shell."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from linkus_companion.platform.extension_pack import extension_dir, pack
from linkus_companion.platform.native_manifest import BROWSERS, Registration
from linkus_companion.platform.native_messaging import CHROME_EXTENSION_ID
from linkus_companion.terminal import tell
from linkus_companion.texts import Text


def registration(all_users: bool = False, profile: str | None = None) -> Registration:
    """This computer's registration (the real registry on Windows); `profile`: one Chromium profile only."""
    registry = None
    if sys.platform == "win32":
        from linkus_companion.platform.registry import WindowsRegistry

        registry = WindowsRegistry()
    return Registration(all_users=all_users, registry=registry, profile=Path(profile) if profile else None)


def install(args: argparse.Namespace) -> int:
    """Register the host and say how to add the extension."""
    reg = registration(args.all_users, args.profile)
    for path in reg.install(browsers=("chromium",) if args.profile else BROWSERS):
        tell(Text("registered the native messaging host: {path}", path=str(path)))
    tell(Text("extension folder (Load unpacked): {path}", path=str(extension_dir())))
    tell(Text("extension id: {id}", id=CHROME_EXTENSION_ID))
    return 0


def uninstall(args: argparse.Namespace) -> int:
    """Remove the host registration."""
    registration(args.all_users).uninstall()
    tell(Text("removed the native messaging host registration"))
    return 0


def status(args: argparse.Namespace) -> int:
    """0 when every browser would find the host, else 1 with each reason."""
    problems = registration(args.all_users).problems()
    for problem in problems:
        tell(problem)
    if not problems:
        tell(Text("the native messaging host is registered for Chrome, Edge, Chromium and Firefox"))
    return 1 if problems else 0


def pack_command(args: argparse.Namespace) -> int:
    """Write the extension's zip."""
    names = pack(extension_dir(), Path(args.out))
    tell(Text("{path}: {count} files", path=args.out, count=len(names)))
    return 0
