"""Sign a policy spec into a configuration bundle (a JWT the app verifies with the pinned public key)."""

from __future__ import annotations

import datetime as dt

import jwt

from linkus_companion.admin.keys import PrivateKey, algorithm
from linkus_companion.admin.spec import Spec, check
from linkus_companion.config.provisioning import AUDIENCE, key_id
from linkus_companion.texts import Text


def sign(
    spec: object,
    key: PrivateKey,
    *,
    days: int,
    issuer: str = "",
    now: dt.datetime | None = None,
) -> str:
    """The signed bundle for `spec` (checked first: no secrets, no unknown keys, valid values)."""
    checked: Spec = check(spec, allow_trust=False)
    if days < 1:
        raise ValueError(Text("a bundle must stay valid for at least one day"))
    issued = now or dt.datetime.now(dt.UTC)
    claims: dict[str, object] = {
        "aud": AUDIENCE,
        "iat": int(issued.timestamp()),
        "exp": int((issued + dt.timedelta(days=days)).timestamp()),
        "settings": checked,
    }
    if issuer:
        claims["iss"] = issuer
    headers = {"kid": key_id(key.public_key()), "typ": "JWT"}
    return jwt.encode(claims, key, algorithm=algorithm(key), headers=headers)
