"""Signed configuration bundles: JWTs (EdDSA or ES256) checked against pinned public keys."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from linkus_companion.config.errors import SettingsError
from linkus_companion.config.sources import Layer
from linkus_companion.os_cause import system_says
from linkus_companion.texts import Text

ALGORITHMS = ("EdDSA", "ES256")
AUDIENCE = "linkus-companion"
"""The `aud` claim every bundle carries, so a JWT made for something else is never applied."""
SECTIONS = {"locked": Layer.LOCKED, "recommended": Layer.RECOMMENDED}
"""The bundle's `settings` claim holds these two objects: locks, and defaults users may change."""
SECRET_WORDS = ("secret", "password", "token", "private", "credential")
LEEWAY = dt.timedelta(minutes=5)
"""Clock skew tolerated for `iat`/`nbf`/`exp`."""

PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey


class BundleRefused(SettingsError):
    """A configuration bundle was not applied; the message says why and what to do."""


def looks_secret(key: str) -> bool:
    """Whether a setting name looks like it would carry a secret (never allowed in policies)."""
    return any(word in key.lower() for word in SECRET_WORDS)


def load_public_key(text: str) -> PublicKey:
    """An Ed25519 or P-256 public key from PEM or one-line base64 (DER SubjectPublicKeyInfo)."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode("ascii"))
        else:
            key = serialization.load_der_public_key(base64.b64decode(text, validate=True))
    except (ValueError, binascii.Error, UnicodeEncodeError, TypeError) as exc:
        raise ValueError(Text("not a readable public key{detail}", detail=system_says(exc))) from None
    if isinstance(key, ed25519.Ed25519PublicKey):
        return key
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return key
    raise ValueError(Text("only Ed25519 (EdDSA) and P-256 (ES256) public keys are accepted"))


def public_key_line(key: PublicKey) -> str:
    """The one-line form of a public key, as policies carry it."""
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode("ascii")


def key_id(key: PublicKey) -> str:
    """A short fingerprint of a public key (the JWT `kid`): 16 hex digits of its SHA-256."""
    return hashlib.sha256(base64.b64decode(public_key_line(key))).hexdigest()[:16]


@dataclass(frozen=True)
class Bundle:
    """A verified bundle: who signed it, when it expires, and its settings per layer."""

    issuer: str
    key_id: str
    issued_at: dt.datetime
    expires_at: dt.datetime
    sections: dict[Layer, dict[str, object]] = field(default_factory=dict)


def verify(token: str, pinned: Sequence[str], now: dt.datetime | None = None) -> Bundle:
    """The bundle in `token` if a pinned key signed it and it is current; BundleRefused otherwise."""
    keys = {key_id(k): k for k in (load_public_key(text) for text in pinned)}
    if not keys:
        raise BundleRefused(
            Text(
                "no locked policy pins a public key (provisioning.public_keys), so signed bundles cannot be"
                " trusted; ask your administrator to deploy the key"
            )
        )
    token = token.strip()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError:
        raise BundleRefused(Text("this is not a signed configuration bundle (not a JWT)")) from None
    alg, kid = header.get("alg"), header.get("kid")
    if alg not in ALGORITHMS:
        raise BundleRefused(
            Text("the bundle is unsigned; only EdDSA or ES256 signatures are accepted")
            if str(alg).lower() == "none"
            else Text(
                'the bundle is signed with "{alg}"; only EdDSA or ES256 signatures are accepted', alg=str(alg)
            )
        )
    if kid is not None and kid not in keys:
        raise BundleRefused(
            Text(
                "the bundle was signed with key {kid}, which no policy pins (pinned: {pinned});"
                " ask your administrator for a bundle signed with the pinned key",
                kid=str(kid),
                pinned=", ".join(keys),
            )
        )
    claims = _claims(token, [keys[kid]] if kid else list(keys.values()), str(alg), kid is not None, now)
    return _bundle(claims, kid or "")


def _claims(
    token: str, candidates: list[PublicKey], alg: str, kid_matched: bool, now: dt.datetime | None
) -> dict[str, object]:
    moment = (now or dt.datetime.now(dt.UTC)).timestamp()
    # Dates are checked below against `now`, with messages that say what to do.
    options: jwt.types.Options = {
        "require": ["exp", "iat", "aud"],
        "verify_exp": False,
        "verify_iat": False,
        "verify_nbf": False,
    }
    for key in candidates:
        try:
            claims: dict[str, object] = jwt.decode(
                token, key, algorithms=[alg], audience=AUDIENCE, options=options
            )
        except (jwt.InvalidSignatureError, jwt.InvalidAlgorithmError):
            continue
        except jwt.InvalidAudienceError:
            raise BundleRefused(
                Text("the JWT is not a Linkus Companion configuration bundle (wrong audience)")
            ) from None
        except jwt.MissingRequiredClaimError as exc:
            raise BundleRefused(
                Text('the bundle lacks the "{claim}" claim; sign it with `admin sign`', claim=str(exc.claim))
            ) from None
        except jwt.PyJWTError as exc:
            raise BundleRefused(Text("the bundle is not valid{detail}", detail=system_says(exc))) from None
        _check_times(claims, moment)
        return claims
    if kid_matched:
        raise BundleRefused(Text("the bundle was altered after it was signed (the signature does not match)"))
    raise BundleRefused(
        Text("the bundle's signature matches no pinned key (it was altered, or signed with another key)")
    )


def _check_times(claims: Mapping[str, object], moment: float) -> None:
    exp, nbf = claims.get("exp"), claims.get("nbf", claims.get("iat"))
    slack = LEEWAY.total_seconds()
    if not isinstance(exp, int | float) or not isinstance(nbf, int | float):
        raise BundleRefused(Text("the bundle's dates are unreadable; sign it again with `admin sign`"))
    if moment > exp + slack:
        raise BundleRefused(
            Text("the bundle expired on {date}; ask your administrator for a new one", date=_date(exp))
        )
    if moment < nbf - slack:
        raise BundleRefused(
            Text("the bundle is not valid before {date}; check this computer's clock", date=_date(nbf))
        )


def _bundle(claims: Mapping[str, object], kid: str) -> Bundle:
    settings = claims.get("settings")
    if not isinstance(settings, Mapping) or not set(settings) <= set(SECTIONS):
        raise BundleRefused(
            Text("the bundle's `settings` claim must be an object with `locked` and/or `recommended`")
        )
    sections: dict[Layer, dict[str, object]] = {}
    for name, layer in SECTIONS.items():
        values = settings.get(name, {})
        if not isinstance(values, Mapping):
            raise BundleRefused(
                Text('the bundle\'s "{name}" section must be an object of settings', name=name)
            )
        secret = sorted(key for key in values if looks_secret(str(key)))
        if secret:
            raise BundleRefused(
                Text(
                    "the bundle carries secret-looking keys ({keys}); secrets never go in bundles",
                    keys=", ".join(secret),
                )
            )
        sections[layer] = dict(values)
    return Bundle(
        issuer=str(claims.get("iss", "")),
        key_id=kid,
        issued_at=_when(claims["iat"]),
        expires_at=_when(claims["exp"]),
        sections=sections,
    )


def _when(stamp: object) -> dt.datetime:
    return (
        dt.datetime.fromtimestamp(float(stamp), dt.UTC) if isinstance(stamp, int | float) else dt.datetime.min
    )


def _date(stamp: float) -> str:
    return _when(stamp).strftime("%Y-%m-%d %H:%M UTC")
