"""Signed provisioning bundles: applied when a pinned key signed them, refused with a clear reason otherwise."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from linkus_companion import paths
from linkus_companion.admin.keys import generate, load_private
from linkus_companion.admin.signing import sign
from linkus_companion.config.errors import SettingLocked
from linkus_companion.config.policies import BUNDLE_FILE, admin_policies
from linkus_companion.config.provisioning import BundleRefused, public_key_line, verify
from linkus_companion.config.settings import Settings
from linkus_companion.config.sources import Layer
from linkus_companion.config.userfile import UserFile

SPEC = {"locked": {"crm.kind": "zoho", "pop.mode": "manual"}, "recommended": {"pop.trigger": "answered"}}


@pytest.fixture
def signer(tmp_path: Path) -> ed25519.Ed25519PrivateKey:
    pair = generate(tmp_path / "keys")
    key = load_private(pair.private_file)
    assert isinstance(key, ed25519.Ed25519PrivateKey)
    return key


def pin(key: ed25519.Ed25519PrivateKey, kind: str = "managed") -> None:
    path = paths.policy_dir() / kind / "trust.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"provisioning.public_keys": [public_key_line(key.public_key())]}))


def deploy(token: str) -> Path:
    path = paths.policy_dir() / BUNDLE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(token)
    return path


def open_settings() -> Settings:
    return Settings(UserFile(paths.settings_file()), admin_policies(native=[]).sources)


def test_a_verified_bundle_locks_and_recommends_its_settings(signer: ed25519.Ed25519PrivateKey) -> None:
    pin(signer)
    bundle = deploy(sign(SPEC, signer, days=30, issuer="IT"))
    settings = open_settings()
    crm = settings.effective("crm.kind")
    assert crm[:3] == ("zoho", "locked", True)
    assert crm.policy_name is not None and str(bundle) in crm.policy_name and "IT" in crm.policy_name
    assert settings.effective("pop.trigger")[:3] == ("answered", "recommended", False)
    with pytest.raises(SettingLocked):
        settings.set_user("pop.mode", "auto")
    settings.set_user("pop.trigger", "ended")
    assert settings.get("pop.trigger") == "ended"
    assert settings.problems == ()


def refused(token: str) -> str:
    deploy(token)
    settings = open_settings()
    assert settings.effective("crm.kind")[1] == "default"
    [problem] = [p for p in settings.problems if "bundle refused" in p.message]
    assert problem.source == str(paths.policy_dir() / BUNDLE_FILE)
    return problem.message


def test_a_tampered_bundle_is_refused(signer: ed25519.Ed25519PrivateKey) -> None:
    pin(signer)
    header, payload, signature = sign(SPEC, signer, days=30).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["settings"]["locked"]["crm.kind"] = "hubspot"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert "altered after it was signed" in refused(f"{header}.{forged}.{signature}")


def test_an_expired_bundle_is_refused(signer: ed25519.Ed25519PrivateKey) -> None:
    pin(signer)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
    assert "expired on" in refused(sign(SPEC, signer, days=30, now=old))


def test_a_bundle_signed_with_another_key_is_refused(
    tmp_path: Path, signer: ed25519.Ed25519PrivateKey
) -> None:
    pin(signer)
    other = load_private(generate(tmp_path / "other").private_file)
    assert "which no policy pins" in refused(sign(SPEC, other, days=30))


def test_an_unsigned_bundle_is_refused(signer: ed25519.Ed25519PrivateKey) -> None:
    pin(signer)
    claims = {"aud": "linkus-companion", "iat": 0, "exp": 2**40, "settings": SPEC}
    assert "unsigned" in refused(jwt.encode(claims, None, algorithm="none"))
    assert "only EdDSA or ES256" in refused(jwt.encode(claims, "x" * 32, algorithm="HS256"))


def test_a_key_pinned_only_as_a_recommendation_is_not_trusted(signer: ed25519.Ed25519PrivateKey) -> None:
    pin(signer, kind="recommended")
    assert "no locked policy pins a public key" in refused(sign(SPEC, signer, days=30))
    assert any("honoured only as a locked policy" in p.message for p in open_settings().problems)


def test_a_bundle_carrying_secrets_is_refused(signer: ed25519.Ed25519PrivateKey) -> None:
    claims = {
        "aud": "linkus-companion",
        "iat": 0,
        "exp": 2**40,
        "settings": {"locked": {"pbx.client_secret": "x"}},
    }
    token = jwt.encode(claims, signer, algorithm="EdDSA")
    with pytest.raises(BundleRefused, match="secret-looking keys"):
        verify(token, [public_key_line(signer.public_key())])


def test_a_bundle_not_made_for_this_app_is_refused(signer: ed25519.Ed25519PrivateKey) -> None:
    claims = {"aud": "someone-else", "iat": 0, "exp": 2**40, "settings": {}}
    with pytest.raises(BundleRefused, match="wrong audience"):
        verify(jwt.encode(claims, signer, algorithm="EdDSA"), [public_key_line(signer.public_key())])


def test_an_unreadable_pinned_key_is_reported_once_with_its_policy() -> None:
    trust = paths.policy_dir() / "managed" / "trust.json"
    trust.parent.mkdir(parents=True)
    trust.write_text(json.dumps({"provisioning.public_keys": ["not a key"]}))
    [problem] = open_settings().problems
    assert problem.source == str(trust)
    assert "provisioning.public_keys" in problem.message and "Ed25519 or P-256" in problem.message


def test_es256_bundles_verify_as_well(tmp_path: Path) -> None:
    key = load_private(generate(tmp_path / "p256", "ES256").private_file)
    bundle = verify(sign(SPEC, key, days=1), [public_key_line(key.public_key())])
    assert bundle.sections[Layer.LOCKED] == SPEC["locked"]
    assert bundle.sections[Layer.RECOMMENDED] == SPEC["recommended"]
