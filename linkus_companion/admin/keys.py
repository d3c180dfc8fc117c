"""Signing keys for configuration bundles: create an Ed25519 or P-256 pair, load the private half."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from linkus_companion.config.provisioning import PublicKey, key_id, public_key_line
from linkus_companion.os_cause import os_why, system_says
from linkus_companion.texts import Text

PASSPHRASE_ENV = "LINKUS_COMPANION_KEY_PASSPHRASE"  # noqa: S105 - the variable name, not a value
"""When set, the private key file is encrypted with it (and read with it)."""
PRIVATE_FILE = "provisioning-private.pem"
PUBLIC_FILE = "provisioning-public.txt"

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey


class SigningKeyError(ValueError):
    """A signing key could not be made or read; the message says why."""


@dataclass(frozen=True)
class KeyPair:
    """Where a new pair was written, and what to pin in policy."""

    private_file: Path
    public_file: Path
    public_line: str
    key_id: str


def algorithm(key: PrivateKey) -> str:
    """The JWT algorithm for `key`: EdDSA or ES256."""
    return "EdDSA" if isinstance(key, ed25519.Ed25519PrivateKey) else "ES256"


def generate(directory: Path, alg: str = "EdDSA") -> KeyPair:
    """Write a new private key (owner-only file) and its one-line public key into `directory`."""
    private: PrivateKey = (
        ed25519.Ed25519PrivateKey.generate() if alg == "EdDSA" else ec.generate_private_key(ec.SECP256R1())
    )
    private_file, public_file = directory / PRIVATE_FILE, directory / PUBLIC_FILE
    if private_file.exists():
        raise SigningKeyError(
            Text(
                "{path} exists already; move it away first (bundles it signed need it).",
                path=str(private_file),
            )
        )
    passphrase = os.environ.get(PASSPHRASE_ENV, "").encode()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    )
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(private_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    public: PublicKey = private.public_key()
    line = public_key_line(public)
    public_file.write_text(line + "\n", encoding="ascii")
    return KeyPair(private_file, public_file, line, key_id(public))


def load_private(path: Path) -> PrivateKey:
    """The private key in `path` (PEM), decrypted with the passphrase variable when it is encrypted."""
    passphrase = os.environ.get(PASSPHRASE_ENV, "").encode() or None
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=passphrase)
    except OSError as exc:
        raise SigningKeyError(
            Text("Cannot read the signing key {path} ({why}).", path=str(path), why=os_why(exc))
        ) from None
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(
            Text(
                "{path} is not a usable private key{detail}; set {variable} if it is encrypted.",
                path=str(path),
                detail=system_says(exc),
                variable=PASSPHRASE_ENV,
            )
        ) from None
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
        return key
    raise SigningKeyError(
        Text("{path} holds neither an Ed25519 nor a P-256 key; make one with `admin keygen`.", path=str(path))
    )
