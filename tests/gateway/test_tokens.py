"""Desktop credentials: enrollment codes, refresh rotation, revocation, and strict token checks on the socket."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from gateway_rig import Site
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from linkus_companion.gateway import protocol
from linkus_companion.gateway.tokens import AUDIENCE, AuthError, TokenAuthority, load_signing_key
from linkus_companion.store import Store

ISSUER = "https://gateway.example.com"


@pytest.fixture
def authority(tmp_path: Path) -> TokenAuthority:
    store = Store.open(tmp_path / "gw.db")
    return TokenAuthority(store, load_signing_key(tmp_path / "key.pem"), ISSUER)


def test_a_code_works_once_and_refresh_tokens_rotate(authority: TokenAuthority, tmp_path: Path) -> None:
    enrollment = authority.enroll("1001", "Ann@Example.com")
    assert enrollment.link(ISSUER) == f"{ISSUER}/enroll#{enrollment.code}"
    grant = authority.redeem(enrollment.link(ISSUER))
    claims = authority.verify(grant.access_token)
    assert (claims.extension, claims.email) == ("1001", "ann@example.com")
    with pytest.raises(AuthError, match="unknown, used or expired"):
        authority.redeem(enrollment.code)
    renewed = authority.refresh(grant.refresh_token)
    with pytest.raises(AuthError, match="revoked or replaced"):
        authority.refresh(grant.refresh_token)
    assert authority.verify(renewed.access_token).session_id == claims.session_id
    assert (tmp_path / "key.pem").stat().st_mode & 0o777 == 0o600


def test_expired_codes_and_revoked_sessions_are_refused(authority: TokenAuthority) -> None:
    stale = authority.enroll("1001", "a@example.com", ttl=dt.timedelta(seconds=-1))
    with pytest.raises(AuthError):
        authority.redeem(stale.code)
    grant = authority.redeem(authority.enroll("1002", "b@example.com").code)
    assert authority.revoke(extension="1002") == 1
    with pytest.raises(AuthError, match="revoked"):
        authority.verify(grant.access_token)
    with pytest.raises(AuthError, match="revoked"):
        authority.refresh(grant.refresh_token)


def _claims(site: Site, **changes: Any) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    grant = site.world.gateway.authority.redeem(site.world.gateway.authority.enroll("1001", "a@x.com").code)
    sid = jwt.decode(grant.access_token, options={"verify_signature": False})["sub"]
    base = {
        "iss": site.world.url,
        "aud": AUDIENCE,
        "sub": sid,
        "ext": "1001",
        "email": "a@x.com",
        "iat": now,
        "nbf": now,
        "exp": now + dt.timedelta(minutes=5),
        "jti": "x",
    }
    return {**base, **changes}


async def test_forged_expired_and_wrong_audience_tokens_get_no_socket(site: Site) -> None:
    key = load_signing_key(site.world.tls.ca_file.parent.parent / "signing-key.pem")
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    tokens = {
        "forged": jwt.encode(_claims(site), Ed25519PrivateKey.generate(), algorithm="EdDSA"),
        "expired": jwt.encode(_claims(site, exp=past), key, algorithm="EdDSA"),
        "audience": jwt.encode(_claims(site, aud="linkus-companion-admin"), key, algorithm="EdDSA"),
        "issuer": jwt.encode(_claims(site, iss="https://evil.example"), key, algorithm="EdDSA"),
        "hmac": jwt.encode(_claims(site), secrets.token_bytes(32), algorithm="HS256"),
        "none": jwt.encode(_claims(site), "", algorithm="none"),
        "no extension": jwt.encode(
            {k: v for k, v in _claims(site).items() if k != "ext"}, key, algorithm="EdDSA"
        ),
    }
    url = site.world.url.replace("https", "wss") + protocol.PATH
    for name, token in tokens.items():
        with pytest.raises(InvalidStatus) as refused:
            async with connect(
                url,
                additional_headers={"Authorization": f"Bearer {token}"},
                ssl=site.world.tls.client_context(),
            ):
                pass
        assert refused.value.response.status_code == 403, name
    with pytest.raises(InvalidStatus):
        async with connect(url, ssl=site.world.tls.client_context()):
            pass
    assert site.world.gateway.hub.connected() == 3
    assert (
        site.world.gateway.metrics.value("gateway_auth_refused_total", reason="websocket") == len(tokens) + 1
    )
