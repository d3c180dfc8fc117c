"""Secrets for a gateway on a server: systemd credentials, container secret files, owner-only files, CI env."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path

from linkus_companion.os_cause import os_why
from linkus_companion.secrets import SecretStore, SecretStoreUnavailable
from linkus_companion.texts import Text, joined

CONTAINER_DIR = Path("/run/secrets")
"""Where Docker (compose and swarm) and Kubernetes secret volumes are mounted by convention."""
ENV_PREFIX = "LINKUS_SECRET_"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


class SecretRefused(SecretStoreUnavailable):
    """A secret file anyone but its owner could read (or not owned by the gateway's user) was refused."""


class ServerSecrets(SecretStore):
    """Reads, first found wins: `$CREDENTIALS_DIRECTORY` (systemd `LoadCredential=`), `/run/secrets`
    (Docker/Kubernetes), `<state_dir>/secrets/` (owner-only files, refused otherwise, like ssh),
    `LINKUS_SECRET_<NAME>` (only when `CI` is set), then the OS keyring when there is one.

    Writes (the CRM's rotating refresh token) go to `<state_dir>/secrets/`, owner-only.
    """

    def __init__(
        self,
        state_dir: Path,
        *,
        environ: Mapping[str, str] | None = None,
        container_dir: Path = CONTAINER_DIR,
    ) -> None:
        super().__init__()
        self._environ = os.environ if environ is None else environ
        self.files = state_dir / "secrets"
        self._container = container_dir

    def get(self, name: str) -> str | None:
        """The secret `name` from the first source holding it, or None."""
        return self._find(name)[0]

    def source_of(self, name: str) -> str:
        """Where `name` comes from, for `gateway doctor` ("" when no source holds it)."""
        return self._find(name)[1]

    def set(self, name: str, value: str) -> None:
        """Keep `value` in an owner-only file (written aside, then renamed into place)."""
        path = self.files / _checked(name)
        self.files.mkdir(mode=0o700, parents=True, exist_ok=True)
        aside = path.with_name(f".{path.name}.new")
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(value)
        os.replace(aside, path)

    def delete(self, name: str) -> None:
        """Remove the owner-only file of `name` (read-only sources are the admin's to change)."""
        (self.files / _checked(name)).unlink(missing_ok=True)

    def backend_name(self) -> str:
        """The sources in the order they are read."""
        credentials = self._environ.get("CREDENTIALS_DIRECTORY")
        sources = [Text("systemd credentials {path}", path=credentials)] if credentials else []
        sources += [
            Text("container secrets {path}", path=str(self._container)),
            Text("owner-only files {path}", path=str(self.files)),
        ]
        if self._environ.get("CI"):
            sources.append(Text("environment {variable} (CI)", variable=f"{ENV_PREFIX}*"))
        return joined(sources, ", ")

    def _find(self, name: str) -> tuple[str | None, str]:
        name = _checked(name)
        credentials = self._environ.get("CREDENTIALS_DIRECTORY")
        if credentials and (found := _read(Path(credentials) / name)) is not None:
            return found, Text("systemd credential {path}", path=str(Path(credentials) / name))
        if (found := _read(self._container / name)) is not None:
            return found, Text("container secret {path}", path=str(self._container / name))
        if (found := _read(self.files / name, owner_only=True)) is not None:
            return found, Text("owner-only file {path}", path=str(self.files / name))
        variable = ENV_PREFIX + re.sub(r"[^A-Z0-9]", "_", name.upper())
        if self._environ.get("CI") and self._environ.get(variable):
            return self._environ[variable], Text("environment {variable} (CI)", variable=variable)
        try:
            found = super().get(name)
        except SecretStoreUnavailable:
            return None, ""
        keyring = Text("keyring {name}", name=super().backend_name())
        return (found, keyring) if found is not None else (None, "")


def _checked(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a secret name: {name!r}")
    return name


def _read(path: Path, *, owner_only: bool = False) -> str | None:
    """The file's text without its final newline; None when absent; refused when others could read it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise SecretRefused(
            Text("cannot read the secret file {path} ({why}).", path=str(path), why=os_why(exc))
        ) from None
    with os.fdopen(fd, encoding="utf-8") as file:
        info = os.fstat(file.fileno())
        if owner_only and (info.st_mode & (stat.S_IRWXG | stat.S_IRWXO) or info.st_uid != os.geteuid()):
            raise SecretRefused(
                Text(
                    "The secret file {path} can be read by others or is not the gateway user's; run: chown $(id -un) {path} && chmod 600 {path}",
                    path=str(path),
                )
            )
        return file.read().removesuffix("\n")
