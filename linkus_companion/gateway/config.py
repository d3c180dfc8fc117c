"""The gateway's configuration file (TOML): where it listens, its state, and the integration settings."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from linkus_companion.config.settings import Settings
from linkus_companion.config.sources import Problem
from linkus_companion.config.userfile import UserFile
from linkus_companion.os_cause import os_why
from linkus_companion.texts import Text, joined

LEASE = 5.0
"""Default leader lease, seconds (see `GatewayConfig.leader_lease`)."""

EXAMPLE = """\
[gateway]
public_url = "https://gateway.example.com:8443"   # what desktops and recording links use
bind = "0.0.0.0"                                   # default 127.0.0.1
port = 8443                                        # default: the public URL's port
tls_cert = "/etc/linkus-gateway/cert.pem"          # both or neither; without them: plain HTTP
tls_key = "/etc/linkus-gateway/key.pem"
state_dir = "/var/lib/linkus-gateway"              # SQLite store, token signing key, owner-only secrets
# state = "postgresql://linkus@db.example.com/linkus" # two replicas share PostgreSQL (password: a secret)
# leader_lease = 5                                 # seconds a frozen/cut-off leader is waited for (bounds fail-over)
extensions = []                                    # served extensions; empty = every extension

[settings]                                         # the same keys as the desktop settings
"pbx.url" = "https://pbx.example.com:8088"
"pbx.client_id" = "..."                            # the secrets stay in the keyring
"crm.kind" = "hubspot"
"crm.client_id" = "..."
"pop.trigger" = "ringing"
"""


DB_SECRET = "gateway.database_password"  # noqa: S105 - a secret's name, not a secret
SIGNING_SECRET = "gateway.signing_key_secret"  # noqa: S105 - a secret's name, not a secret
"""Seals the token signing key the replicas share in PostgreSQL (the same on every replica)."""


class ConfigError(Exception):
    """The configuration file cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class GatewayConfig:
    """What `linkus-companion gateway --config FILE` reads."""

    public_url: str
    state_dir: Path
    bind: str = "127.0.0.1"
    port: int | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None
    extensions: tuple[str, ...] = ()
    settings: Mapping[str, object] = field(default_factory=dict)
    state: str = ""
    """A `postgresql://` URL shared by the replicas of a site; empty: SQLite in `state_dir`."""
    leader_lease: float = LEASE
    """Seconds a standby waits for a leader that stopped checking in (frozen, cut off, machine dead)
    before it ends the leader's database session and takes over; a killed leader is replaced at once."""

    @property
    def database(self) -> Path | str:
        """The gateway's store: the PostgreSQL URL, else the SQLite file."""
        return self.state or self.state_dir / "gateway.db"

    @property
    def signing_key(self) -> Path:
        """The private key that signs desktop tokens."""
        return self.state_dir / "signing-key.pem"

    def open_settings(self) -> Settings:
        """The integration settings of the `[settings]` table, checked like the desktop's."""
        settings = Settings(_Table(self.settings))
        if settings.problems:
            raise ConfigError(joined([p.text for p in settings.problems], "; "))
        return settings


def load(path: Path) -> GatewayConfig:
    """Read and check the configuration file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            Text("cannot read the gateway configuration {path} ({why})", path=str(path), why=os_why(exc))
        ) from None
    gateway: dict[str, Any] = data.get("gateway", {})
    unknown = set(gateway) - {
        "public_url",
        "bind",
        "port",
        "tls_cert",
        "tls_key",
        "state_dir",
        "state",
        "extensions",
        "leader_lease",
    }
    if unknown:
        raise ConfigError(
            Text("{path}: unknown [gateway] keys: {keys}", path=str(path), keys=", ".join(sorted(unknown)))
        )
    if not gateway.get("public_url") or not gateway.get("state_dir"):
        raise ConfigError(Text("{path}: [gateway] needs public_url and state_dir", path=str(path)))
    state = str(gateway.get("state", ""))
    if state and not state.startswith(("postgresql://", "postgres://")):
        raise ConfigError(
            Text(
                "{path}: [gateway] state must be a postgresql:// URL (or left out for SQLite)", path=str(path)
            )
        )
    if state and urlsplit(state).password:
        raise ConfigError(
            Text(
                "{path}: keep the database password out of the file; give it as the secret '{name}'",
                path=str(path),
                name=DB_SECRET,
            )
        )
    lease = gateway.get("leader_lease", LEASE)
    if isinstance(lease, bool) or not isinstance(lease, int | float) or not 1 <= lease <= 300:
        raise ConfigError(
            Text("{path}: [gateway] leader_lease must be a number of seconds from 1 to 300", path=str(path))
        )
    cert, key = gateway.get("tls_cert"), gateway.get("tls_key")
    if bool(cert) != bool(key):
        raise ConfigError(Text("{path}: give both tls_cert and tls_key, or neither", path=str(path)))
    return GatewayConfig(
        public_url=str(gateway["public_url"]).rstrip("/"),
        state_dir=Path(gateway["state_dir"]),
        bind=str(gateway.get("bind", "127.0.0.1")),
        port=int(gateway["port"]) if "port" in gateway else None,
        tls_cert=Path(cert) if cert else None,
        tls_key=Path(key) if key else None,
        extensions=tuple(str(e) for e in gateway.get("extensions", ())),
        settings=dict(data.get("settings", {})),
        state=state,
        leader_lease=float(lease),
    )


class _Table(UserFile):
    """The `[settings]` table as a read-only settings source."""

    def __init__(self, values: Mapping[str, object]) -> None:
        super().__init__(Path("[settings]"))
        self._values = dict(values)

    def load(self) -> tuple[dict[str, object], list[Problem]]:
        """The table's values."""
        return dict(self._values), []

    def save(self, data: Mapping[str, object]) -> None:
        """The gateway never writes its configuration."""
        raise ConfigError(Text("The gateway's settings are read from its configuration file only."))
