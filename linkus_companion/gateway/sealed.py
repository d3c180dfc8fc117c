"""Values sealed at rest in the shared store: AES-256-GCM under a key derived (scrypt) from a server secret."""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

PREFIX = "linkus-sealed-v1:"
"""How a sealed value starts (anything else in the column is a value stored before sealing)."""
MIN_SECRET = 16
"""Characters a sealing secret needs at least (`openssl rand -base64 32` gives 44)."""
_SALT, _NONCE = 16, 12
_N, _R, _P = 2**14, 8, 1


class SealError(Exception):
    """A sealed value cannot be opened or made; the message says what the admin should do."""


def seal(value: bytes, secret: str, context: str) -> str:
    """`value` encrypted under `secret`, bound to `context` (opening it under another context fails)."""
    salt, nonce = os.urandom(_SALT), os.urandom(_NONCE)
    body = AESGCM(_key(secret, salt)).encrypt(nonce, value, context.encode())
    return PREFIX + base64.b64encode(salt + nonce + body).decode()


def unseal(text: str, secret: str, context: str) -> bytes:
    """The value `seal` encrypted; SealError when `secret` is not the one it was sealed with."""
    try:
        raw = base64.b64decode(text.removeprefix(PREFIX), validate=True)
    except ValueError:
        raise SealError(f"The stored {context} is damaged; delete it to make a new one.") from None
    salt, nonce, body = raw[:_SALT], raw[_SALT : _SALT + _NONCE], raw[_SALT + _NONCE :]
    try:
        return AESGCM(_key(secret, salt)).decrypt(nonce, body, context.encode())
    except (InvalidTag, ValueError):
        raise SealError(
            f"The stored {context} does not open with this secret: give every replica the same secret "
            "it was sealed with."
        ) from None


def is_sealed(text: str) -> bool:
    """Whether `text` is a sealed value."""
    return text.startswith(PREFIX)


def _key(secret: str, salt: bytes) -> bytes:
    if len(secret) < MIN_SECRET:
        raise SealError(
            f"The sealing secret is shorter than {MIN_SECRET} characters; make one with "
            "`openssl rand -base64 32`."
        )
    return Scrypt(salt=salt, length=32, n=_N, r=_R, p=_P).derive(secret.encode())
