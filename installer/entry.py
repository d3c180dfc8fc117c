"""Frozen-build entry point: the `linkus-companion` command line; with no arguments, the desktop app."""

import sys

from linkus_companion.cli import main

DESKTOP_COMMAND = "run"
"""What a double-click, the Start menu, the Dock or a login item runs."""

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or [DESKTOP_COMMAND]))
