"""A keyring in a JSON file ($LINKUS_TEST_KEYRING): how a test hands secrets to the app it starts as a process."""

from __future__ import annotations

import json
import os
from pathlib import Path

from linkus_companion.sim.memory_keyring import MemoryKeyring

ENV = "LINKUS_TEST_KEYRING"


class FileKeyring(MemoryKeyring):
    """The in-memory keyring, loaded from and saved to the file named by $LINKUS_TEST_KEYRING."""

    def __init__(self) -> None:
        super().__init__()
        self._path = Path(os.environ.get(ENV, os.devnull))
        if self._path.is_file():
            stored = json.loads(self._path.read_text(encoding="utf-8"))
            self.entries = {(service, name): secret for service, name, secret in stored}

    def set_password(self, service: str, username: str, password: str) -> None:
        """Store a secret, in the file too."""
        super().set_password(service, username, password)
        self._save()

    def delete_password(self, service: str, username: str) -> None:
        """Remove a secret, from the file too."""
        super().delete_password(service, username)
        self._save()

    def _save(self) -> None:
        if not self._path.is_file() and self._path.exists():
            return  # not set up (e.g. keyring's discovery tries every backend class): memory only
        rows = [[service, name, secret] for (service, name), secret in self.entries.items()]
        self._path.write_text(json.dumps(rows), encoding="utf-8")
