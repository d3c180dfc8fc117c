"""Desktop credentials: one-time enrollment codes, refreshable sessions, short-lived JWTs and revocation."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from linkus_companion.gateway.sealed import is_sealed, seal, unseal
from linkus_companion.store import Store
from linkus_companion.texts import Text

log = logging.getLogger(__name__)

AUDIENCE = "linkus-companion-desktop"
"""The `aud` of every access token; a token for anything else is refused."""
BROWSER_AUDIENCE = "linkus-companion-browser"
"""The `aud` of a browser session (recording playback only)."""
ALGORITHM = "EdDSA"
"""The only signature algorithm accepted (pinned: `none` and HMAC tricks are refused)."""
ACCESS_TTL = dt.timedelta(minutes=10)
ENROLLMENT_TTL = dt.timedelta(days=7)
BROWSER_TTL = dt.timedelta(hours=12)
TICKET_TTL = dt.timedelta(seconds=60)
SIGNING_CONTEXT = "token signing key"
"""What the sealed signing key is bound to (and how its errors name it)."""
_REQUIRED = ["exp", "iat", "nbf", "iss", "aud", "sub", "ext", "email", "jti"]
_LEEWAY = 5


class AuthError(Exception):
    """A credential was refused; the message says what the desktop user or admin should do."""


@dataclass(frozen=True)
class Claims:
    """Who an accepted access token speaks for."""

    session_id: str
    extension: str
    email: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class Grant:
    """What an enrollment or a refresh hands the desktop."""

    access_token: str
    refresh_token: str
    expires_in: int
    extension: str
    email: str


@dataclass(frozen=True)
class Enrollment:
    """A one-time code for one extension and its user."""

    code: str
    extension: str
    email: str
    expires_at: dt.datetime

    def link(self, public_url: str) -> str:
        """The code as a link; it travels in the fragment, which browsers never send to a server."""
        return f"{public_url.rstrip('/')}/enroll#{self.code}"


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """The gateway's signing key, created (readable by the owner only) on first use."""
    if path.exists():
        return _parsed(
            path.read_bytes(), f"{path} does not hold an Ed25519 key; delete it to create a new one."
        )
    pem = _pem(Ed25519PrivateKey.generate())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(pem)
    return _parsed(pem, "")


def shared_signing_key(store: Store, secret: str) -> Ed25519PrivateKey:
    """The site's signing key kept in the shared store, sealed under `secret` (the first replica creates it).

    Tokens verify on every replica; a dump of the database alone cannot sign one. A key stored in
    clear by an earlier version is sealed in place on first use.
    """
    with store.transaction() as db:
        db.execute(
            "INSERT INTO gateway_keys (name, pem, created_at) VALUES ('signing', ?, ?) ON CONFLICT (name) DO NOTHING",
            (seal(_pem(Ed25519PrivateKey.generate()), secret, SIGNING_CONTEXT), _now().isoformat()),
        )
        (stored,) = db.execute("SELECT pem FROM gateway_keys WHERE name = 'signing'").fetchone()
        stored = str(stored)
        if is_sealed(stored):
            pem = unseal(stored, secret, SIGNING_CONTEXT)
        else:  # another replica sealing it at the same time matches no row: both hold the same key
            pem = stored.encode()
            db.execute(
                "UPDATE gateway_keys SET pem = ? WHERE name = 'signing' AND pem = ?",
                (seal(pem, secret, SIGNING_CONTEXT), stored),
            )
    return _parsed(pem, "The store's signing key is not an Ed25519 key; delete its gateway_keys row.")


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _parsed(pem: bytes, refusal: str) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise AuthError(refusal)
    return key


def code_from(text: str) -> str:
    """The enrollment code in what the user pasted: the code itself or the enrollment link."""
    return text.strip().rpartition("#")[2].strip()


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class TokenAuthority:
    """Issues and checks the gateway's desktop credentials; state lives in the gateway's SQLite store."""

    def __init__(
        self, store: Store, key: Ed25519PrivateKey, issuer: str, access_ttl: dt.timedelta = ACCESS_TTL
    ) -> None:
        self._store = store
        self._key = key
        self._public = key.public_key()
        self.issuer = issuer
        self._ttl = access_ttl
        self._tickets: dict[str, tuple[Claims, dt.datetime]] = {}

    # --- admin ---------------------------------------------------------------------------------

    def enroll(self, extension: str, email: str, ttl: dt.timedelta = ENROLLMENT_TTL) -> Enrollment:
        """A new one-time code for `extension` used by `email`."""
        code = secrets.token_urlsafe(18)
        expires = _now() + ttl
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO gateway_enrollments (code_hash, extension, email, expires_at) VALUES (?, ?, ?, ?)",
                (_digest(code), extension, email.strip().lower(), expires.isoformat()),
            )
        return Enrollment(code, extension, email.strip().lower(), expires)

    def revoke(self, *, extension: str | None = None, session_id: str | None = None) -> int:
        """Revoke the sessions of an extension or one session; returns how many were revoked."""
        if (extension is None) == (session_id is None):
            raise ValueError("revoke exactly one extension or one session")
        column, value = ("extension", extension) if extension is not None else ("session_id", session_id)
        with self._store.transaction() as db:
            cursor = db.execute(
                f"UPDATE gateway_sessions SET revoked_at = ? WHERE {column} = ? AND revoked_at IS NULL",  # noqa: S608
                (_now().isoformat(), value),
            )
            return cursor.rowcount

    def sessions(self) -> list[tuple[str, str, str, bool]]:
        """Every session: id, extension, e-mail, revoked."""
        with self._store.transaction() as db:
            rows = db.execute(
                "SELECT session_id, extension, email, revoked_at IS NOT NULL FROM gateway_sessions "
                "ORDER BY created_at"
            ).fetchall()
        return [(str(r[0]), str(r[1]), str(r[2]), bool(r[3])) for r in rows]

    # --- desktops ------------------------------------------------------------------------------

    def redeem(self, code: str) -> Grant:
        """Exchange a one-time enrollment code for a session."""
        now = _now()
        with self._store.transaction() as db:
            row = db.execute(
                "SELECT extension, email, expires_at, used_at FROM gateway_enrollments WHERE code_hash = ?",
                (_digest(code_from(code)),),
            ).fetchone()
            if row is None or row[3] is not None or dt.datetime.fromisoformat(row[2]) <= now:
                raise AuthError(
                    Text(
                        "This enrollment code is unknown, used or expired; ask the administrator for a new one."
                    )
                )
            db.execute(
                "UPDATE gateway_enrollments SET used_at = ? WHERE code_hash = ?",
                (now.isoformat(), _digest(code_from(code))),
            )
            session_id, refresh = secrets.token_urlsafe(16), secrets.token_urlsafe(32)
            db.execute(
                "INSERT INTO gateway_sessions (session_id, extension, email, refresh_hash, created_at, "
                "refreshed_at) VALUES (?, ?, ?, ?, ?, ?)",
                (session_id, row[0], row[1], _digest(refresh), now.isoformat(), now.isoformat()),
            )
        return self._grant(session_id, str(row[0]), str(row[1]), refresh)

    def refresh(self, refresh_token: str) -> Grant:
        """A new access token and a new refresh token (the old one stops working)."""
        fresh = secrets.token_urlsafe(32)
        with self._store.transaction() as db:
            row = db.execute(
                "SELECT session_id, extension, email, revoked_at FROM gateway_sessions WHERE refresh_hash = ?",
                (_digest(refresh_token),),
            ).fetchone()
            if row is None or row[3] is not None:
                raise AuthError(
                    Text(
                        "This desktop's gateway session was revoked or replaced; enroll it again with a new code."
                    )
                )
            db.execute(
                "UPDATE gateway_sessions SET refresh_hash = ?, refreshed_at = ? WHERE session_id = ?",
                (_digest(fresh), _now().isoformat(), row[0]),
            )
        return self._grant(str(row[0]), str(row[1]), str(row[2]), fresh)

    def browser_ticket(self, claims: Claims) -> str:
        """A one-time ticket, valid for a minute, that signs a browser in for the same session."""
        now = _now()
        self._tickets = {t: v for t, v in self._tickets.items() if v[1] > now}
        ticket = secrets.token_urlsafe(24)
        self._tickets[ticket] = (claims, now + TICKET_TTL)
        return ticket

    def browser_session(self, ticket: str) -> tuple[str, int]:
        """Exchange a ticket for a browser session token and its lifetime in seconds."""
        claims, expires = self._tickets.pop(ticket, (None, _now()))
        if claims is None or expires <= _now() or not self.active(claims.session_id):
            raise AuthError(
                Text("This sign-in link is used or expired; open a new one from Linkus Companion.")
            )
        token = self._token(claims.session_id, claims.extension, claims.email, BROWSER_AUDIENCE, BROWSER_TTL)
        return token, int(BROWSER_TTL.total_seconds())

    def verify(self, token: str, audience: str = AUDIENCE) -> Claims:
        """The claims of a valid, unexpired, unrevoked token for `audience`; AuthError otherwise."""
        try:
            claims = jwt.decode(
                token,
                self._public,
                algorithms=[ALGORITHM],
                audience=audience,
                issuer=self.issuer,
                leeway=_LEEWAY,
                options={"require": _REQUIRED, "strict_aud": True},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError(Text("The access token expired; refresh it.")) from None
        except jwt.PyJWTError as exc:
            log.info("refused an access token: %s", type(exc).__name__)
            raise AuthError(
                Text("The access token was refused; sign this desktop in to the gateway again.")
            ) from None
        session_id = str(claims["sub"])
        if not self.active(session_id):
            raise AuthError(Text("This desktop's gateway session was revoked; enroll it again."))
        return Claims(
            session_id,
            str(claims["ext"]),
            str(claims["email"]),
            dt.datetime.fromtimestamp(claims["exp"], dt.UTC),
        )

    def active(self, session_id: str) -> bool:
        """Whether the session exists and is not revoked."""
        with self._store.transaction() as db:
            row = db.execute(
                "SELECT revoked_at FROM gateway_sessions WHERE session_id = ?", (session_id,)
            ).fetchone()
        return row is not None and row[0] is None

    def _grant(self, session_id: str, extension: str, email: str, refresh: str) -> Grant:
        access = self._token(session_id, extension, email, AUDIENCE, self._ttl)
        return Grant(access, refresh, int(self._ttl.total_seconds()), extension, email)

    def _token(self, session_id: str, extension: str, email: str, audience: str, ttl: dt.timedelta) -> str:
        now = _now()
        claims = {
            "iss": self.issuer,
            "aud": audience,
            "sub": session_id,
            "ext": extension,
            "email": email,
            "iat": now,
            "nbf": now,
            "exp": now + ttl,
            "jti": secrets.token_urlsafe(12),
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)
