"""Values sealed at rest in the shared store: AES-256-GCM under a key derived (scrypt) from a server secret."""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from linkus_companion.texts import Text

PREFIX = "linkus-sealed-v1:"
"""How a sealed value starts (anything else in the column is a value stored before sealing)."""
MIN_SECRET = 16
"""Characters a sealing secret needs at least (`openssl rand -base64 32` gives 44)."""
_SALT, _NONCE = 16, 12
_N, _R, _P = 2**14, 8, 1


class SealError(Exception):
    """A sealed value cannot be opened or made; the message says what the admin should do."""


def _shown(context: str) -> str:
    """The sealed value's name in a sentence (the contexts sealed today, in the user's language)."""
    return {"token signing key": Text("token signing key")}.get(context, context)


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
        raise SealError(
            Text("The stored {context} is damaged; delete it to make a new one.", context=_shown(context))
        ) from None
    salt, nonce, body = raw[:_SALT], raw[_SALT : _SALT + _NONCE], raw[_SALT + _NONCE :]
    try:
        return AESGCM(_key(secret, salt)).decrypt(nonce, body, context.encode())
    except (InvalidTag, ValueError):
        raise SealError(
            Text(
                "The stored {context} does not open with this secret: give every replica the same secret it was sealed with.",
                context=_shown(context),
            )
        ) from None


def is_sealed(text: str) -> bool:
    """Whether `text` is a sealed value."""
    return text.startswith(PREFIX)


def _key(secret: str, salt: bytes) -> bytes:
    if len(secret) < MIN_SECRET:
        raise SealError(
            Text(
                "The sealing secret is shorter than {count} characters; make one with `openssl rand -base64 32`.",
                count=MIN_SECRET,
            )
        )
    return Scrypt(salt=salt, length=32, n=_N, r=_R, p=_P).derive(secret.encode())
