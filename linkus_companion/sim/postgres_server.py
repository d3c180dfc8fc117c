"""A throwaway PostgreSQL server (Debian's binaries) in a temporary directory, for tests, benchmarks and demos."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

INSTALLED = Path("/usr/lib/postgresql")
"""Where Debian installs each PostgreSQL version's binaries (`<version>/bin`)."""
USER = "postgres"
"""Debian's service account: PostgreSQL refuses to run as root, so a root caller runs it as this user."""


class NoPostgres(RuntimeError):
    """The PostgreSQL server binaries are not installed here."""


def binaries() -> Path:
    """The directory holding `initdb` and `pg_ctl` (the newest installed version)."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(
        (p for p in INSTALLED.glob("*/bin") if (p / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if not candidates:
        raise NoPostgres("PostgreSQL's server is not installed (Debian: apt-get install postgresql)")
    return candidates[-1]


class PostgresServer:
    """`initdb` + `pg_ctl start` on 127.0.0.1 at a free port, trust authentication, removed on `stop()`."""

    def __init__(self) -> None:
        from linkus_companion.serving import free_port  # uvicorn loads only where a server starts

        self.bin = binaries()
        self.dir = Path(tempfile.mkdtemp(prefix="linkus-pg-"))
        self.port = free_port()
        self.url = f"postgresql://{USER}@127.0.0.1:{self.port}/postgres"
        self._as_service_user = os.geteuid() == 0

    def start(self) -> PostgresServer:
        """Create the cluster and start the server; returns once it accepts connections."""
        if self._as_service_user:
            shutil.chown(self.dir, USER)
        data = self.dir / "data"
        self._run(
            [
                str(self.bin / "initdb"),
                "-D",
                str(data),
                "-U",
                USER,
                "--auth=trust",
                "--no-locale",
                "-E",
                "UTF8",
            ]
        )
        options = f"-h 127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off -c full_page_writes=off"
        self._run(
            [
                str(self.bin / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-w",
                "-l",
                str(self.dir / "log"),
                "start",
            ]
        )
        return self

    def database(self, name: str) -> str:
        """A new empty database called `name`; its URL."""
        import psycopg  # only where a server is started

        with psycopg.connect(self.url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        """Stop the server at once and delete its files."""
        data = self.dir / "data"
        if (data / "postmaster.pid").exists():
            self._run([str(self.bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(self.dir, ignore_errors=True)

    def _run(self, command: Sequence[str]) -> None:
        full = ["runuser", "-u", USER, "--", *command] if self._as_service_user else list(command)
        result = subprocess.run(full, capture_output=True, text=True, check=False, timeout=60)  # noqa: S603
        if result.returncode != 0:
            raise RuntimeError(
                f"{Path(command[0]).name} failed: {result.stderr.strip() or result.stdout.strip()}"
            )
