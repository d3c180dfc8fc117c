"""`python -m linkus_companion` entry point."""

import sys

from linkus_companion.cli import main

sys.exit(main())
