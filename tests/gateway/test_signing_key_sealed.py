"""The replicas' token signing key is sealed in PostgreSQL: a database dump alone cannot sign a desktop token."""

from __future__ import annotations

import argparse
import base64
from contextlib import closing
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from linkus_companion.gateway import commands
from linkus_companion.gateway.config import SIGNING_SECRET, load
from linkus_companion.gateway.sealed import SealError
from linkus_companion.gateway.server_secrets import ServerSecrets
from linkus_companion.gateway.tokens import ALGORITHM, AUDIENCE, TokenAuthority, shared_signing_key
from linkus_companion.runtime import NotConfigured
from linkus_companion.store import Store

SECRET = "Zm9vYmFyLXNlYWxpbmctc2VjcmV0LWZvci10ZXN0cw=="
ISSUER = "https://gw.example:8443"


def stored(url: str) -> str:
    with closing(Store.open(url)) as store, store.transaction() as db:
        return str(db.execute("SELECT pem FROM gateway_keys WHERE name = 'signing'").fetchone()[0])


def raw(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes_raw()


def test_the_row_holds_no_usable_key_and_tokens_verify_on_both_replicas(postgres_url: str) -> None:
    with closing(Store.open(postgres_url)) as one, closing(Store.open(postgres_url)) as two:
        first = TokenAuthority(one, shared_signing_key(one, SECRET), ISSUER)
        second = TokenAuthority(two, shared_signing_key(two, SECRET), ISSUER)
        grant = first.redeem(first.enroll("1001", "ann@example.com").code)
        assert second.verify(grant.access_token).extension == "1001"
        again = second.refresh(grant.refresh_token)
        assert first.verify(again.access_token).extension == "1001"
        key = shared_signing_key(two, SECRET)
    dump = stored(postgres_url)
    assert "PRIVATE KEY" not in dump and SECRET not in dump
    assert base64.b64encode(raw(key)).decode() not in dump and raw(key).hex() not in dump
    with pytest.raises(ValueError):
        serialization.load_pem_private_key(dump.encode(), password=None)
    # What someone holding only the dump can do: sign with a key of their own. Refused.
    forged = jwt.encode({"sub": "x", "aud": AUDIENCE, "iss": ISSUER}, Ed25519PrivateKey.generate(), ALGORITHM)
    with closing(Store.open(postgres_url)) as store:
        with pytest.raises(Exception, match="refused"):
            TokenAuthority(store, shared_signing_key(store, SECRET), ISSUER).verify(forged)


def test_a_wrong_secret_is_a_clear_error_that_does_not_show_it(postgres_url: str) -> None:
    with closing(Store.open(postgres_url)) as store:
        shared_signing_key(store, SECRET)
        wrong = "not-the-secret-the-site-was-sealed-with"
        with pytest.raises(SealError, match="does not open with this secret") as refused:
            shared_signing_key(store, wrong)
        assert wrong not in str(refused.value) and SECRET not in str(refused.value)
        with pytest.raises(SealError, match="openssl rand"):
            shared_signing_key(store, "short")


def test_a_key_stored_in_clear_by_an_earlier_version_is_sealed_in_place(postgres_url: str) -> None:
    old = Ed25519PrivateKey.generate()
    pem = old.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with closing(Store.open(postgres_url)) as store:
        with store.transaction() as db:
            db.execute(
                "INSERT INTO gateway_keys (name, pem, created_at) VALUES ('signing', ?, '2026-01-01')",
                (pem.decode(),),
            )
        assert raw(shared_signing_key(store, SECRET)) == raw(old)  # desktops' tokens keep verifying
    assert "PRIVATE KEY" not in stored(postgres_url)
    with closing(Store.open(postgres_url)) as store:
        assert raw(shared_signing_key(store, SECRET)) == raw(old)


def test_replicas_without_the_secret_say_which_one_to_give(
    tmp_path: Path, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state"
    config_file = tmp_path / "gateway.toml"
    config_file.write_text(
        f'[gateway]\npublic_url = "{ISSUER}"\nstate_dir = "{state}"\nstate = "{postgres_url}"\n'
        '[settings]\n"crm.kind" = "hubspot"\n'
    )
    config = load(config_file)
    secrets = ServerSecrets(state, environ={}, container_dir=tmp_path / "none")
    with closing(Store.open(postgres_url)) as store:
        with pytest.raises(NotConfigured, match=SIGNING_SECRET):
            commands.site_key(config, store, secrets)
        secrets.set(SIGNING_SECRET, SECRET)
        commands.site_key(config, store, secrets)
        secrets.set(SIGNING_SECRET, SECRET[::-1])
    assert commands.doctor(argparse.Namespace(config=str(config_file))) == 1
    assert "PROBLEM  signing key The stored token signing key does not open" in capsys.readouterr().out
